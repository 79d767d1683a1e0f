export {
  type AdapterDefinition,
  CreateEngagementInputSchema,
  defineAdapter,
  type RemoteIdRules,
  toRemoteId,
  UpdateEngagementInputSchema,
} from './define';
export { type PlainEngagementConstructor, plainEngagementConstructor } from './engagement';
export {
  type AdapterOptionsSpec,
  endpointUrlIssues,
  isLoopbackHost,
  MIN_SECRET_LENGTH,
  missingCredentialIssue,
  parseAdapterOptions,
  reservedNativeKey,
  secretIssues,
} from './options';
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
