import { itAwaitsChangesBeforeRequest } from '../../../test-support/changes-before-request';
import { createDevRevAdapter } from '../src/index';

itAwaitsChangesBeforeRequest('devrev', (sb) =>
  createDevRevAdapter({ ...sb.adapterOptions.devrev, rateLimit: false }),
);
