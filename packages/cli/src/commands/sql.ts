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

/**
 * Keys for rows as JSON objects: the column names, a repeated one suffixed with its occurrence
 * (`count`, `count_2`), so `count(*), count(raw)` keeps both values.
 */
function uniqueKeys(columns: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(columns);
  return columns.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n === 1) return name;
    let key = `${name}_${n}`;
    for (let k = n; taken.has(key); ) key = `${name}_${++k}`;
    taken.add(key);
    return key;
  });
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
    const { columns: head, rows } = await store.queryArrays(statement);
    if (opts.format === 'json' || opts.format === 'ndjson') {
      const keys = uniqueKeys(head);
      const objects = rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, r[i]])));
      if (opts.format === 'json') {
        await writeOut(io.stdout, `${JSON.stringify(objects, null, 2)}\n`);
      } else {
        for (const o of objects) await writeOut(io.stdout, `${JSON.stringify(o)}\n`);
      }
    } else {
      const body = rows.map((r) => head.map((_, i) => cell(r[i])));
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
