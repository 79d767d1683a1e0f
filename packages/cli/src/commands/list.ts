import {
  createEngagementsClient,
  ENGAGEMENT_KINDS,
  type EngagementKind,
  type InvalidRecord,
} from '@engagekit/core';
import { Command, Option } from 'commander';
import { connect, parsePositiveInt, parseWhen, withConnectionOptions } from '../context';
import { parseProviders } from '../credentials';
import { describeError, EXIT, report } from '../errors';
import { createWriter, escapeControl, FORMATS, parseFormat, type RecordWriter } from '../format';
import { type CliIO, UsageError } from '../io';
import { ListingStats } from '../stats';

export interface ListOptions {
  provider?: string;
  from?: string;
  to?: string;
  kind?: string;
  limit?: string;
  pageSize?: string;
  order: 'asc' | 'desc';
  format: string;
  cursor?: string;
  raw?: boolean;
  skipFailing?: boolean;
  skipInvalid?: boolean;
  progress: boolean;
  sandbox?: boolean;
  [flag: string]: unknown;
}

export function parseKinds(value: string | undefined): EngagementKind[] | undefined {
  if (value === undefined) return undefined;
  const kinds = value
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const k of kinds) {
    if (!(ENGAGEMENT_KINDS as readonly string[]).includes(k)) {
      throw new UsageError(`unknown kind "${k}" (known: ${ENGAGEMENT_KINDS.join(', ')})`);
    }
  }
  return kinds as EngagementKind[];
}

