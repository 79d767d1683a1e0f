import type { Engagement } from '@engagekit/core';
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import { type CliStream, UsageError, writeOut } from './io';

export const FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${value}"`);
}

/** Streams engagements to stdout in one format. */
export interface RecordWriter {
  write(e: Engagement): Promise<void>;
  end(): Promise<void>;
}

const oneLine = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

function who(e: Engagement): string {
  return e.participants
    .map((p) => p.displayName ?? p.email ?? p.phone ?? p.id)
    .filter(Boolean)
    .join(', ');
}

/** The flat view used by csv (every column) and table (the first few). */
export const CSV_COLUMNS = [
  'id',
  'provider',
  'remoteId',
  'kind',
  'nativeType',
  'direction',
  'occurredAt',
  'durationSeconds',
  'status',
  'subject',
  'participants',
  'channels',
  'externalUrl',
] as const;

export function flatten(e: Engagement): Record<(typeof CSV_COLUMNS)[number], string> {
  return {
    id: e.id,
    provider: e.provider,
    remoteId: e.remoteId,
    kind: e.kind,
    nativeType: e.nativeType ?? '',
    direction: e.direction ?? '',
    occurredAt: e.occurredAt,
    durationSeconds: e.durationSeconds === undefined ? '' : String(e.durationSeconds),
    status: e.status ?? '',
    subject: oneLine(e.subject),
    participants: who(e),
    channels: (e.channels ?? []).join(' '),
    externalUrl: e.externalUrl ?? '',
  };
}

interface TableColumn {
  head: string;
  value: (e: Engagement) => string;
  /** Content width wanted (fixed columns) or minimum (flex columns). */
  width: number;
  /** Share of the spare width (flex columns only). */
  flex?: number;
  /** Dropped first when the terminal is narrow (higher = dropped earlier). */
  drop: number;
}

const TABLE_COLUMNS: TableColumn[] = [
  { head: 'occurredAt', value: (e) => e.occurredAt, width: 24, drop: 0 },
  { head: 'provider', value: (e) => e.provider, width: 19, drop: 1 },
  { head: 'kind', value: (e) => e.kind, width: 7, drop: 0 },
  { head: 'dir', value: (e) => e.direction ?? '', width: 8, drop: 4 },
  { head: 'subject', value: (e) => oneLine(e.subject), width: 10, flex: 3, drop: 0 },
  { head: 'participants', value: who, width: 10, flex: 2, drop: 3 },
  { head: 'id', value: (e) => e.id, width: 12, flex: 2, drop: 2 },
];

/** Picks columns and widths so the table fits `columns` characters. */
export function layoutTable(columns: number): { cols: TableColumn[]; widths: number[] } {
  const total = Math.max(40, columns);
  let cols = [...TABLE_COLUMNS];
  // Each column costs its content + 2 padding + 1 border; plus the final border.
  const cost = (cs: TableColumn[]) => cs.reduce((n, c) => n + c.width + 3, 1);
  while (cost(cols) > total) {
    const victim = [...cols].sort((a, b) => b.drop - a.drop)[0];
    if (!victim || victim.drop === 0) break;
    cols = cols.filter((c) => c !== victim);
  }
  const spare = Math.max(0, total - cost(cols));
  const flexSum = cols.reduce((n, c) => n + (c.flex ?? 0), 0);
  const widths = cols.map((c) => {
    const extra = c.flex && flexSum ? Math.floor((spare * c.flex) / flexSum) : 0;
    return c.width + extra + 2;
  });
  return { cols, widths };
}

/** Renders engagements as a table no wider than `columns`; long cells end in '…'. */
export function renderTable(items: readonly Engagement[], columns: number): string {
  const { cols, widths } = layoutTable(columns);
  const table = new Table({
    head: cols.map((c) => c.head),
    colWidths: widths,
    wordWrap: false,
    style: { head: [], border: [] },
  });
  for (const e of items) table.push(cols.map((c) => c.value(e)));
  return `${table.toString()}\n`;
}

/** Renders rows of plain cells (summaries) with cli-table3. */
export function renderGrid(head: string[], rows: Array<Array<string | number>>): string {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) table.push(r.map(String));
  return `${table.toString()}\n`;
}

/** Width of the terminal, or 120 when stdout is not one. */
export const widthOf = (stream: CliStream) =>
  stream.columns && stream.columns > 0 ? stream.columns : 120;

export function createWriter(format: Format, out: CliStream): RecordWriter {
  switch (format) {
    case 'ndjson':
      return {
        write: (e) => writeOut(out, `${JSON.stringify(e)}\n`),
        end: async () => {},
      };
    case 'json': {
      let first = true;
      return {
        async write(e) {
          await writeOut(out, `${first ? '[\n' : ',\n'}${JSON.stringify(e)}`);
          first = false;
        },
        end: () => writeOut(out, first ? '[]\n' : '\n]\n'),
      };
    }
    case 'csv': {
      let first = true;
      return {
        async write(e) {
          await writeOut(
            out,
            stringify([flatten(e)], { header: first, columns: [...CSV_COLUMNS] }),
          );
          first = false;
        },
        end: async () => {
          if (first)
            await writeOut(out, stringify([], { header: true, columns: [...CSV_COLUMNS] }));
        },
      };
    }
    case 'table': {
      const rows: Engagement[] = [];
      return {
        write: async (e) => {
          rows.push(e);
        },
        end: () =>
          writeOut(out, rows.length ? renderTable(rows, widthOf(out)) : '(no engagements)\n'),
      };
    }
  }
}
