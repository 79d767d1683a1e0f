import { parseArgs } from 'node:util';
import { type Sandbox, startSandbox } from './server';
import type { SandboxOptions } from './types';

const USAGE = `Usage: engagekit-sandbox [options]

Starts local DevRev, Zoom Contact Center and Truto emulators and prints their URLs and credentials.

Options:
  --port <n>          TCP port (default: ephemeral)
  --host <addr>       bind address (default 127.0.0.1)
  --seed <n>          data seed (default 42)
  --count <n>         seeded records per vendor (default 500)
  --days <n>          seeded time span in days ending now (default 180)
  --now <iso>         end of the seeded span (default: current time)
  --latency <ms>      fixed latency added to every response
  --jitter <ms>       random extra latency
  --fault-rate <p>    probability of an injected 429/500/502/503 per request
  --reset-rate <p>    probability of a dropped connection per request
  --fault-seed <n>    seed of the fault PRNG
  --schema-drift      add unknown fields and enum values to records
  --no-rate-limits    disable every rate limit
  --json              print the URLs and credentials as JSON
  -h, --help          show this help`;

/** Options for {@link runSandboxCommand}. */
export interface RunSandboxCommandOptions {
  /** Where to print (default process.stdout.write). */
  write?: (text: string) => void;
  /** Stop when this signal aborts, instead of waiting for SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

/** Parses CLI arguments into sandbox options. Throws on invalid input. */
export function parseSandboxArgs(argv: string[]): {
  options: SandboxOptions;
  help: boolean;
  json: boolean;
} {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      count: { type: 'string' },
      days: { type: 'string' },
      now: { type: 'string' },
      latency: { type: 'string' },
      jitter: { type: 'string' },
      'fault-rate': { type: 'string' },
      'reset-rate': { type: 'string' },
      'fault-seed': { type: 'string' },
      'schema-drift': { type: 'boolean' },
      'no-rate-limits': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${v}'`);
    return n;
  };
  const options: SandboxOptions = {};
  const set = <K extends keyof SandboxOptions>(key: K, value: SandboxOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('port', num('port', values.port));
  set('host', values.host);
  set('seed', num('seed', values.seed));
  set('count', num('count', values.count));
  set('days', num('days', values.days));
  set('now', values.now);
  if (values['no-rate-limits']) options.rateLimits = false;
  const faults: NonNullable<SandboxOptions['faults']> = {};
  const latency = num('latency', values.latency);
  const jitter = num('jitter', values.jitter);
  const rate = num('fault-rate', values['fault-rate']);
  const reset = num('reset-rate', values['reset-rate']);
  const faultSeed = num('fault-seed', values['fault-seed']);
  if (latency !== undefined) faults.latencyMs = latency;
  if (jitter !== undefined) faults.jitterMs = jitter;
  if (rate !== undefined) faults.errorRate = rate;
  if (reset !== undefined) faults.resetRate = reset;
  if (faultSeed !== undefined) faults.seed = faultSeed;
  if (values['schema-drift']) faults.schemaDrift = true;
  if (Object.keys(faults).length > 0) options.faults = faults;
  return { options, help: values.help === true, json: values.json === true };
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
  let parsed: ReturnType<typeof parseSandboxArgs>;
  try {
    parsed = parseSandboxArgs(argv);
  } catch (err) {
    write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    write(`${USAGE}\n`);
    return 0;
  }
  const sb = await startSandbox(parsed.options);
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