export function listCommand(io: CliIO, done: (code: number) => void): Command {
  const cmd = new Command('list')
    .description('List engagements across providers, merged in occurredAt order')
    .option(
      '-p, --provider <ids>',
      'comma-separated providers (devrev,zoom-contact-center,truto); default: every configured one',
    )
    .option(
      '--from <when>',
      'occurredAt lower bound: ISO-8601 (no offset = UTC), or an age like 90d, 12h, 2w (default 30d)',
    )
    .option(
      '--to <when>',
      'occurredAt upper bound, exclusive: ISO-8601 (no offset = UTC), "now", or an age (default now)',
    )
    .option('-k, --kind <kinds>', `comma-separated kinds (${ENGAGEMENT_KINDS.join(', ')})`)
    .option('-n, --limit <n>', 'stop after n records and print a resume cursor on stderr')
    .option('--page-size <n>', 'records per vendor page (capped by each vendor)')
    .addOption(new Option('--order <order>', 'time order').choices(['asc', 'desc']).default('asc'))
    .addOption(
      new Option('-f, --format <format>', 'output format (table: tab-separated off a terminal)')
        .choices([...FORMATS])
        .default('table'),
    )
    .option('--cursor <cursor>', 'resume a listing (use with the --from/--to printed beside it)')
    .option('--raw', 'include the vendor payload (raw) in json/ndjson output')
    .option('--skip-failing', 'skip a failing provider (reported on stderr) instead of failing')
    .option(
      '--skip-invalid',
      'skip a record the vendor sent broken (one line on stderr each) instead of failing',
    )
    .option('--no-progress', 'no progress display on stderr (it only shows on a terminal anyway)');
  withConnectionOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ engagekit list --sandbox --format ndjson | jq .subject
  $ engagekit list --provider devrev,truto --from 90d --kind call,email --format csv > out.csv
  $ engagekit list --sandbox --limit 25        # prints --cursor … --from … --to … on stderr

Dates: a date-time without an offset is UTC (2026-11-01T09:00 = 2026-11-01T09:00Z), like a bare date.
A listing that fails part-way (exit 1) prints the same resume line after the error; --format json
still leaves one whole JSON document. Table output off a terminal is one tab-separated line per
record (id first, nothing cut). Secrets can come from --…-file <path> (or - for stdin).
`,
  );
  cmd.action(async (opts: ListOptions) => done(await runList(opts, io)));
  return cmd;
}

/** One stderr line per record `--skip-invalid` skipped: where it was and what was wrong. */
export function describeSkipped(r: InvalidRecord): string {
  const issues = r.issues.map((i) => `${i.path || '(record)'}: ${i.message}`).join('; ');
  const where = `${r.provider} ${r.remoteId ?? '(no id)'} at ${r.path.join('.')}`;
  return `warning: skipped invalid record ${escapeControl(`${where}: ${issues}`.replace(/\s+/g, ' '))}\n`;
}

/** The lines that tell how to pick a listing up again after `count` records. */
export function resumeHint(reason: string, cursor: string, from: Date, to: Date): string {
  return (
    `${reason} To resume, run the same command with:\n` +
    `  --cursor ${cursor} --from ${from.toISOString()} --to ${to.toISOString()}\n`
  );
}

export async function runList(opts: ListOptions, io: CliIO): Promise<number> {
  const format = parseFormat(opts.format);
  // Created first so that `--format json` leaves a whole JSON document on stdout whatever happens.
  const writer = createWriter(format, io.stdout);
  let failed = true;
  try {
    const code = await listInto(writer, opts, io);
    failed = false;
    return code;
  } finally {
    await writer.end({ failed });
  }
}

async function listInto(writer: RecordWriter, opts: ListOptions, io: CliIO): Promise<number> {
  if (opts.raw && (opts.format === 'table' || opts.format === 'csv')) {
    throw new UsageError(`--raw only applies to --format json or ndjson, not ${opts.format}`);
  }
  const providers = parseProviders(opts.provider);
  const kinds = parseKinds(opts.kind);
  const limit = opts.limit === undefined ? undefined : parsePositiveInt(opts.limit, '--limit');
  const pageSize =
    opts.pageSize === undefined ? undefined : parsePositiveInt(opts.pageSize, '--page-size');
  if (opts.cursor && (opts.from === undefined || opts.to === undefined)) {
    throw new UsageError(
      'a cursor resumes one exact listing: pass the --from and --to printed beside it (and the same --provider/--kind/--order)',
    );
  }
  // Whole seconds, so the --from/--to printed beside a resume cursor read cleanly.
  const now = Math.floor(Date.now() / 1000) * 1000;
  const from = parseWhen(opts.from ?? '30d', '--from', now);
  const to = parseWhen(opts.to ?? 'now', '--to', now);
  if (from.getTime() >= to.getTime()) throw new UsageError('--from must be before --to');

  const conn = await connect(opts, io, providers);
  const stats = new ListingStats(
    conn.adapters.map((a) => a.id),
    opts.progress ? io.stderr : undefined,
  );
  let count = 0;
  try {
    const client = createEngagementsClient({
      adapters: conn.adapters.map((a) => stats.instrument(a)),
      onProviderError: opts.skipFailing ? 'skip' : 'fail',
      // Unordered vendors are fetched, sorted and merged a window at a time (Zoom caps it at 27 days).
      windowMs: 30 * 86_400_000,
    });
    const it = client.engagements.list({
      from,
      to,
      kinds,
      pageSize,
      order: opts.order,
      cursor: opts.cursor,
      includeRaw: opts.raw === true,
      signal: io.signal,
      ...(opts.skipInvalid
        ? { onInvalidRecord: (r: InvalidRecord) => io.stderr.write(describeSkipped(r)) }
        : {}),
    });
    let stopped = false;
    const interruptedAt = (cursor: string | undefined) => {
      io.stderr.write(
        cursor === undefined
          ? 'Interrupted before the first record.\n'
          : resumeHint(`Interrupted after ${count} records.`, cursor, from, to),
      );
      return EXIT.interrupted;
    };
    try {
      for await (const e of it) {
        stats.emitted(e);
        await writer.write(e);
        count++;
        if (limit !== undefined && count >= limit) {
          stopped = true;
          break;
        }
        // Records already fetched keep coming after Ctrl+C: stop at a record boundary.
        if (io.signal?.aborted) break;
      }
    } catch (error) {
      stats.stop();
      const interrupted = io.signal?.aborted === true;
      const cursor = count > 0 ? it.cursor : undefined;
      if (cursor === undefined && !interrupted) throw error;
      // The records already written stay valid: say how to fetch the rest instead of starting over.
      await writer.end({ failed: true });
      if (interrupted) return interruptedAt(cursor);
      const code = report(error, io);
      io.stderr.write(resumeHint(`Failed after ${count} records.`, cursor as string, from, to));
      return code;
    } finally {
      stats.stop();
    }
    if (io.signal?.aborted && !it.done) {
      await writer.end({ failed: true });
      return interruptedAt(count > 0 ? it.cursor : undefined);
    }
    await writer.end({ failed: false });
    for (const f of it.failures) {
      io.stderr.write(`warning: skipped ${f.provider}: ${describeError(f.error)}\n`);
    }
    const cursor = stopped ? it.cursor : undefined;
    if (cursor) {
      io.stderr.write(resumeHint(`Stopped after ${count} records (--limit).`, cursor, from, to));
    }
    return 0;
  } finally {
    stats.stop();
    await conn.close();
  }
}
