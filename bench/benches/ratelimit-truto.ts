/**
 * Rate-limited throughput against Truto's per-account limit (50 requests / 10 s): the sandbox
 * enforces it in fixed 10 s windows and answers with Truto's `ratelimit-limit`,
 * `ratelimit-remaining` and `ratelimit-reset` (seconds) headers. engagekit lists Truto
 * engagements with its default limiter (5/s, burst 5, paused by `ratelimit-remaining: 0` until
 * the reset), and with the limiter off (429 + `Retry-After: 10` + retry). The share of the allowed
 * rate is counted over the 10 s windows the run spans completely, from the sandbox's own log.
 */
import { startSandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import { flag, median, NOW, printTable, SPAN, writeResult } from '../lib';

const REQUESTS = flag('requests', 250);
const RUNS = flag('runs', 1);
const LIMIT = 50;
const WINDOW_MS = 10_000;
const PAGE = 10;

const sb = await startSandbox({
  count: { devrev: 10, zoom: 10, truto: REQUESTS * PAGE },
  now: NOW,
  days: 180,
  truto: { rateLimit: { perAccountPer10s: LIMIT } },
  logLimit: REQUESTS * 4,
});
const variants = {
  'engagekit (default limiter + ratelimit-* headers)': {},
  'engagekit (limiter off, 429 + retry)': { rateLimit: false as const, maxRetries: 20 },
};
type Run = {
  ms: number;
  records: number;
  ok: number;
  r429: number;
  reqPerSec: number;
  fullWindows: number;
  share: number;
};
const results: Record<string, { runs: Run[]; medians: Record<string, number> }> = {};
try {
  for (const [name, options] of Object.entries(variants)) {
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      sb.reset();
      // A fresh window, so the previous run's requests do not count against this one.
      await new Promise((r) => setTimeout(r, WINDOW_MS - (Date.now() % WINDOW_MS) + 50));
      const adapter = createTrutoAdapter({ ...options, ...sb.adapterOptions.truto });
      const t = performance.now();
      let records = 0;
      for await (const _ of adapter.engagements.list({ ...SPAN, pageSize: PAGE })) records++;
      const ms = performance.now() - t;
      const log = sb.log.entries({ vendor: 'truto' });
      const ok = log.filter((e) => e.status === 200);
      const r429 = log.filter((e) => e.status === 429).length;
      // Windows the run covers completely: the first and the last are partial.
      const windowOf = (e: { at: string }) => Math.floor(Date.parse(e.at) / WINDOW_MS);
      const first = Math.min(...log.map(windowOf));
      const last = Math.max(...log.map(windowOf));
      const inner = ok.filter((e) => windowOf(e) > first && windowOf(e) < last).length;
      const fullWindows = Math.max(0, last - first - 1);
      runs.push({
        ms,
        records,
        ok: ok.length,
        r429,
        reqPerSec: (ok.length / ms) * 1000,
        fullWindows,
        share: fullWindows > 0 ? inner / (fullWindows * LIMIT) : 0,
      });
    }
    const med = (k: keyof Run) => median(runs.map((r) => r[k]));
    results[name] = {
      runs,
      medians: {
        ms: med('ms'),
        records: med('records'),
        okRequests: med('ok'),
        r429: med('r429'),
        reqPerSec: med('reqPerSec'),
        fullWindows: med('fullWindows'),
        share: med('share'),
      },
    };
  }
} finally {
  await sb.close();
}
printTable(
  `Truto rate-limited throughput (sandbox enforces ${LIMIT} req / 10 s per account; ${REQUESTS * PAGE} records, pages of ${PAGE}; median of ${RUNS} run(s))`,
  [
    'client',
    'records',
    'ok requests',
    'ms',
    'ok req/s',
    'full windows',
    'share of allowed (full windows)',
    '429s',
  ],
  Object.entries(results).map(([name, r]) => [
    name,
    r.medians.records ?? 0,
    r.medians.okRequests ?? 0,
    r.medians.ms ?? 0,
    (r.medians.reqPerSec ?? 0).toFixed(2),
    r.medians.fullWindows ?? 0,
    `${((r.medians.share ?? 0) * 100).toFixed(1)}%`,
    r.runs.reduce((n, x) => n + x.r429, 0),
  ]),
);
console.log(
  `→ ${writeResult('ratelimit-truto', { config: { requests: REQUESTS, runs: RUNS, limitPer10s: LIMIT, pageSize: PAGE }, results })}`,
);
