/**
 * 2. Listing throughput against the sandbox (child process) with realistic latency per page:
 * engagekit (prefetch on) vs a plain hand-written axios pagination loop vs `@devrev/typescript-sdk`,
 * on the same data, with the consumer doing CPU work per item at two levels: light (0.1 ms, a
 * transform) and heavy (0.5 ms, about a page's latency per page: a database write). A cursor chain
 * cannot fetch page n+1 before page n names it, so prefetch can at best hide the consumer's work
 * behind the next request: the gain is bounded by (latency + work) / max(latency, work).
 */
import { client as devrevSdk } from '@devrev/typescript-sdk';
import type { EngagementAdapter } from '@engagekit/core';
import axios from 'axios';
import {
  adapterFactories,
  burn,
  flag,
  median,
  printTable,
  repeat,
  SPAN,
  sandboxChild,
  writeResult,
} from '../lib';

const COUNT = flag('count', 1500);
const RUNS = flag('runs', 5);
const LATENCY = flag('latency', 50);
const WORK_LEVELS = [flag('work', 0.1), flag('heavy-work', 0.5)];
const PAGE = 100;

const sb = await sandboxChild({ count: COUNT, latencyMs: LATENCY });
const http = { rateLimit: false as const };

type Runner = () => Promise<number>;
let workMs = WORK_LEVELS[0] as number;
const consume = () => burn(workMs);

const engagekit =
  (make: () => EngagementAdapter): Runner =>
  async () => {
    let n = 0;
    for await (const _ of make().engagements.list({ ...SPAN, pageSize: PAGE, prefetch: true })) {
      consume();
      n++;
    }
    return n;
  };
const engagekitNoPrefetch =
  (make: () => EngagementAdapter): Runner =>
  async () => {
    let n = 0;
    for await (const _ of make().engagements.list({ ...SPAN, pageSize: PAGE })) {
      consume();
      n++;
    }
    return n;
  };

const { devrev, 'zoom-contact-center': zoom, truto } = adapterFactories(sb, http);
const adapters = { devrev, zoom, truto };

