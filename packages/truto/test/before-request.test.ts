import { itAwaitsBeforeRequest } from '../../../test-support/before-request';
import { createTrutoAdapter } from '../src/index';

itAwaitsBeforeRequest('truto', (sb, beforeRequest) =>
  createTrutoAdapter({ ...sb.adapterOptions.truto, rateLimit: false, beforeRequest }),
);
