import { runConformanceSuite } from '@engagekit/core/testing';
import nock from 'nock';
import { afterAll, beforeAll } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';
import { createZoomHarness } from './harness';
import { setupNock } from './helpers';

beforeAll(setupNock);
afterAll(() => nock.cleanAll());

runConformanceSuite({
  name: 'zoom-contact-center',
  createAdapter: ({ baseUrl, hooks, maxRetries }) =>
    createZoomContactCenterAdapter({
      accessToken: 'conformance-token',
      baseUrl,
      hooks,
      maxRetries,
      rateLimit: false,
    }),
  harness: createZoomHarness(),
});
