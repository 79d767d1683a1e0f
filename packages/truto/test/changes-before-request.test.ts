import { itAwaitsChangesBeforeRequest } from '../../../test-support/changes-before-request';
import { createTrutoAdapter } from '../src/index';

// A fixed mode: the feed's listing only (the `'auto'` metadata request is the adapter's, cached).
itAwaitsChangesBeforeRequest('truto', (sb) =>
  createTrutoAdapter({ ...sb.adapterOptions.truto, rateLimit: false, changes: 'modified' }),
);
