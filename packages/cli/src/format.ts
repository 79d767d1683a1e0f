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
  /**
   * Finishes the document (closes the JSON array…); only the first call writes. `failed`: the
   * listing broke off, so an empty table prints nothing instead of "(no engagements)".
   */
  end(state?: { failed: boolean }): Promise<void>;
}

/** How every list field (participants, channels) is joined in one csv or table cell. */
export const LIST_SEPARATOR = '; ';

// C0 and C1 controls, DEL, and the bidi overrides that can disguise text on a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Shows control characters from vendor data as visible escapes (`\x1b`, `\u202e`), so a record
 * or an error message cannot move the cursor, recolour or retitle the user's terminal.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

const oneLine = (s: string | undefined) => escapeControl((s ?? '').replace(/\s+/g, ' ').trim());

function who(e: Engagement): string {
  return e.participants
    .map((p) => p.displayName ?? p.email ?? p.phone ?? p.id)
    .filter(Boolean)
    .join(LIST_SEPARATOR);
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
    channels: (e.channels ?? []).join(LIST_SEPARATOR),
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
  /** Dropped first when the terminal is narrow (higher = dropped earlier; 0 = never). */
  drop: number;
}

const cell = (text: string | undefined) => oneLine(text);

const ID_COLUMN: TableColumn = { head: 'id', value: (e) => cell(e.id), width: 0, drop: 0 };

const TABLE_COLUMNS: TableColumn[] = [
  { head: 'occurredAt', value: (e) => e.occurredAt, width: 24, drop: 0 },
  { head: 'provider', value: (e) => cell(e.provider), width: 19, drop: 1 },
  { head: 'kind', value: (e) => e.kind, width: 7, drop: 0 },
  { head: 'dir', value: (e) => e.direction ?? '', width: 8, drop: 4 },
  { head: 'subject', value: (e) => oneLine(e.subject), width: 10, flex: 3, drop: 0 },
  { head: 'participants', value: (e) => oneLine(who(e)), width: 10, flex: 2, drop: 3 },
];

/**
 * Picks columns and widths so the table fits `columns` characters. The id column always shows
 * whole ids (`idWidth` = the longest); the other columns share what is left, and are dropped or
 * shortened to fit.
 */
export function layoutTable(
  columns: number,
  idWidth = 12,
): { cols: TableColumn[]; widths: number[] } {
  const id = { ...ID_COLUMN, width: Math.max(2, idWidth) };
  const total = Math.max(40, columns);
  let cols = [...TABLE_COLUMNS];
  // Each column costs its content + 2 padding + 1 border; plus the final border.
  const cost = (cs: TableColumn[]) => cs.reduce((n, c) => n + c.width + 3, 1) + id.width + 3;
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
  return { cols: [...cols, id], widths: [...widths, id.width + 2] };
}

/**
 * Renders engagements as a table for a terminal `columns` wide: ids whole, other long cells cut
 * with '…'. (Only ids longer than the terminal can make a line wider than it.)
 */
export function renderTable(items: readonly Engagement[], columns: number): string {
  const idWidth = items.reduce((n, e) => Math.max(n, [...cell(e.id)].length), 2);
  const { cols, widths } = layoutTable(columns, idWidth);
  const table = new Table({
    head: cols.map((c) => c.head),
    colWidths: widths,
    wordWrap: false,
    style: { head: [], border: [] },
  });
  for (const e of items) table.push(cols.map((c) => c.value(e)));
  return `${table.toString()}\n`;
}

/** The columns of plain (non-terminal) table output, in order. */
export const PLAIN_COLUMNS = [
  'id',
  'provider',
  'kind',
  'direction',
  'occurredAt',
  'subject',
  'participants',
] as const;

/**
 * One engagement as a line of tab-separated cells, nothing cut (the table format when stdout is
 * not a terminal, like `gh`): ready for `cut -f1`, `grep`, `awk -F'\t'`.
 */
export function plainRow(e: Engagement): string {
  const flat = flatten(e);
  return `${PLAIN_COLUMNS.map((c) => escapeControl(flat[c].replace(/\s+/g, ' ').trim())).join('\t')}\n`;
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

/** Writers finish once: `end` may be called again on the way out and does nothing then. */
function endOnce(finish: (failed: boolean) => Promise<void>): RecordWriter['end'] {
  let ended = false;
  return async (state) => {
    if (ended) return;
    ended = true;
    await finish(state?.failed ?? false);
  };
}

const csvOptions = (header: boolean) => ({
  header,
  columns: [...CSV_COLUMNS],
  // A cell starting with = + - @ is a formula to spreadsheets: csv-stringify prefixes it with '.
  escape_formulas: true,
});

export function createWriter(format: Format, out: CliStream): RecordWriter {
  switch (format) {
    case 'ndjson':
      return {
        write: (e) => writeOut(out, `${JSON.stringify(e)}\n`),
        end: endOnce(async () => {}),
      };
    case 'json': {
      let first = true;
      return {
        async write(e) {
          await writeOut(out, `${first ? '[\n' : ',\n'}${JSON.stringify(e)}`);
          first = false;
        },
        end: endOnce(() => writeOut(out, first ? '[]\n' : '\n]\n')),
      };
    }
    case 'csv': {
      let first = true;
      return {
        async write(e) {
          await writeOut(out, stringify([flatten(e)], csvOptions(first)));
          first = false;
        },
        end: endOnce(async () => {
          if (first) await writeOut(out, stringify([], csvOptions(true)));
        }),
      };
    }
    case 'table': {
      if (!out.isTTY) {
        return { write: (e) => writeOut(out, plainRow(e)), end: endOnce(async () => {}) };
      }
      const rows: Engagement[] = [];
      return {
        write: async (e) => {
          rows.push(e);
        },
        end: endOnce(async (failed) => {
          if (rows.length > 0) await writeOut(out, renderTable(rows, widthOf(out)));
          else if (!failed) await writeOut(out, '(no engagements)\n');
        }),
      };
    }
  }
}
