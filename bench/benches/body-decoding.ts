/**
 * Response bodies as bytes: the transport's own requests take the body as bytes and parse it with
 * `parseJsonBytes` (Latin-1 text through `JSON.parse`, then only the strings holding bytes ≥ 0x80
 * decoded as UTF-8) instead of axios' UTF-8 text, which is a two-byte string twice the body's size
 * once the body has a non-ASCII character (the sandbox's names and notes do, as real CRMs' do): past
 * 128 KB, a fresh large object whose pages are faulted in on first touch.
 *
 * The sandbox's real pages are recorded once as bytes; then, per run and interleaved, every
 * vendor's listing is replayed through a stub axios adapter that answers each page either as the
 * bytes (the transport's path now) or as `bytes.toString('utf8')`, what axios' text response gave
 * before (the decoding is timed with it, as it ran inside axios). Plus the floor: the pages'
 * UTF-8 decoding and `JSON.parse` alone.
 */

import { loadavg } from 'node:os';
import type { EngagementAdapter } from '@engagekit/core';
import {
  adapterFactories,
  flag,
  median,
  printTable,
  recordAndReplay,
  SPAN,
  sandboxChild,
  writeResult,
} from '../lib';

const COUNT = flag('count', 5000);
const RUNS = flag('runs', 15);

let mode: 'bytes' | 'text' = 'bytes';
const { recorded, stopRecording } = recordAndReplay((bytes) =>
  mode === 'bytes' ? bytes : bytes.toString('utf8'),
);

const sb = await sandboxChild({ count: COUNT });
const http = { rateLimit: false as const, maxRetries: 0 };
const vendors: Record<string, () => EngagementAdapter> = adapterFactories(sb, http);

/** Lists the span; the names of every record (the two paths must agree on every string). */
const list = async (make: () => EngagementAdapter) => {
  const seen: string[] = [];
  for await (const e of make().engagements.list({ ...SPAN, pageSize: 100 })) {
    seen.push(
      `${e.id} ${e.subject ?? ''} ${e.participants.map((p) => p.displayName ?? '').join('|')}`,
    );
  }
  return seen;
};

const pagesOf: Record<string, { keys: string[]; expected: string[] }> = {};
for (const [name, make] of Object.entries(vendors)) {
  const before = new Set(recorded.keys());
  const expected = await list(make);
  const keys = [...recorded.keys()].filter((k) => !before.has(k) && k.startsWith('get'));
  pagesOf[name] = { keys, expected };
}
await sb.close();
stopRecording();

const load = () => Math.round((loadavg()[0] ?? 0) * 100) / 100;
const loads = [load()];
const rows: (string | number)[][] = [];
const results: Record<string, unknown> = {};
for (const [name, make] of Object.entries(vendors)) {
  const { keys, expected } = pagesOf[name] as { keys: string[]; expected: string[] };
  const bodies = keys.map((k) => recorded.get(k)?.bytes ?? Buffer.alloc(0));
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  const nonAscii = bodies.reduce((n, b) => n + b.filter((x) => x >= 0x80).length, 0);
  const replay = async (as: 'bytes' | 'text') => {
    mode = as;
    const t = performance.now();
    const got = await list(make);
    const ms = performance.now() - t;
    if (got.length !== expected.length || got.some((g, i) => g !== expected[i])) {
      throw new Error(`${name}: the ${as} replay listed other records than the recording`);
    }
    return ms;
  };
  const parseOnly = () => {
    const t = performance.now();
    let n = 0;
    for (const b of bodies) n += JSON.parse(b.toString('utf8')) ? 1 : 0;
    if (n !== bodies.length) throw new Error('parse');
    return performance.now() - t;
  };
  for (let i = 0; i < 3; i++) {
    await replay('bytes');
    await replay('text');
    parseOnly();
  }
  const runs = { bytesMs: [] as number[], textMs: [] as number[], decodeParseMs: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    // Alternating order: drift in the load hits both paths alike.
    if (i % 2 === 0) {
      runs.bytesMs.push(await replay('bytes'));
      runs.textMs.push(await replay('text'));
    } else {
      runs.textMs.push(await replay('text'));
      runs.bytesMs.push(await replay('bytes'));
    }
    runs.decodeParseMs.push(parseOnly());
  }
  const b = median(runs.bytesMs);
  const t = median(runs.textMs);
  const paired = median(runs.bytesMs.map((v, i) => (runs.textMs[i] as number) / v));
  results[name] = {
    records: expected.length,
    pages: bodies.length,
    payloadBytes: bytes,
    nonAsciiBytes: nonAscii,
    runs,
    medians: { bytesMs: b, textMs: t, decodeParseMs: median(runs.decodeParseMs) },
    /** Median of each run's text / bytes listing time: how much faster the bytes path lists. */
    speedupPaired: paired,
  };
  rows.push([
    name,
    expected.length,
    `${((100 * nonAscii) / bytes).toFixed(2)} %`,
    median(runs.decodeParseMs),
    t,
    b,
    (expected.length / t) * 1000,
    (expected.length / b) * 1000,
    `${paired.toFixed(2)}×`,
  ]);
}
loads.push(load());

printTable(
  `Listing replay with bodies as text (axios' UTF-8 decoding) vs as bytes (parseJsonBytes), median of ${RUNS} interleaved runs, ${COUNT} records per vendor (load ${loads.join(' → ')})`,
  [
    'vendor',
    'records',
    'non-ASCII bytes',
    'UTF-8 decode + JSON.parse ms',
    'text listing ms',
    'bytes listing ms',
    'text rec/s',
    'bytes rec/s',
    'text / bytes',
  ],
  rows,
);
console.log(
  `→ ${writeResult('body-decoding', { config: { count: COUNT, runs: RUNS }, loadAverage: loads, vendors: results })}`,
);