// Plain loops: what a developer writes by hand with axios (sequential, no prefetch, no mapping).
const plainDevRev: Runner = async () => {
  const ax = axios.create({
    baseURL: sb.urls.devrev,
    headers: { authorization: `Bearer ${sb.credentials.devrev.token}` },
  });
  let n = 0;
  let cursor: string | undefined;
  do {
    const { data } = await ax.get('/engagements.list', {
      params: { limit: PAGE, ...(cursor ? { cursor } : {}) },
    });
    for (const e of data.engagements as { created_date?: string; scheduled_date?: string }[]) {
      const at = e.scheduled_date ?? e.created_date ?? '';
      if (at >= SPAN.from && at < SPAN.to) {
        consume();
        n++;
      }
    }
    cursor = data.next_cursor;
  } while (cursor);
  return n;
};
const plainZoom: Runner = async () => {
  const { accountId, clientId, clientSecret } = sb.credentials.zoom;
  const token = await axios.post(sb.urls.zoomOAuth, null, {
    params: { grant_type: 'account_credentials', account_id: accountId },
    auth: { username: clientId, password: clientSecret },
  });
  const ax = axios.create({
    baseURL: sb.urls.zoom,
    headers: { authorization: `Bearer ${token.data.access_token}` },
  });
  let n = 0;
  // Zoom answers one month per query: walk the range in 27-day windows.
  const end = Date.parse(SPAN.to);
  for (let from = Date.parse(SPAN.from); from < end; from += 27 * 86_400_000) {
    const to = Math.min(end, from + 27 * 86_400_000);
    let token: string | undefined;
    do {
      const { data } = await ax.get('/contact_center/engagements', {
        params: {
          from: new Date(from).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          to: new Date(to).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          page_size: PAGE,
          ...(token ? { next_page_token: token } : {}),
        },
      });
      for (const e of data.engagements as { start_time: string }[]) {
        const t = Date.parse(e.start_time);
        if (t >= from && t < to) {
          consume();
          n++;
        }
      }
      token = data.next_page_token || undefined;
    } while (token);
  }
  return n;
};
const plainTruto: Runner = async () => {
  const ax = axios.create({
    baseURL: sb.urls.truto,
    headers: { authorization: `Bearer ${sb.credentials.truto.token}` },
  });
  let n = 0;
  let cursor: string | undefined;
  do {
    const { data } = await ax.get('/unified/crm/engagements', {
      params: {
        integrated_account_id: sb.credentials.truto.integratedAccountId,
        limit: PAGE,
        start_time: SPAN.from,
        end_time: SPAN.to,
        ...(cursor ? { next_cursor: cursor } : {}),
      },
    });
    for (const _ of data.result as unknown[]) {
      consume();
      n++;
    }
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  return n;
};
// The official DevRev SDK (beta API, where engagements live): its own axios client, no retries.
const sdkDevRev: Runner = async () => {
  const api = devrevSdk.setupBeta({ endpoint: sb.urls.devrev, token: sb.credentials.devrev.token });
  let n = 0;
  let cursor: string | undefined;
  do {
    const res = await api.engagementsList({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const e of res.data.engagements as { created_date?: string; scheduled_date?: string }[]) {
      const at = (e as { scheduled_date?: string }).scheduled_date ?? e.created_date ?? '';
      if (at >= SPAN.from && at < SPAN.to) {
        consume();
        n++;
      }
    }
    cursor = res.data.next_cursor;
  } while (cursor);
  return n;
};

const plan: Record<string, Record<string, Runner>> = {
  devrev: {
    'engagekit (prefetch)': engagekit(adapters.devrev),
    'engagekit (no prefetch)': engagekitNoPrefetch(adapters.devrev),
    'plain axios loop': plainDevRev,
    '@devrev/typescript-sdk': sdkDevRev,
  },
  'zoom-contact-center': {
    'engagekit (prefetch)': engagekit(adapters.zoom),
    'engagekit (no prefetch)': engagekitNoPrefetch(adapters.zoom),
    'plain axios loop': plainZoom,
  },
  truto: {
    'engagekit (prefetch)': engagekit(adapters.truto),
    'engagekit (no prefetch)': engagekitNoPrefetch(adapters.truto),
    'plain axios loop': plainTruto,
  },
};

const rows: (string | number)[][] = [];
const results: Record<string, Record<string, unknown>> = {};
try {
  for (const level of WORK_LEVELS) {
    workMs = level;
    const byVendor: Record<string, unknown> = {};
    for (const [vendor, runners] of Object.entries(plan)) {
      const names = Object.keys(runners);
      const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
      const counts: Record<string, number> = {};
      const errors: Record<string, string> = {};
      // Side by side: each run times every contender, in rotating order.
      await repeat(RUNS, async (run) => {
        const order = names.map((_, i) => names[(i + Math.max(0, run)) % names.length] as string);
        for (const name of order) {
          if (errors[name]) continue;
          try {
            const t = performance.now();
            counts[name] = await (runners[name] as Runner)();
            if (run >= 0) times[name]?.push(performance.now() - t);
          } catch (e) {
            errors[name] = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          }
        }
      });
      const plainMs = median(times['plain axios loop'] ?? []);
      const vendorResult: Record<string, unknown> = {};
      for (const name of names) {
        const ms = median(times[name] ?? []);
        vendorResult[name] = errors[name]
          ? { error: errors[name] }
          : {
              records: counts[name],
              runsMs: times[name],
              medianMs: ms,
              recordsPerSec: ((counts[name] ?? 0) / ms) * 1000,
              speedupVsPlain: plainMs / ms,
            };
        rows.push(
          errors[name]
            ? [level, vendor, name, '-', '-', '-', `failed: ${errors[name]?.slice(0, 80)}`]
            : [
                level,
                vendor,
                name,
                counts[name] ?? 0,
                ms,
                ((counts[name] ?? 0) / ms) * 1000,
                `${(plainMs / ms).toFixed(2)}×`,
              ],
        );
      }
      byVendor[vendor] = vendorResult;
    }
    results[`work ${level} ms/item`] = byVendor;
  }
} finally {
  await sb.close();
}
printTable(
  `Listing throughput (median of ${RUNS} runs after a warm-up; ${LATENCY} ms sandbox latency per request, pages of ${PAGE})`,
  ['work ms/item', 'vendor', 'client', 'records', 'median ms', 'records/s', 'vs plain loop'],
  rows,
);
console.log(
  `→ ${writeResult('listing', { config: { count: COUNT, runs: RUNS, latencyMs: LATENCY, workMsPerItem: WORK_LEVELS, pageSize: PAGE }, results })}`,
);
