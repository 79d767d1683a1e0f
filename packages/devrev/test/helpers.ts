import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createDevRevAdapter, type DevRevAdapterOptions } from '../src/index';

export const BASE = 'https://devrev.test';
export const TOKEN = 'devrev-test-pat-0123456789';

/** An adapter against the nock host, with fast retries. */
export function adapter(options: Partial<DevRevAdapterOptions> = {}) {
  return createDevRevAdapter({ token: TOKEN, baseUrl: BASE, maxRetries: 2, ...options });
}

/** nock setup every test file shares. */
export function useNock(): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());
}

/** The request's query as a plain object. */
export function queryOf(uri: string): Record<string, string> {
  return Object.fromEntries(new URL(uri, BASE).searchParams);
}
