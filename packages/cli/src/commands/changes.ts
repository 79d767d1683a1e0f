import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  createEngagementsClient,
  type EngagementChange,
  type InvalidRecord,
  type MergedChangeFeed,
} from '@engagekit/core';
import { Command, Option } from 'commander';
import {
  type Connection,
  connect,
  parsePositiveInt,
  parseWhen,
  withConnectionOptions,
} from '../context';
import { type ProviderId, parseProviders } from '../credentials';
import { describeError, EXIT, report } from '../errors';
import { escapeControl, renderGrid } from '../format';
import { type CliIO, type CliStream, UsageError, writeOut } from '../io';
import { describeSkipped, parseKinds } from './list';

export const CHANGE_FORMATS = ['ndjson', 'json', 'table'] as const;

export interface ChangesOptions {
  since?: string;
  checkpointFile?: string;
  provider?: string;
  kind?: string;
  pageSize?: string;
  format: string;
  raw?: boolean;
  skipFailing?: boolean;
  skipInvalid?: boolean;
  sandbox?: boolean;
  [flag: string]: unknown;
}

/** How the command gets its adapters; tests pass adapters of their own. */
export type Connect = (
  opts: Record<string, unknown>,
  io: CliIO,
  providers: ProviderId[] | undefined,
) => Promise<Connection>;

/** A checkpoint (`ekm1.…`, or a provider's `ekc1.…`) rather than a date. */
const looksLikeCheckpoint = (value: string) => /^ek[a-z]*\d+\./.test(value.trim());

export function changesCommand(io: CliIO, done: (code: number) => void): Command {
  const cmd = new Command('changes')
    .description(
      'Print what changed since a checkpoint (or a date), then the next checkpoint on stderr',
    )
    .option(
      '--since <checkpoint|when>',
      'a checkpoint printed by an earlier run, or for a first run an ISO-8601 date or an age like 90d',
    )
    .option(
      '--checkpoint-file <path>',
      'read --since from this file when it exists, and write the next checkpoint to it (also on failure)',
    )
    .option(
      '-p, --provider <ids>',
      'comma-separated providers (devrev,zoom-contact-center,truto); default: every configured one',
    )
    .option(
      '-k, --kind <kinds>',
      'only these kinds (a checkpoint keeps them: resume with the same)',
    )
    .option('--page-size <n>', 'records per vendor page (capped by each vendor)')
    .addOption(
      new Option('-f, --format <format>', 'output format (table: tab-separated off a terminal)')
        .choices([...CHANGE_FORMATS])
        .default('ndjson'),
    )
    .option('--raw', 'include the vendor payload (engagement.raw) in json/ndjson output')
    .option(
      '--skip-failing',
      'skip a failing provider (reported on stderr; it keeps its checkpoint)',
    )
    .option('--skip-invalid', 'skip a record the vendor sent broken (one line on stderr each)');
  withConnectionOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ engagekit changes --sandbox --since 7d                       # first run; next checkpoint on stderr
  $ engagekit changes --since ekm1.eyJ0Ijo… --format table       # the run after
  $ engagekit changes --checkpoint-file ./engagekit.checkpoint   # every run (cron): reads and writes it

Each line is a change: {"type":"upsert","id":…,"changedAt":…,"engagement":{…}}. The next checkpoint
is printed on stderr after the run, also when it fails (exit 1) or is interrupted (Ctrl+C, exit
130): pass it as --since to go on from there. Nothing is lost across runs; a change may come twice
only at a resume boundary (upsert by id). Deletions come from webhooks: see "engagekit listen".
`,
  );
  cmd.action(async (opts: ChangesOptions) => done(await runChanges(opts, io)));
  return cmd;
}

/** Streams changes to stdout in one format. */
interface ChangeWriter {
  write(change: EngagementChange): Promise<void>;
  end(): Promise<void>;
}

function withoutRaw(change: EngagementChange): EngagementChange {
  if (!change.engagement || !('raw' in change.engagement)) return change;
  const { raw: _raw, ...engagement } = change.engagement;
  return { ...change, engagement };
}

const oneLine = (s: string | undefined) => escapeControl((s ?? '').replace(/\s+/g, ' ').trim());

const CHANGE_COLUMNS = ['type', 'changedAt', 'id', 'kind', 'subject'];

function changeRow(c: EngagementChange): string[] {
  return [
    c.type,
    c.changedAt,
    oneLine(c.id),
    c.engagement?.kind ?? '',
    oneLine(c.engagement?.subject),
  ];
}

function createChangeWriter(format: string, out: CliStream): ChangeWriter {
  let ended = false;
  const once = (finish: () => Promise<void>) => async () => {
    if (ended) return;
    ended = true;
    await finish();
  };
  if (format === 'json') {
    let first = true;
    return {
      async write(c) {
        await writeOut(out, `${first ? '[\n' : ',\n'}${JSON.stringify(c)}`);
        first = false;
      },
      end: once(() => writeOut(out, first ? '[]\n' : '\n]\n')),
    };
  }
  if (format === 'table') {
    if (!out.isTTY) {
      return {
        write: (c) => writeOut(out, `${changeRow(c).join('\t')}\n`),
        end: once(async () => {}),
      };
    }
    const rows: string[][] = [];
    return {
      write: async (c) => void rows.push(changeRow(c)),
      end: once(() =>
        writeOut(out, rows.length > 0 ? renderGrid(CHANGE_COLUMNS, rows) : '(no changes)\n'),
      ),
    };
  }
  return { write: (c) => writeOut(out, `${JSON.stringify(c)}\n`), end: once(async () => {}) };
}

async function readCheckpointFile(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(
      `cannot read --checkpoint-file ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
  const checkpoint = text.trim();
  if (!looksLikeCheckpoint(checkpoint)) {
    throw new UsageError(`--checkpoint-file ${path} does not hold an engagekit checkpoint`);
  }
  return checkpoint;
}

