import { itAwaitsBeforeRequest } from '../../../test-support/before-request';
import { createDevRevAdapter } from '../src/index';

itAwaitsBeforeRequest('devrev', (sb, beforeRequest) =>
  createDevRevAdapter({ ...sb.adapterOptions.devrev, rateLimit: false, beforeRequest }),
);
