export {
  createEngagementsClient,
  type EngagementsClient,
  type EngagementsClientOptions,
  type MergedListParams,
  MergedPageIterator,
  type ProviderFailure,
} from './client';
