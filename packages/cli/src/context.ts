import { open } from 'node:fs/promises';
import { type EngagementAdapter, type HttpOptions, toIsoUtc } from '@engagekit/core';
import { type Sandbox, type SandboxOptions, startSandbox } from '@engagekit/sandbox';
import type { Command } from 'commander';
import { CREDENTIALS, type ProviderId, resolveAdapters } from './credentials';
import { type CliIO, UsageError } from './io';
import { findSharedSandbox, type SharedSandbox } from './shared-sandbox';

const DAY = 86_400_000;

/**
 * The `now` the CLI gives the sandbox: the start of the current UTC day, so separate runs (a
 * `--limit` run and the `--cursor` run that resumes it) see exactly the same seeded data.
 */
export function sandboxNow(clock: number = Date.now()): Date {
  return new Date(Math.floor(clock / DAY) * DAY);
}

/** Starts the in-process sandbox the way every CLI command does. */
export function startCliSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ seed: 42, now: sandboxNow(), ...options });
}

/** Adds `--<provider>-…` credential flags and `--sandbox` to a command. */
export function withConnectionOptions(cmd: Command): Command {
  cmd.option(
    '--sandbox',
    'run against the local emulators (no credentials needed): the shared sandbox of "engagekit sandbox" or "listen --sandbox" when one runs, else started in-process',
  );
  for (const c of CREDENTIALS) {
    const placeholder = c.flag.endsWith('url') ? '<url>' : c.secret ? '<secret>' : '<value>';
    cmd.option(`${c.flag} ${placeholder}`, `${c.description} (env ${c.env})`);
    if (c.secret) {
      cmd.option(
        `${c.flag}-file <path>`,
        `read ${c.flag.slice(2)} from a file, or from stdin with "-" (keeps it out of ps and history)`,
      );
    }
  }
  return cmd;
}

/** Secrets are a few hundred bytes; anything much larger is the wrong file. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

async function readBounded(source: AsyncIterable<unknown>, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > MAX_SECRET_FILE_BYTES) {
      throw new UsageError(`${what} holds more than ${MAX_SECRET_FILE_BYTES} bytes: not a secret`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Fills secret flags from their `--…-file` flags (`-` = stdin). The value is never echoed: errors
 * name the flag and the path only.
 */
export async function readSecretFiles(
  opts: Record<string, unknown>,
  io: CliIO,
): Promise<Record<string, unknown>> {
  const out = { ...opts };
  let stdinTakenBy: string | undefined;
  for (const c of CREDENTIALS) {
    const path = opts[`${c.key}File`];
    if (!c.secret || typeof path !== 'string') continue;
    const fileFlag = `${c.flag}-file`;
    if (typeof opts[c.key] === 'string') {
      throw new UsageError(`pass ${c.flag} or ${fileFlag}, not both`);
    }
    let text: string;
    if (path === '-') {
      if (stdinTakenBy) {
        throw new UsageError(`only one secret can come from stdin (${stdinTakenBy} already does)`);
      }
      stdinTakenBy = fileFlag;
      if (!io.stdin) throw new UsageError(`${fileFlag} -: no stdin to read from`);
      text = await readBounded(io.stdin, `stdin (${fileFlag} -)`);
    } else {
      try {
        const handle = await open(path, 'r');
        try {
          text = await readBounded(handle.createReadStream(), `${fileFlag} ${path}`);
        } finally {
          await handle.close().catch(() => {});
        }
      } catch (error) {
        if (error instanceof UsageError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        throw new UsageError(`cannot read ${fileFlag} ${path} (${code})`);
      }
    }
    // A file written by `echo` ends in a newline that is not part of the secret.
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '' || /[\r\n]/.test(secret)) {
      throw new UsageError(`${fileFlag} must hold the secret on one line, and nothing else`);
    }
    out[c.key] = secret;
  }
  return out;
}

export interface Connection {
  adapters: EngagementAdapter[];
  /** The sandbox this process started for `--sandbox` (undefined when it uses a shared one). */
  sandbox: Sandbox | undefined;
  /** The shared sandbox of another engagekit process that `--sandbox` found and uses. */
  shared?: SharedSandbox | undefined;
  close(): Promise<void>;
}

/**
 * For `--sandbox`: the live shared sandbox (`engagekit sandbox`, `engagekit listen --sandbox` in
 * another shell) when there is one, so writes reach its webhook subscribers; else undefined, and
 * the caller starts its own. Says on stderr which one is used.
 */
async function sharedSandboxFor(io: CliIO): Promise<SharedSandbox | undefined> {
  const found = await findSharedSandbox(io.env);
  if (found.ignored) {
    io.stderr.write(`Sandbox: ignored the discovery file ${found.file} (${found.ignored}).\n`);
  }
  if (found.sandbox) {
    const s = found.sandbox;
    io.stderr.write(
      `Sandbox: using the shared one at ${s.origin} (engagekit ${s.command}, pid ${s.pid}).\n`,
    );
  } else if (found.file) {
    io.stderr.write(
      'Sandbox: none shared (start "engagekit sandbox" or "engagekit listen --sandbox" to share one); started one in this process.\n',
    );
  }
  return found.sandbox;
}

/** Builds adapters from flags/env, or for `--sandbox` uses the shared sandbox or starts one. */
export async function connect(
  opts: Record<string, unknown>,
  io: CliIO,
  providers: ProviderId[] | undefined,
  http: HttpOptions = {},
): Promise<Connection> {
  const flags = await readSecretFiles(opts, io);
  const shared = opts.sandbox === true ? await sharedSandboxFor(io) : undefined;
  if (shared) {
    const adapters = resolveAdapters({ providers, flags, env: io.env, sandbox: shared, http });
    return { adapters, sandbox: undefined, shared, close: async () => {} };
  }
  const sandbox = opts.sandbox === true ? await startCliSandbox() : undefined;
  try {
    const adapters = resolveAdapters({ providers, flags, env: io.env, sandbox, http });
    return { adapters, sandbox, close: async () => sandbox?.close() };
  } catch (error) {
    await sandbox?.close();
    throw error;
  }
}

/**
 * Parses a date flag (`--from`, `--to`, `--occurred-at`): an ISO-8601 date or date-time, `now`, or
 * an age like `90d`, `12h`, `2w`, `30m`. One rule for every flag: a date-time without an offset
 * (`2026-11-01T09:00`) is UTC, like a bare date (`2026-11-01`), whatever the machine's time zone.
 */
export function parseWhen(value: string, flag: string, now: number = Date.now()): Date {
  const v = value.trim();
  if (v === 'now') return new Date(now);
  const age = /^(\d+)\s*([mhdw])$/i.exec(v);
  if (age) {
    const unit = { m: 60_000, h: 3_600_000, d: DAY, w: 7 * DAY }[
      (age[2] ?? 'd').toLowerCase() as 'm' | 'h' | 'd' | 'w'
    ];
    return new Date(now - Number(age[1]) * unit);
  }
  const iso = toIsoUtc(v);
  if (iso === undefined) {
    throw new UsageError(
      `${flag} must be an ISO-8601 date (without an offset it is UTC), "now" or an age like 90d, got "${value}"`,
    );
  }
  return new Date(iso);
}

export function parseInteger(value: string, flag: string): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} must be an integer, got "${value}"`);
  return n;
}

export function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  }
  return n;
}
