export {
  type CursorState,
  CursorStateSchema,
  decodeCursor,
  encodeCursor,
  fingerprintParams,
} from './cursor';
export {
  type InvalidRecord,
  MAX_KEPT_SKIPPED,
  type OnInvalidRecord,
} from './invalid-record';
export {
  type ListingSink,
  type Page,
  PageIterator,
  type PageSource,
  type SourcePage,
} from './page-iterator';
export {
  type FetchPageRequest,
  type FetchPageResult,
  type PaginateOptions,
  paginate,
} from './paginate';
export {
  type InvalidRecordAt,
  type ReadRecordsOptions,
  readRecords,
  recordReader,
} from './read-records';
export { inWindow, isoUtcMs, nextWindow, sliceWindows, type TimeWindow } from './windows';
