import { runConformanceSuite } from '@engagekit/core/testing';
import nock from 'nock';
import { afterAll, beforeAll } from 'vitest';
import { createTrutoAdapter } from '../src/index';
import { ACCOUNT, setupNock, TOKEN } from './fixtures';
import { createTrutoHarness } from './harness';

beforeAll(setupNock);
afterAll(() => nock.cleanAll());

runConformanceSuite({
  name: 'truto',
  createAdapter: ({ baseUrl, hooks, maxRetries }) =>
    createTrutoAdapter({ token: TOKEN, integratedAccountId: ACCOUNT, baseUrl, hooks, maxRetries }),
  harness: createTrutoHarness(),
});