/** Written beside and renamed over, so a crash never leaves half a checkpoint. */
async function writeCheckpointFile(path: string, checkpoint: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${checkpoint}\n`);
  await rename(temp, path);
}

/** Runs `engagekit changes`; `connection` builds the adapters (flags/env/--sandbox by default). */
export async function runChanges(
  opts: ChangesOptions,
  io: CliIO,
  connection: Connect = connect,
): Promise<number> {
  if (!(CHANGE_FORMATS as readonly string[]).includes(opts.format)) {
    throw new UsageError(
      `--format must be one of ${CHANGE_FORMATS.join(', ')}, got "${opts.format}"`,
    );
  }
  if (opts.raw && opts.format === 'table') {
    throw new UsageError('--raw only applies to --format json or ndjson, not table');
  }
  const fromFile = opts.checkpointFile ? await readCheckpointFile(opts.checkpointFile) : undefined;
  if (opts.since !== undefined && fromFile !== undefined) {
    throw new UsageError(
      `--checkpoint-file ${opts.checkpointFile} already holds a checkpoint: drop --since (or the file)`,
    );
  }
  const sinceText = opts.since ?? fromFile;
  if (sinceText === undefined) {
    throw new UsageError(
      'pass --since <checkpoint|when> (e.g. --since 7d for a first run) or --checkpoint-file <path>',
    );
  }
  const since = looksLikeCheckpoint(sinceText) ? sinceText.trim() : parseWhen(sinceText, '--since');
  const providers = parseProviders(opts.provider);
  const kinds = parseKinds(opts.kind);
  const pageSize =
    opts.pageSize === undefined ? undefined : parsePositiveInt(opts.pageSize, '--page-size');

  const conn = await connection(opts, io, providers);
  const writer = createChangeWriter(opts.format, io.stdout);
  let feed: MergedChangeFeed | undefined;
  let count = 0;
  /** Prints (and saves) where the next run starts; the feed's checkpoint is valid at any point. */
  const handOver = async (lead: string) => {
    if (!feed) return;
    const checkpoint = feed.checkpoint;
    // Printed first: if the file cannot be written, the checkpoint is still on the terminal.
    io.stderr.write(`${lead} Next checkpoint (pass it as --since next time):\n${checkpoint}\n`);
    if (opts.checkpointFile) await writeCheckpointFile(opts.checkpointFile, checkpoint);
  };
  try {
    const client = createEngagementsClient({
      adapters: conn.adapters,
      onProviderError: opts.skipFailing ? 'skip' : 'fail',
    });
    feed = client.engagements.changes({
      since,
      kinds,
      pageSize,
      includeRaw: opts.raw === true,
      signal: io.signal,
      ...(opts.skipInvalid
        ? { onInvalidRecord: (r: InvalidRecord) => io.stderr.write(describeSkipped(r)) }
        : {}),
    });
    try {
      for await (const change of feed) {
        await writer.write(opts.raw ? change : withoutRaw(change));
        count++;
        // Changes already fetched keep coming after Ctrl+C: stop at a change boundary.
        if (io.signal?.aborted) break;
      }
    } catch (error) {
      await writer.end();
      if (io.signal?.aborted) {
        await handOver(`Interrupted after ${count} changes.`);
        return EXIT.interrupted;
      }
      const code = report(error, io);
      await handOver(`Failed after ${count} changes.`);
      return code;
    }
    await writer.end();
    if (io.signal?.aborted && !feed.done) {
      await handOver(`Interrupted after ${count} changes.`);
      return EXIT.interrupted;
    }
    for (const f of feed.failures) {
      io.stderr.write(`warning: skipped ${f.provider}: ${describeError(f.error)}\n`);
    }
    await handOver(`${count} changes.`);
    return EXIT.ok;
  } finally {
    await writer.end();
    await conn.close();
  }
}
