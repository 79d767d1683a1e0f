/**
 * 6. Merged memory: peak RSS while the multi-provider client lists 1,000,000 records of EACH vendor
 * (3M in all) from the sandbox, which runs in a child process so its memory is not counted. DevRev
 * has no time filter and lists in no order, so the client sorts it externally (sorted runs spilled to
 * temporary files); Zoom and Truto are read window by window, spilling windows that overflow.
 * Target: peak RSS within +100 MB of the RSS at the start of the listing.
 * `--count <n>` changes the records per vendor; `--max-buffered <n>` the client's maxBufferedPerProvider.
 */
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEngagementsClient } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { flag, printTable, SPAN, sandboxChild, writeResult } from '../lib';

const COUNT = flag('count', 1_000_000);
const MAX_BUFFERED = flag('max-buffered', 2_000);
const PAGE = 100;
const TARGET_MB = 100;
const SAMPLE_MS = 250;

const startedSandbox = performance.now();
const sb = await sandboxChild({ count: COUNT });
const sandboxStartMs = performance.now() - startedSandbox;
const http = { rateLimit: false as const, maxRetries: 5 };
const client = createEngagementsClient({
  adapters: [
    createDevRevAdapter({ ...http, baseUrl: sb.urls.devrev, ...sb.credentials.devrev }),
    createZoomContactCenterAdapter({
      ...http,
      baseUrl: sb.urls.zoom,
      oauthUrl: sb.urls.zoomOAuth,
      ...sb.credentials.zoom,
    }),
    createTrutoAdapter({ ...http, baseUrl: sb.urls.truto, ...sb.credentials.truto }),
  ],
  maxBufferedPerProvider: MAX_BUFFERED,
});

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
// tsx runs this file in a child process that `--expose-gc` does not reach: expose it here, so the
// start is measured after a full collection.
setFlagsFromString('--expose-gc');
(runInNewContext('gc') as () => void)();
const startRss = mb(process.memoryUsage().rss);
const loadAtStart = loadavg();
const curve: {
  seconds: number;
  records: number;
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  arrayBuffersMB: number;
}[] = [];
let n = 0;
const t0 = performance.now();
const sample = () => {
  const m = process.memoryUsage();
  curve.push({
    seconds: (performance.now() - t0) / 1000,
    records: n,
    rssMB: mb(m.rss),
    heapUsedMB: mb(m.heapUsed),
    heapTotalMB: mb(m.heapTotal),
    arrayBuffersMB: mb(m.arrayBuffers),
  });
};
// By time, not by record: DevRev's range is read (and spilled) before its first record is merged.
const timer = setInterval(sample, SAMPLE_MS);
sample();
let firstMs: number | undefined;
let previous = '';
try {
  for await (const e of client.engagements.list({ ...SPAN, pageSize: PAGE })) {
    if (firstMs === undefined) firstMs = performance.now() - t0;
    const key = `${e.occurredAt}\u0000${e.id}`;
    if (key < previous) throw new Error(`out of order at ${n}: ${e.id}`);
    previous = key;
    n++;
  }
} finally {
  clearInterval(timer);
  await sb.close();
}
sample();
const seconds = (performance.now() - t0) / 1000;
const peak = Math.max(...curve.map((c) => c.rssMB));
const maxRssMB = mb(process.resourceUsage().maxRSS * 1024);
const growth = peak - startRss;
const met = growth <= TARGET_MB;

const step = Math.max(1, Math.floor(curve.length / 20));
printTable(
  `RSS while the merged client lists ${n.toLocaleString('en-US')} records (${COUNT.toLocaleString('en-US')} per vendor, pages of ${PAGE}, maxBufferedPerProvider ${MAX_BUFFERED.toLocaleString('en-US')}, raw kept)`,
  ['seconds', 'records merged', 'rss MB', 'heapUsed MB', 'heapTotal MB', 'arrayBuffers MB'],
  curve
    .filter((_, i) => i % step === 0 || i === curve.length - 1)
    .map((c) => [
      c.seconds.toFixed(1),
      c.records,
      c.rssMB.toFixed(1),
      c.heapUsedMB.toFixed(1),
      c.heapTotalMB.toFixed(1),
      c.arrayBuffersMB.toFixed(1),
    ]),
);
console.log(
  `load average ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}; start RSS ${startRss} MB, peak RSS ${peak} MB (+${growth.toFixed(1)} MB; process maxRSS ${maxRssMB} MB): target +${TARGET_MB} MB ${met ? 'met' : 'MISSED'}; first record after ${((firstMs ?? 0) / 1000).toFixed(1)} s; ${seconds.toFixed(1)} s in all (${Math.round(n / seconds).toLocaleString('en-US')} records/s); sandbox start ${(sandboxStartMs / 1000).toFixed(1)} s`,
);
console.log(
  `→ ${writeResult('memory-merged', {
    config: { countPerVendor: COUNT, pageSize: PAGE, maxBufferedPerProvider: MAX_BUFFERED },
    // 1, 5 and 15 minute load averages (the machine is shared: peaks vary with it).
    loadAverage: { start: loadAtStart, end: loadavg() },
    records: n,
    seconds,
    firstRecordSeconds: (firstMs ?? 0) / 1000,
    sandboxStartSeconds: sandboxStartMs / 1000,
    startRssMB: startRss,
    peakRssMB: peak,
    maxRssMB,
    peakGrowthMB: growth,
    targetMet: met,
    peakSample: curve.find((c) => c.rssMB === peak),
    // At most ~500 samples are kept in the file (a 1M run samples for about an hour).
    curve: curve.filter((_, i) => i % Math.max(1, Math.ceil(curve.length / 500)) === 0),
  })}`,
);
if (!met) process.exitCode = 1;
