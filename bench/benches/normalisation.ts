/**
 * 1. Normalisation cost: records/s through each adapter's wire-schema validation + mapping (and the
 * pagination engine around them), against JSON.parse of the same payloads.
 *
 * Payloads are the sandbox's real pages, recorded once through the adapter itself; the runs then
 * replay them from memory through a stub axios adapter, so no network time is counted.
 */
import { createEngagementsClient, type EngagementAdapter } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { startSandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { flag, median, NOW, printTable, repeat, SPAN, writeResult } from '../lib';

void createEngagementsClient;
const COUNT = flag('count', 5000);
const RUNS = flag('runs', 7);

const realAdapter = axios.getAdapter(axios.defaults.adapter);
const key = (c: InternalAxiosRequestConfig) =>
  `${c.method} ${c.baseURL ?? ''}${c.url ?? ''} ${JSON.stringify(c.params ?? {})} ${typeof c.data === 'string' ? c.data : ''}`;
const recorded = new Map<
  string,
  { status: number; text: string; headers: Record<string, string> }
>();
let mode: 'record' | 'replay-text' | 'replay-parsed' = 'record';
const parsed = new Map<string, unknown>();

const stub: AxiosAdapter = async (config) => {
  const k = key(config);
  if (mode === 'record') {
    const res = await realAdapter({ ...config, transformResponse: [(d: unknown) => d] });
    recorded.set(k, {
      status: res.status,
      text: String(res.data),
      headers: { 'content-type': 'application/json' },
    });
    return { ...res, data: res.data };
  }
  const hit = recorded.get(k);
  if (!hit) throw new Error(`no recording for ${k}`);
  return {
    status: hit.status,
    statusText: 'OK',
    headers: hit.headers,
    config,
    request: {},
    data: mode === 'replay-parsed' ? parsed.get(k) : hit.text,
  };
};
axios.defaults.adapter = stub;

const sb = await startSandbox({ seed: 42, count: COUNT, now: NOW, days: 180, rateLimits: false });
const http = { rateLimit: false as const, maxRetries: 0 };
const factories: Record<string, () => EngagementAdapter> = {
  devrev: () => createDevRevAdapter({ ...http, baseUrl: sb.urls.devrev, ...sb.credentials.devrev }),
  'zoom-contact-center': () =>
    createZoomContactCenterAdapter({
      ...http,
      baseUrl: sb.urls.zoom,
      oauthUrl: sb.urls.zoomOAuth,
      ...sb.credentials.zoom,
    }),
  truto: () => createTrutoAdapter({ ...http, baseUrl: sb.urls.truto, ...sb.credentials.truto }),
};

const list = async (make: () => EngagementAdapter) => {
  let n = 0;
  for await (const _ of make().engagements.list({ ...SPAN, pageSize: 100 })) n++;
  return n;
};

// Record every vendor's pages first (keys are unique per vendor: the URLs differ).
const counts: Record<string, { records: number; keys: string[] }> = {};
for (const [vendor, make] of Object.entries(factories)) {
  const before = new Set(recorded.keys());
  const records = await list(make);
  counts[vendor] = { records, keys: [...recorded.keys()].filter((k) => !before.has(k)) };
}
await sb.close();
for (const [k, v] of recorded) parsed.set(k, JSON.parse(v.text));

mode = 'replay-parsed';
const rows: (string | number)[][] = [];
const results: Record<string, unknown> = {};
for (const [vendor, make] of Object.entries(factories)) {
  const { records, keys } = counts[vendor] as { records: number; keys: string[] };
  const pages = keys.filter((k) => !k.startsWith('post')).map((k) => recorded.get(k)?.text ?? '');
  const texts = pages;
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const parseMs = await repeat(RUNS, async () => {
    const t = performance.now();
    let sink = 0;
    for (const text of texts) sink += (JSON.parse(text) as object) ? 1 : 0;
    if (sink < 0) console.log(sink);
    return performance.now() - t;
  });
  mode = 'replay-parsed';
  const mapMs = await repeat(RUNS, async () => {
    const t = performance.now();
    const n = await list(make);
    if (n !== records) throw new Error(`replay listed ${n} of ${records}`);
    return performance.now() - t;
  });
  mode = 'replay-text';
  const fullMs = await repeat(RUNS, async () => {
    const t = performance.now();
    await list(make);
    return performance.now() - t;
  });
  const p = median(parseMs);
  const m = median(mapMs);
  const f = median(fullMs);
  results[vendor] = {
    records,
    pages: pages.length,
    payloadBytes: bytes,
    runs: { jsonParseMs: parseMs, validateMapMs: mapMs, parseValidateMapMs: fullMs },
    medians: {
      jsonParseMs: p,
      validateMapMs: m,
      parseValidateMapMs: f,
      jsonParseRecordsPerSec: (records / p) * 1000,
      validateMapRecordsPerSec: (records / m) * 1000,
    },
    ratios: { validateMapToJsonParse: m / p },
    targetMet: m <= p,
  };
  rows.push([
    vendor,
    records,
    (records / p) * 1000,
    (records / m) * 1000,
    m / p,
    f,
    m <= p ? 'yes' : 'no',
  ]);
}

printTable(
  `Normalisation cost (median of ${RUNS} runs after a warm-up; ${COUNT} seeded records per vendor, pages of 100)`,
  [
    'vendor',
    'records',
    'JSON.parse rec/s',
    'validate+map rec/s',
    'ratio (map/parse)',
    'parse+map ms',
    '≤ parse?',
  ],
  rows,
);
console.log(
  'validate+map = the adapter listing replayed from pre-parsed pages: wire-schema validation, mapping to Engagement (raw kept), cursors and the pagination engine.',
);
console.log(
  `→ ${writeResult('normalisation', { config: { count: COUNT, runs: RUNS, pageSize: 100 }, results })}`,
);
