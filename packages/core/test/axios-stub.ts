// Setup shared by the tests that compare the transport's requests with a stock axios instance's.
import axios, { type AxiosAdapter } from 'axios';
import { createTransport } from '../src/http/transport';
import type { TransportRequest } from '../src/http/types';

/** A transport config with a base URL, default headers and auth, and no retries. */
export const acmeConfig = {
  provider: 'acme',
  baseUrl: 'https://api.example.test/v1',
  maxRetries: 0,
  headers: { 'user-agent': 'ua' },
  auth: { headers: () => ({ authorization: 'Bearer t' }) },
};

/**
 * Sends each request through the transport's own axios and through a stock instance, in turn, with
 * `capture` as axios' default adapter; gives the two entries `capture` pushed to `seen` for each.
 */
export async function sendPairs<V>(
  capture: AxiosAdapter,
  requests: readonly TransportRequest[],
  seen: V[],
): Promise<[V, V][]> {
  axios.defaults.adapter = capture;
  const own = createTransport(acmeConfig);
  const stock = createTransport(acmeConfig, axios.create());
  const pairs: [V, V][] = [];
  for (const req of requests) {
    await own.request({ ...req });
    await stock.request({ ...req });
    const [a, b] = seen.splice(0, 2);
    if (a === undefined || b === undefined) throw new Error('a request was not sent');
    pairs.push([a, b]);
  }
  return pairs;
}
