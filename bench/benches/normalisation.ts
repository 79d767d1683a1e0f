/**
 * 1. Normalisation cost: records/s through each adapter's wire-schema validation + mapping, against
 * JSON.parse of the same payloads (the floor every SDK pays).
 *
 * Payloads are the sandbox's real pages, recorded once through the adapter itself. Then, per run
 * and interleaved (so drift and garbage collection hit every column alike):
 *   - JSON.parse of every page body;
 *   - validate + map: every record of the pre-parsed pages through the adapter's public
 *     `parse…Engagement` (the same compiled wire validator and mapper the listing uses);
 *   - the whole adapter listing replayed from the pre-parsed pages through a stub axios adapter:
 *     validation, mapping, transport, pagination engine and cursors, but no network.
 */

import { loadavg } from 'node:os';
import type { Engagement, EngagementAdapter } from '@engagekit/core';
import { createDevRevAdapter, parseDevRevEngagement } from '@engagekit/devrev';
import { createTrutoAdapter, parseTrutoEngagement } from '@engagekit/truto';
import {
  createZoomContactCenterAdapter,
  parseZoomEngagement,
} from '@engagekit/zoom-contact-center';
import { flag, median, printTable, recordAndReplay, SPAN, sandboxChild, writeResult } from '../lib';

const COUNT = flag('count', 5000);
const RUNS = flag('runs', 25);

const parsed = new Map<string, unknown>();
// Replayed as parsed pages: the listing replay times the SDK's work after `JSON.parse`.
const { recorded, stopRecording } = recordAndReplay((_, key) => parsed.get(key));

// The sandbox runs in a child process: the benchmark process holds only what an application would.
const sb = await sandboxChild({ count: COUNT });
const http = { rateLimit: false as const, maxRetries: 0 };
interface Vendor {
  make(): EngagementAdapter;
  /** The records of one list page. */
  records(page: unknown): unknown[];
  parse(record: unknown): Engagement;
}
const vendors: Record<string, Vendor> = {
  devrev: {
    make: () => createDevRevAdapter({ ...http, baseUrl: sb.urls.devrev, ...sb.credentials.devrev }),
    records: (page) => (page as { engagements: unknown[] }).engagements,
    parse: (record) => parseDevRevEngagement(record),
  },
  'zoom-contact-center': {
    make: () =>
      createZoomContactCenterAdapter({
        ...http,
        baseUrl: sb.urls.zoom,
        oauthUrl: sb.urls.zoomOAuth,
        ...sb.credentials.zoom,
      }),
    records: (page) => (page as { engagements?: unknown[] }).engagements ?? [],
    parse: (record) => parseZoomEngagement(record),
  },
  truto: {
    make: () => createTrutoAdapter({ ...http, baseUrl: sb.urls.truto, ...sb.credentials.truto }),
    records: (page) => (page as { result: unknown[] }).result,
    parse: (record) => parseTrutoEngagement(record),
  },
};

const list = async (make: () => EngagementAdapter) => {
  let n = 0;
  for await (const _ of make().engagements.list({ ...SPAN, pageSize: 100 })) n++;
  return n;
};

// Record every vendor's pages first (keys are unique per vendor: the URLs differ).
const pagesOf: Record<string, { listed: number; keys: string[] }> = {};
for (const [name, vendor] of Object.entries(vendors)) {
  const before = new Set(recorded.keys());
  const listed = await list(vendor.make);
  const keys = [...recorded.keys()].filter((k) => !before.has(k) && k.startsWith('get'));
  pagesOf[name] = { listed, keys };
}
await sb.close();
for (const [k, v] of recorded) parsed.set(k, JSON.parse(v.bytes.toString('utf8')));
stopRecording();

