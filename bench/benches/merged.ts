/**
 * 3. Merged listing: wall time of the three-provider merged listing (`createEngagementsClient`)
 * vs each provider listed alone, against the sandbox (child process) with per-request latency.
 * Target: merged within 15% of the slowest single provider.
 */
import { createEngagementsClient } from '@engagekit/core';
import {
  adapterFactories,
  flag,
  median,
  printTable,
  repeat,
  SPAN,
  sandboxChild,
  writeResult,
} from '../lib';

const COUNT = flag('count', 2000);
const RUNS = flag('runs', 5);
const LATENCY = flag('latency', 50);
const PAGE = 100;

const sb = await sandboxChild({ count: COUNT, latencyMs: LATENCY });
const http = { rateLimit: false as const };
const make = adapterFactories(sb, http);

const contenders: Record<string, () => Promise<number>> = {};
for (const [id, f] of Object.entries(make)) {
  contenders[id] = async () => {
    let n = 0;
    for await (const _ of f().engagements.list({ ...SPAN, pageSize: PAGE })) n++;
    return n;
  };
}
contenders.merged = async () => {
  const client = createEngagementsClient({ adapters: Object.values(make).map((f) => f()) });
  let n = 0;
  for await (const _ of client.engagements.list({ ...SPAN, pageSize: PAGE })) n++;
  return n;
};

const names = Object.keys(contenders);
const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const counts: Record<string, number> = {};
const requests: Record<string, Record<string, number>> = {};
try {
  // Requests each listing makes, per vendor (from the sandbox log, once, before the timed runs).
  for (const name of names) {
    await sb.reset();
    await sb.faults({ latencyMs: LATENCY });
    await (contenders[name] as () => Promise<number>)();
    const perVendor: Record<string, number> = {};
    for (const e of await sb.log()) {
      if (e.vendor !== 'admin') perVendor[e.vendor] = (perVendor[e.vendor] ?? 0) + 1;
    }
    requests[name] = perVendor;
  }
  await repeat(RUNS, async (run) => {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + Math.max(0, run)) % names.length] as string;
      const t = performance.now();
      counts[name] = await (contenders[name] as () => Promise<number>)();
      if (run >= 0) times[name]?.push(performance.now() - t);
    }
  });
} finally {
  await sb.close();
}
const medians = Object.fromEntries(names.map((n) => [n, median(times[n] ?? [])]));
const singles = names.filter((n) => n !== 'merged');
const slowest = singles.reduce((a, b) => ((medians[a] ?? 0) >= (medians[b] ?? 0) ? a : b));
const ratio = (medians.merged ?? 0) / (medians[slowest] ?? 1);
const sum = singles.reduce((n, s) => n + (counts[s] ?? 0), 0);
printTable(
  `Merged listing (median of ${RUNS} runs after a warm-up; ${LATENCY} ms latency per request, pages of ${PAGE})`,
  ['listing', 'records', 'median ms', 'vs slowest single', 'requests (devrev/zoom/truto)'],
  names.map((n) => [
    n,
    counts[n] ?? 0,
    medians[n] ?? 0,
    `${((medians[n] ?? 0) / (medians[slowest] ?? 1)).toFixed(2)}×`,
    ['devrev', 'zoom', 'truto'].map((v) => requests[n]?.[v] ?? 0).join('/'),
  ]),
);
console.log(
  `merged / slowest single (${slowest}) = ${ratio.toFixed(3)} → target ≤ 1.15: ${ratio <= 1.15 ? 'met' : 'NOT met'}; merged records ${counts.merged} (sum of singles ${sum})`,
);
console.log(
  `→ ${writeResult('merged', {
    config: { count: COUNT, runs: RUNS, latencyMs: LATENCY, pageSize: PAGE },
    runsMs: times,
    medians,
    records: counts,
    requests,
    slowestSingle: slowest,
    ratios: { mergedToSlowestSingle: ratio },
    targetMet: ratio <= 1.15,
  })}`,
);
