/**
 * Errors and rate limits. Retries are automatic (network errors, 408, 429, 5xx; `Retry-After`
 * honoured) and visible through the `onRetry` hook; what is left over is an error you can
 * `instanceof`. The sandbox's fault injection makes vendors fail on purpose.
 * Run: npx tsx examples/errors-and-rate-limits.ts
 */

import type { HookRetryInfo } from '@engagekit/core';
import {
  ApiError,
  AuthenticationError,
  createEngagementsClient,
  EngagekitError,
  InputValidationError,
  RateLimitError,
  ServerError,
} from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import {
  DAY,
  type ExampleOptions,
  isMain,
  SANDBOX_NOW,
  sandboxAdapters,
  withSandbox,
} from './lib/sandbox';

export async function main({ sandbox, log = console.log }: ExampleOptions = {}) {
  return withSandbox(sandbox, async (sb) => {
    const retries: HookRetryInfo[] = [];
    const hooks = {
      onRetry: (r: HookRetryInfo) => {
        retries.push(r);
        log(
          `  retry ${r.provider} ${r.operation ?? ''} after ${r.reason}, waiting ${r.delayMs} ms`,
        );
      },
    };
    const { devrev, zoom, truto } = sandboxAdapters(sb, { hooks });
    const client = createEngagementsClient({ adapters: [devrev, zoom, truto] });
    const range = { from: new Date(SANDBOX_NOW.getTime() - 14 * DAY), to: SANDBOX_NOW };

    // 1. Transient failures are retried: the listing completes as if nothing happened.
    sb.faults.failNext('zoom', { status: 429, retryAfter: 'seconds', retryAfterSeconds: 0 });
    sb.faults.failNext('devrev', { status: 500 });
    sb.faults.failNext('truto', { status: 502 });
    const items = await client.engagements.list(range).toArray();
    log(`1. listed ${items.length} engagements after ${retries.length} retries`);

    // 2. When retries run out, the error says what happened, and instanceof tells you what to do.
    // (After a 429 the adapter also holds its next requests until Retry-After has passed.)
    const caught: string[] = [];
    sb.faults.failNext('devrev', { status: 429, retryAfterSeconds: 2 });
    try {
      await devrev.engagements.list({ ...range, request: { maxRetries: 0 } }).firstPage();
    } catch (error) {
      if (error instanceof RateLimitError) {
        caught.push(
          `RateLimitError (status ${error.status}, retry after ${error.retryAfterMs} ms)`,
        );
      }
    }
    sb.faults.clear();
    sb.faults.failNext('devrev', { status: 503, count: 3 });
    try {
      await devrev.engagements.list({ ...range, request: { maxRetries: 1 } }).firstPage();
    } catch (error) {
      if (error instanceof ServerError) caught.push(`ServerError (status ${error.status})`);
    }
    sb.faults.clear();
    const wrongToken = createDevRevAdapter({ token: 'not-a-valid-token', baseUrl: sb.urls.devrev });
    try {
      await wrongToken.engagements.list(range).firstPage();
    } catch (error) {
      // Messages and error.toJSON() never contain the token.
      if (error instanceof AuthenticationError)
        caught.push(`AuthenticationError: ${error.message}`);
    }
    try {
      await devrev.engagements.list({ from: range.to, to: range.from }).firstPage();
    } catch (error) {
      if (error instanceof InputValidationError)
        caught.push('InputValidationError (no request sent)');
    }
    for (const c of caught) log(`2. ${c}`);

    // 3. A provider that keeps failing can be skipped and reported instead of failing everything.
    sb.faults.set({ truto: { rate500: 1 } });
    const flakyTruto = sandboxAdapters(sb, { maxRetries: 1 }).truto;
    const lenient = createEngagementsClient({
      adapters: [devrev, zoom, flakyTruto],
      onProviderError: 'skip',
    });
    const partial = lenient.engagements.list(range);
    const rest = await partial.toArray();
    sb.faults.clear();
    const skipped = partial.failures.map((f) => ({
      provider: f.provider,
      error: f.error instanceof EngagekitError ? f.error.name : String(f.error),
      status: f.error instanceof ApiError ? f.error.status : undefined,
    }));
    log(`3. ${rest.length} engagements; skipped: ${JSON.stringify(skipped)}`);
    return { items, retries, caught, partial: rest, skipped };
  });
}

if (isMain(import.meta.url)) await main();
