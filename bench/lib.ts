/** Shared helpers of the benchmarks: environment, statistics, result files, sandbox child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { EngagementAdapter } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

export function environment() {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    totalMemoryMB: Math.round(totalmem() / 2 ** 20),
    date: new Date().toISOString(),
    /** Where `@engagekit/core` resolved: the benchmarks must measure the build (`dist`). */
    engagekitCore: import.meta.resolve('@engagekit/core'),
  };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Runs `fn` once to warm up, then `runs` times; returns each run's result. */
export async function repeat<T>(runs: number, fn: (run: number) => Promise<T>): Promise<T[]> {
  await fn(-1);
  const out: T[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn(i));
  return out;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

/** Busy CPU work for `ms` milliseconds (the consumer's per-item work). */
export function burn(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

export function writeResult(name: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS, { recursive: true });
  const file = `${RESULTS}${name}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark: name, environment: environment(), ...data }, null, 2)}\n`,
  );
  return file;
}

/** Prints a table with aligned columns. */
export function printTable(title: string, head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) =>
    r.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join('  ');
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

/** Reads `--name value` flags. */
export function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) ? v : fallback;
}

export interface SandboxChild {
  urls: { devrev: string; zoom: string; zoomOAuth: string; truto: string };
  credentials: {
    devrev: { token: string };
    zoom: { accountId: string; clientId: string; clientSecret: string };
    truto: { token: string; integratedAccountId: string };
  };
  origin: string;
  /** POST /__admin/faults */
  faults(config: Record<string, unknown>): Promise<void>;
  /** GET /__admin/log */
  log(): Promise<Array<{ vendor: string; path: string; status: number }>>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The seeded data every benchmark lists: `count` records per vendor over the 180 days before NOW. */
/**
 * Routes axios' default adapter through a recording: until `stopRecording()`, each request goes to
 * the real adapter and its body is kept as bytes under the request's method, URL, params and body
 * (and handed on as bytes, as the transport's own requests take it); after, each request is
 * answered from the recording with what `replay` makes of the bytes.
 */
export function recordAndReplay(replay: (bytes: Buffer, key: string) => unknown) {
  const realAdapter = axios.getAdapter(axios.defaults.adapter);
  const keyOf = (c: InternalAxiosRequestConfig) =>
    `${c.method} ${c.baseURL ?? ''}${c.url ?? ''} ${JSON.stringify(c.params ?? {})} ${typeof c.data === 'string' ? c.data : ''}`;
  const recorded = new Map<string, { status: number; bytes: Buffer }>();
  let recording = true;
  const stub: AxiosAdapter = async (config) => {
    const key = keyOf(config);
    if (recording) {
      const res = await realAdapter({ ...config, responseType: 'arraybuffer' });
      const bytes = Buffer.isBuffer(res.data) ? res.data : Buffer.from(String(res.data), 'utf8');
      recorded.set(key, { status: res.status, bytes });
      return { ...res, data: bytes };
    }
    const hit = recorded.get(key);
    if (!hit) throw new Error(`no recording for ${key}`);
    return {
      status: hit.status,
      statusText: 'OK',
      headers: { 'content-type': 'application/json' },
      config,
      request: {},
      data: replay(hit.bytes, key),
    };
  };
  axios.defaults.adapter = stub;
  return {
    recorded,
    stopRecording() {
      recording = false;
    },
  };
}

/** Options every adapter of a benchmark gets (no client-side limiter, fewer retries, …). */
type BenchHttp = { rateLimit: false; maxRetries?: number };

/** A factory per vendor for adapters against the sandbox child, keyed by provider id. */
export function adapterFactories(sb: SandboxChild, http: BenchHttp) {
  return {
    devrev: () =>
      createDevRevAdapter({ ...http, baseUrl: sb.urls.devrev, ...sb.credentials.devrev }),
    'zoom-contact-center': () =>
      createZoomContactCenterAdapter({
        ...http,
        baseUrl: sb.urls.zoom,
        oauthUrl: sb.urls.zoomOAuth,
        ...sb.credentials.zoom,
      }),
    truto: () => createTrutoAdapter({ ...http, baseUrl: sb.urls.truto, ...sb.credentials.truto }),
  } satisfies Record<string, () => EngagementAdapter>;
}

export interface SandboxChildOptions {
  count: number;
  /** Latency per request (ms). @default 0 */
  latencyMs?: number;
  /** Enforce the vendors' rate limits. @default false */
  rateLimits?: boolean;
  /** Node options of the sandbox process (e.g. `--cpu-prof` to profile it). @default [] */
  execArgv?: string[];
}

/**
 * Starts the built sandbox (`packages/sandbox/dist/bin.js`) in a child process, so its CPU and
 * memory are not counted in the benchmark process.
 */
export async function sandboxChild(options: SandboxChildOptions): Promise<SandboxChild> {
  const args = ['--count', String(options.count), '--now', NOW, '--days', '180'];
  if (options.latencyMs) args.push('--latency', String(options.latencyMs));
  if (!options.rateLimits) args.push('--no-rate-limits');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--max-old-space-size=4096',
      ...(options.execArgv ?? []),
      `${ROOT}packages/sandbox/dist/bin.js`,
      '--json',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const info = await new Promise<Omit<SandboxChild, 'faults' | 'log' | 'reset' | 'close'>>(
    (resolve, reject) => {
      let buf = '';
      child.once('exit', (code) => reject(new Error(`sandbox exited early (${code})`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
      });
    },
  );
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${info.origin}/__admin${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return res.json();
  };
  return {
    ...info,
    faults: async (config) => void (await admin('POST', '/faults', config)),
    log: () =>
      admin('GET', '/log') as Promise<Array<{ vendor: string; path: string; status: number }>>,
    reset: async () => void (await admin('POST', '/reset', {})),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The sandbox's fixed seeded span, so every run lists the same data. */
export const NOW = '2026-06-01T00:00:00.000Z';
export const SPAN = { from: '2025-12-01T00:00:00.000Z', to: '2026-06-01T00:00:00.001Z' };
