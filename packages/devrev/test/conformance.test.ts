import { runConformanceSuite } from '@engagekit/core/testing';
import nock from 'nock';
import { afterAll, beforeAll } from 'vitest';
import { createDevRevAdapter } from '../src/index';
import { createDevRevHarness } from './harness';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
});
afterAll(() => nock.cleanAll());

runConformanceSuite({
  name: 'devrev',
  createAdapter: ({ baseUrl, hooks, maxRetries }) =>
    createDevRevAdapter({ token: 'conformance-token', baseUrl, hooks, maxRetries }),
  harness: createDevRevHarness(),
});
