export {
  type CursorState,
  CursorStateSchema,
  decodeCursor,
  encodeCursor,
  fingerprintParams,
} from './cursor';
export { type Page, PageIterator, type PageSource, type SourcePage } from './page-iterator';
export {
  type FetchPageRequest,
  type FetchPageResult,
  type PaginateOptions,
  paginate,
} from './paginate';
export { inWindow, nextWindow, sliceWindows, type TimeWindow } from './windows';
