import { parseArgs } from 'node:util';
import { type Sandbox, startSandbox } from './server';
import type { FaultConfig, FaultOptions, SandboxOptions, VendorName } from './types';

/** One flag of the sandbox command line, shared by `engagekit-sandbox` and `engagekit sandbox`. */
export interface SandboxFlag {
  /** Long name without the leading dashes, e.g. `fault-rate`. */
  name: string;
  /** Placeholder of the flag's value (`<ms>`); absent for a switch. */
  value?: string;
  description: string;
}

/** Every sandbox flag: the one definition both commands build their parser and help from. */
export const SANDBOX_FLAGS: readonly SandboxFlag[] = [
  { name: 'port', value: '<n>', description: 'TCP port, 0-65535 (default 0: any free port)' },
  { name: 'host', value: '<addr>', description: 'bind address (default 127.0.0.1)' },
  { name: 'seed', value: '<n>', description: 'data seed, an integer (default 42)' },
  { name: 'count', value: '<n>', description: 'seeded records per vendor (default 500)' },
  {
    name: 'days',
    value: '<n>',
    description: 'seeded time span in days, ending at --now (default 180)',
  },
  {
    name: 'now',
    value: '<iso>',
    description: 'end of the seeded span; a date-time without an offset is UTC (default: now)',
  },
  { name: 'latency', value: '<ms>', description: 'fixed latency added to every response' },
  { name: 'jitter', value: '<ms>', description: 'random extra latency, 0 to <ms>' },
  {
    name: 'fault-rate',
    value: '<p>',
    description: 'probability (0-1) of an injected 429/500/502/503 per request',
  },
  { name: 'reset-rate', value: '<p>', description: 'probability (0-1) of a dropped connection' },
  { name: 'fault-seed', value: '<n>', description: 'seed of the fault PRNG (an integer)' },
  {
    name: 'fault-vendors',
    value: '<list>',
    description: 'apply the faults above only to these vendors (devrev,zoom,truto; default all)',
  },
  { name: 'schema-drift', description: 'add unknown fields and enum values to records' },
  { name: 'no-rate-limits', description: 'disable every rate limit' },
  { name: 'json', description: 'print the URLs and credentials as one JSON object' },
];

/** A bad sandbox command line or an unusable port: the commands exit with code 2. */
export class SandboxUsageError extends Error {
  override readonly name = 'SandboxUsageError';
}

/** The `engagekit-sandbox` usage text, generated from {@link SANDBOX_FLAGS}. */
export function sandboxUsage(command = 'engagekit-sandbox'): string {
  const label = (f: SandboxFlag) => `--${f.name}${f.value ? ` ${f.value}` : ''}`;
  const width = Math.max(...SANDBOX_FLAGS.map((f) => label(f).length), '-h, --help'.length) + 2;
  return [
    `Usage: ${command} [options]`,
    '',
    'Starts local DevRev, Zoom Contact Center and Truto emulators and prints their URLs and credentials.',
    '',
    'Options:',
    ...SANDBOX_FLAGS.map((f) => `  ${label(f).padEnd(width)}${f.description}`),
    `  ${'-h, --help'.padEnd(width)}show this help`,
  ].join('\n');
}

/** Flag values by flag name (`fault-rate`), as a command-line parser read them. */
export type SandboxFlagValues = Readonly<Record<string, string | boolean | undefined>>;

const VENDOR_NAMES: readonly VendorName[] = ['devrev', 'zoom', 'truto'];
const OFFSETLESS_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i;

function numberFlag(
  values: SandboxFlagValues,
  name: string,
  rule: { integer?: boolean; min?: number; max?: number },
): number | undefined {
  const raw = values[name];
  if (typeof raw !== 'string') return undefined;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  const ok =
    Number.isFinite(n) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || n >= rule.min) &&
    (rule.max === undefined || n <= rule.max);
  if (!ok) {
    const kind = rule.integer ? 'an integer' : 'a number';
    const range =
      rule.min !== undefined && rule.max !== undefined
        ? ` from ${rule.min} to ${rule.max}`
        : rule.min !== undefined
          ? ` of at least ${rule.min}`
          : '';
    throw new SandboxUsageError(`--${name} must be ${kind}${range}, got "${raw}"`);
  }
  return n;
}

