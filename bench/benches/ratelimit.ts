/**
 * 5. Rate-limited throughput: the sandbox enforces Zoom's MEDIUM limit (10 requests/s); engagekit
 * lists Zoom engagements with its default client-side limiter, and with the limiter off (relying
 * on 429 + retry). Reports the achieved share of the allowed request rate and the 429s received.
 */
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { flag, median, printTable, repeat, SPAN, sandboxChild, writeResult } from '../lib';

const COUNT = flag('count', 1800);
const RUNS = flag('runs', 5);
const LIMIT = 10;
/**
 * The sandbox's Zoom QPS limiter is a token bucket holding one second's worth (Zoom publishes
 * per-second limits and no burst above them), refilled at the rate.
 */
const BURST = LIMIT;
const PAGE = 30;

const sb = await sandboxChild({ count: COUNT, rateLimits: true });
const variants = {
  'engagekit (default limiter: 10 req/s)': {},
  'engagekit (limiter off, 429 + retry)': { rateLimit: false as const, maxRetries: 20 },
};
type Run = {
  ms: number;
  records: number;
  requests: number;
  ok: number;
  r429: number;
  reqPerSec: number;
  share: number;
};
const results: Record<string, { runs: Run[]; medians: Record<string, number> }> = {};
try {
  for (const [name, options] of Object.entries(variants)) {
    const runs = await repeat(RUNS, async () => {
      await sb.reset();
      // A fresh second so the previous run's requests do not count against this one.
      await new Promise((r) => setTimeout(r, 1_100));
      const adapter = createZoomContactCenterAdapter({
        ...options,
        baseUrl: sb.urls.zoom,
        oauthUrl: sb.urls.zoomOAuth,
        ...sb.credentials.zoom,
      });
      const t = performance.now();
      let records = 0;
      for await (const _ of adapter.engagements.list({ ...SPAN, pageSize: PAGE })) records++;
      const ms = performance.now() - t;
      const log = (await sb.log()).filter((e) => e.vendor === 'zoom' && e.path !== '/oauth/token');
      const ok = log.filter((e) => e.status === 200).length;
      const r429 = log.filter((e) => e.status === 429).length;
      const reqPerSec = (ok / ms) * 1000;
      const allowed = BURST + (LIMIT * ms) / 1000;
      return { ms, records, requests: log.length, ok, r429, reqPerSec, share: ok / allowed };
    });
    const med = (k: keyof Run) => median(runs.map((r) => r[k]));
    results[name] = {
      runs,
      medians: {
        ms: med('ms'),
        records: med('records'),
        okRequests: med('ok'),
        r429: med('r429'),
        reqPerSec: med('reqPerSec'),
        share: med('share'),
      },
    };
  }
} finally {
  await sb.close();
}
printTable(
  `Rate-limited throughput (sandbox enforces ${LIMIT} req/s on Zoom; ${COUNT} records, pages of ${PAGE}; median of ${RUNS} runs after a warm-up)`,
  [
    'client',
    'records',
    'ok requests',
    'median ms',
    'ok req/s',
    'share of allowed',
    '429s (median)',
    '429s (all runs)',
  ],
  Object.entries(results).map(([name, r]) => [
    name,
    r.medians.records ?? 0,
    r.medians.okRequests ?? 0,
    r.medians.ms ?? 0,
    (r.medians.reqPerSec ?? 0).toFixed(2),
    `${((r.medians.share ?? 0) * 100).toFixed(1)}%`,
    r.medians.r429 ?? 0,
    r.runs.reduce((n, x) => n + x.r429, 0),
  ]),
);
console.log(
  `→ ${writeResult('ratelimit', { config: { count: COUNT, runs: RUNS, limitPerSecond: LIMIT, pageSize: PAGE }, results })}`,
);