const timed = (fn: () => void) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const timedAsync = async (fn: () => Promise<void>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

// The machine is shared: the load average says how far absolute rates (not ratios) can be compared.
const loadAtStart = loadavg();
const rows: (string | number)[][] = [];
const results: Record<string, unknown> = {};
for (const [name, vendor] of Object.entries(vendors)) {
  const { listed, keys } = pagesOf[name] as { listed: number; keys: string[] };
  const texts = keys.map((k) => recorded.get(k)?.bytes.toString('utf8') ?? '');
  const pages = keys.map((k) => parsed.get(k));
  const records = pages.reduce<number>((n, p) => n + vendor.records(p).length, 0);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const parseOnce = () => {
    let sink = 0;
    for (const text of texts) sink += (JSON.parse(text) as object) ? 1 : 0;
    if (sink !== texts.length) throw new Error('parse');
  };
  const mapOnce = () => {
    let n = 0;
    for (const page of pages) n += vendor.records(page).map(vendor.parse).length;
    if (n !== records) throw new Error(`mapped ${n} of ${records}`);
  };
  const listOnce = async () => {
    const n = await list(vendor.make);
    if (n !== listed) throw new Error(`replay listed ${n} of ${listed}`);
  };
  // Warm-up: every path optimised before timing.
  for (let i = 0; i < 3; i++) {
    parseOnce();
    mapOnce();
    await listOnce();
  }
  const runs = {
    jsonParseMs: [] as number[],
    validateMapMs: [] as number[],
    listingMs: [] as number[],
  };
  for (let i = 0; i < RUNS; i++) {
    runs.jsonParseMs.push(timed(parseOnce));
    runs.validateMapMs.push(timed(mapOnce));
    runs.listingMs.push(await timedAsync(listOnce));
  }
  const p = median(runs.jsonParseMs);
  const m = median(runs.validateMapMs);
  const l = median(runs.listingMs);
  const pairRatio = median(runs.validateMapMs.map((v, i) => v / (runs.jsonParseMs[i] as number)));
  const listingPairRatio = median(
    runs.listingMs.map((v, i) => v / (runs.jsonParseMs[i] as number)),
  );
  results[name] = {
    records,
    listed,
    pages: pages.length,
    payloadBytes: bytes,
    runs,
    medians: {
      jsonParseMs: p,
      validateMapMs: m,
      listingMs: l,
      jsonParseRecordsPerSec: (records / p) * 1000,
      validateMapRecordsPerSec: (records / m) * 1000,
      listingRecordsPerSec: (listed / l) * 1000,
    },
    ratios: {
      validateMapToJsonParse: m / p,
      validateMapToJsonParsePairedMedian: pairRatio,
      listingToJsonParse: l / p,
      /** Median of each run's listing / JSON.parse: less moved by drift in the load than `l / p`. */
      listingToJsonParsePairedMedian: listingPairRatio,
    },
    targetMet: m <= p,
  };
  rows.push([
    name,
    records,
    (records / p) * 1000,
    (records / m) * 1000,
    m / p,
    m <= p ? 'yes' : 'no',
    (listed / l) * 1000,
    l / p,
  ]);
}

printTable(
  `Normalisation cost (median of ${RUNS} interleaved runs; ${COUNT} seeded records per vendor, pages of 100)`,
  [
    'vendor',
    'records',
    'JSON.parse rec/s',
    'validate+map rec/s',
    'validate+map / parse',
    '≤ parse?',
    'listing replay rec/s',
    'listing / parse',
  ],
  rows,
);
console.log(
  'validate+map = parse…Engagement on every record of the pre-parsed pages (compiled wire validator + mapper, raw kept).',
);
console.log(
  `load average (1/5/15 min) at start ${loadAtStart.map((l) => l.toFixed(1)).join('/')}, at end ${loadavg()
    .map((l) => l.toFixed(1))
    .join('/')}`,
);
console.log(
  'listing replay = the adapter listing from pre-parsed pages: validate+map plus transport, pagination engine and cursors.',
);
console.log(
  `→ ${writeResult('normalisation', {
    config: { count: COUNT, runs: RUNS, pageSize: 100 },
    loadAverage: { start: loadAtStart, end: loadavg() },
    results,
  })}`,
);
