export {
  type AdapterDefinition,
  CreateEngagementInputSchema,
  defineAdapter,
  toRemoteId,
  UpdateEngagementInputSchema,
} from './define';
export {
  ListEngagementsParamsObject,
  ListEngagementsParamsSchema,
  matchesFilters,
  type NormalizedListParams,
  normalizeListParams,
} from './params';
export type {
  AdapterCapabilities,
  CreateEngagementInput,
  EngagementAdapter,
  EngagementsResource,
  FilterName,
  FilterSupport,
  ListEngagementsParams,
  UpdateEngagementInput,
} from './types';
