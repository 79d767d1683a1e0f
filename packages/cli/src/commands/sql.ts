import { Command, Option } from 'commander';
import { EXIT } from '../errors';
import { renderGrid } from '../format';
import { type CliIO, UsageError, writeOut } from '../io';
import { DEFAULT_DB, openStore } from './sync';

const SQL_FORMATS = ['table', 'json', 'ndjson'] as const;

export function sqlCommand(io: CliIO, done: (code: number) => void): Command {
  const cmd = new Command('sql')
    .description('Run one SQL statement against the synced database and print the rows')
    .argument(
      '<statement>',
      'e.g. "select provider, kind, count(*) from engagekit.engagements group by 1, 2"',
    )
    .option('--db <dir|url>', `a PGlite directory or a postgres:// URL (default ${DEFAULT_DB})`)
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices([...SQL_FORMATS])
        .default('table'),
    );
  cmd.action(async (statement: string, opts: { db?: string; format: string }) =>
    done(await runSql(statement, opts, io)),
  );
  return cmd;
}

/** Printable cell: dates as ISO, objects as JSON, null as empty. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export async function runSql(
  statement: string,
  opts: { db?: string; format: string },
  io: CliIO,
): Promise<number> {
  if (statement.trim() === '') throw new UsageError('the SQL statement is empty');
  const { store } = openStore(opts.db);
  try {
    const rows = await store.query<Record<string, unknown>>(statement);
    if (opts.format === 'json') {
      await writeOut(io.stdout, `${JSON.stringify(rows, null, 2)}\n`);
    } else if (opts.format === 'ndjson') {
      for (const r of rows) await writeOut(io.stdout, `${JSON.stringify(r)}\n`);
    } else {
      const head = Object.keys(rows[0] ?? {});
      const body = rows.map((r) => head.map((h) => cell(r[h])));
      if (io.stdout.isTTY) {
        await writeOut(io.stdout, head.length > 0 ? renderGrid(head, body) : '(no rows)\n');
      } else {
        if (head.length > 0) await writeOut(io.stdout, `${head.join('\t')}\n`);
        for (const r of body) await writeOut(io.stdout, `${r.join('\t')}\n`);
      }
    }
    io.stderr.write(`${rows.length} row${rows.length === 1 ? '' : 's'}\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