function dateFlag(values: SandboxFlagValues, name: string): Date | undefined {
  const raw = values[name];
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  const date = new Date(OFFSETLESS_DATE_TIME.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  if (Number.isNaN(date.getTime())) {
    throw new SandboxUsageError(`--${name} must be an ISO-8601 date, got "${raw}"`);
  }
  return date;
}

/**
 * Turns flag values into sandbox options, checking each value (a bad one throws
 * {@link SandboxUsageError} naming the flag). Both sandbox commands parse through this.
 */
export function sandboxOptionsFromFlags(values: SandboxFlagValues): {
  options: SandboxOptions;
  json: boolean;
} {
  const options: SandboxOptions = {};
  const set = <K extends keyof SandboxOptions>(key: K, value: SandboxOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('port', numberFlag(values, 'port', { integer: true, min: 0, max: 65_535 }));
  if (typeof values.host === 'string') options.host = values.host;
  set('seed', numberFlag(values, 'seed', { integer: true }));
  set('count', numberFlag(values, 'count', { integer: true, min: 1 }));
  set('days', numberFlag(values, 'days', { integer: true, min: 1 }));
  set('now', dateFlag(values, 'now'));
  if (values['no-rate-limits'] === true) options.rateLimits = false;
  const config: FaultConfig = {};
  const latency = numberFlag(values, 'latency', { min: 0 });
  const jitter = numberFlag(values, 'jitter', { min: 0 });
  const rate = numberFlag(values, 'fault-rate', { min: 0, max: 1 });
  const reset = numberFlag(values, 'reset-rate', { min: 0, max: 1 });
  if (latency !== undefined) config.latencyMs = latency;
  if (jitter !== undefined) config.jitterMs = jitter;
  if (rate !== undefined) config.errorRate = rate;
  if (reset !== undefined) config.resetRate = reset;
  if (values['schema-drift'] === true) config.schemaDrift = true;
  const faults: FaultOptions = {};
  const faultSeed = numberFlag(values, 'fault-seed', { integer: true });
  if (faultSeed !== undefined) faults.seed = faultSeed;
  const vendorList = values['fault-vendors'];
  if (typeof vendorList === 'string') {
    const vendors = vendorList
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .filter(Boolean);
    const unknown = vendors.find((v) => !(VENDOR_NAMES as readonly string[]).includes(v));
    if (unknown !== undefined || vendors.length === 0) {
      throw new SandboxUsageError(
        `--fault-vendors takes a comma-separated list of ${VENDOR_NAMES.join(', ')}, got "${vendorList}"`,
      );
    }
    for (const v of vendors as VendorName[]) faults[v] = { ...config };
  } else {
    Object.assign(faults, config);
  }
  if (Object.keys(faults).length > 0) options.faults = faults;
  return { options, json: values.json === true };
}

/** Parses `engagekit-sandbox` arguments. Throws {@link SandboxUsageError} on invalid input. */
export function parseSandboxArgs(argv: string[]): {
  options: SandboxOptions;
  help: boolean;
  json: boolean;
} {
  const definitions: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const f of SANDBOX_FLAGS) definitions[f.name] = { type: f.value ? 'string' : 'boolean' };
  let values: SandboxFlagValues;
  try {
    values = parseArgs({ args: argv, allowPositionals: false, options: definitions }).values;
  } catch (error) {
    throw new SandboxUsageError(error instanceof Error ? error.message : String(error));
  }
  return { ...sandboxOptionsFromFlags(values), help: values.help === true };
}

/**
 * Starts the sandbox for a command: a port that is taken or not allowed becomes a
 * {@link SandboxUsageError} that says so, instead of a raw `EADDRINUSE`.
 */
export async function startSandboxForCommand(options: SandboxOptions): Promise<Sandbox> {
  try {
    return await startSandbox(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`;
    if (code === 'EADDRINUSE') {
      throw new SandboxUsageError(
        `port ${options.port} is already in use on ${options.host ?? '127.0.0.1'}: choose another --port, or --port 0 for any free port`,
      );
    }
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new SandboxUsageError(
        `cannot listen on ${where} (${code}): choose another --port or --host`,
      );
    }
    throw error;
  }
}

/** Options for {@link runSandboxCommand}. */
export interface RunSandboxCommandOptions {
  /** Where to print (default process.stdout.write). */
  write?: (text: string) => void;
  /** Where to print usage errors (default process.stderr.write). */
  writeError?: (text: string) => void;
  /** Stop when this signal aborts, instead of waiting for SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

/** Human-readable summary of a running sandbox. */
export function describeSandbox(sb: Sandbox): string {
  const c = sb.credentials;
  return [
    'engagekit sandbox is running',
    '',
    `DevRev      baseUrl   ${sb.urls.devrev}`,
    `            token     ${c.devrev.token}`,
    `Zoom CC     baseUrl   ${sb.urls.zoom}`,
    `            oauthUrl  ${sb.urls.zoomOAuth}`,
    `            accountId ${c.zoom.accountId}  clientId ${c.zoom.clientId}  clientSecret ${c.zoom.clientSecret}`,
    `Truto       baseUrl   ${sb.urls.truto}`,
    `            token     ${c.truto.token}  integratedAccountId ${c.truto.integratedAccountId}`,
    '',
    `Admin       POST ${sb.origin}/__admin/faults   POST ${sb.origin}/__admin/reset   GET ${sb.origin}/__admin/log`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/**
 * The `engagekit-sandbox` command: starts the sandbox, prints URLs and credentials and runs until
 * SIGINT/SIGTERM (or `signal`). Resolves with the exit code.
 */
export async function runSandboxCommand(
  argv: string[],
  opts: RunSandboxCommandOptions = {},
): Promise<number> {
  const write = opts.write ?? ((t: string) => void process.stdout.write(t));
  const writeError = opts.writeError ?? ((t: string) => void process.stderr.write(t));
  let parsed: ReturnType<typeof parseSandboxArgs>;
  try {
    parsed = parseSandboxArgs(argv);
  } catch (err) {
    writeError(
      `engagekit-sandbox: ${err instanceof Error ? err.message : String(err)}\n(run "engagekit-sandbox --help" for usage)\n`,
    );
    return 2;
  }
  if (parsed.help) {
    write(`${sandboxUsage()}\n`);
    return 0;
  }
  let sb: Sandbox;
  try {
    sb = await startSandboxForCommand(parsed.options);
  } catch (err) {
    if (!(err instanceof SandboxUsageError)) throw err;
    writeError(`engagekit-sandbox: ${err.message}\n`);
    return 2;
  }
  write(
    parsed.json
      ? `${JSON.stringify({ urls: sb.urls, credentials: sb.credentials, origin: sb.origin })}\n`
      : describeSandbox(sb),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    if (opts.signal) {
      if (opts.signal.aborted) resolve();
      opts.signal.addEventListener('abort', stop, { once: true });
    } else {
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }
  });
  await sb.close();
  return 0;
}
