/**
 * 4. Memory: RSS while iterating 1,000,000 records (one vendor) from the sandbox, which runs in a
 * child process so its memory is not counted. Target: flat (bounded by the page size).
 * `--count <n>` changes the record count, `--vendor devrev|zoom|truto` the vendor.
 */
import type { EngagementAdapter } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { flag, printTable, sandboxChild, writeResult } from '../lib';

const COUNT = flag('count', 1_000_000);
const vendorArg = process.argv.indexOf('--vendor');
const VENDOR = (vendorArg >= 0 ? process.argv[vendorArg + 1] : 'truto') as
  | 'devrev'
  | 'zoom'
  | 'truto';
const PAGE = 100;
const SAMPLES = 20;
const every = Math.max(1, Math.floor(COUNT / SAMPLES));

const startedSandbox = performance.now();
const sb = await sandboxChild({ count: COUNT });
const sandboxStartMs = performance.now() - startedSandbox;
const http = { rateLimit: false as const, maxRetries: 5 };
const adapter: EngagementAdapter =
  VENDOR === 'devrev'
    ? createDevRevAdapter({ ...http, baseUrl: sb.urls.devrev, ...sb.credentials.devrev })
    : VENDOR === 'zoom'
      ? createZoomContactCenterAdapter({
          ...http,
          baseUrl: sb.urls.zoom,
          oauthUrl: sb.urls.zoomOAuth,
          ...sb.credentials.zoom,
        })
      : createTrutoAdapter({ ...http, baseUrl: sb.urls.truto, ...sb.credentials.truto });

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const curve: { records: number; seconds: number; rssMB: number; heapUsedMB: number }[] = [];
const sample = (records: number, t0: number) => {
  const m = process.memoryUsage();
  curve.push({
    records,
    seconds: (performance.now() - t0) / 1000,
    rssMB: mb(m.rss),
    heapUsedMB: mb(m.heapUsed),
  });
};

const t0 = performance.now();
let n = 0;
let lastSample = 0;
sample(0, t0);
try {
  for await (const e of adapter.engagements.list({
    from: '2025-12-01T00:00:00.000Z',
    to: '2026-06-01T00:00:00.001Z',
    pageSize: PAGE,
    prefetch: true,
  })) {
    if (!e.id) throw new Error('no id');
    n++;
    if (n - lastSample >= every) {
      lastSample = n;
      sample(n, t0);
    }
  }
} finally {
  await sb.close();
}
sample(n, t0);
const seconds = (performance.now() - t0) / 1000;
const afterFirst = curve.filter((c) => c.records >= every);
const rss = afterFirst.map((c) => c.rssMB);
const peak = Math.max(...curve.map((c) => c.rssMB));
const maxRssMB = mb(process.resourceUsage().maxRSS * 1024);
const growth = (rss.at(-1) ?? 0) - (rss[0] ?? 0);

printTable(
  `Memory while iterating ${n.toLocaleString('en-US')} ${VENDOR} records (pages of ${PAGE}, prefetch on, raw kept)`,
  ['records', 'seconds', 'rss MB', 'heapUsed MB'],
  curve.map((c) => [c.records, c.seconds.toFixed(1), c.rssMB.toFixed(1), c.heapUsedMB.toFixed(1)]),
);
console.log(
  `peak RSS ${peak} MB (process maxRSS ${maxRssMB} MB); RSS from the first sample after ${every.toLocaleString('en-US')} records to the end: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB; ${seconds.toFixed(1)} s (${Math.round(n / seconds).toLocaleString('en-US')} records/s); sandbox start ${(sandboxStartMs / 1000).toFixed(1)} s`,
);
console.log(
  `→ ${writeResult('memory', {
    config: { count: COUNT, vendor: VENDOR, pageSize: PAGE, prefetch: true },
    records: n,
    seconds,
    sandboxStartSeconds: sandboxStartMs / 1000,
    peakRssMB: peak,
    maxRssMB,
    rssGrowthAfterWarmupMB: growth,
    curve,
  })}`,
);
