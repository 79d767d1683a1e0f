import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEngagementsClient,
  type Engagement,
  type EngagementAdapter,
  type MergedListParams,
} from '@engagekit/core';
import { Command } from 'commander';
import { parseInteger, parsePositiveInt, sandboxNow, startCliSandbox } from '../context';
import { resolveAdapters } from '../credentials';
import { renderGrid, renderTable, widthOf } from '../format';
import type { CliIO } from '../io';
import { ListingStats } from '../stats';

const DAY = 86_400_000;
/** Adapters that cannot list in time order are fetched a window at a time (Zoom caps it at 27 days). */
const WINDOW_MS = 30 * DAY;

export interface DemoOptions {
  /** Sandbox data seed. @default 42 */
  seed?: number;
  /** Seeded records per vendor (over 180 days). @default 300 */
  count?: number;
  /** Rows of the first table. @default 10 */
  rows?: number;
  /** Where the resume step stops the first listing. @default 25 */
  stopAfter?: number;
}

export interface DemoResult {
  code: number;
  created: Engagement;
  total: number;
  byProvider: Record<string, number>;
  byProviderAndKind: Record<string, Record<string, number>>;
  checks: Array<{ name: string; ok: boolean }>;
  wallMs: number;
}

export function demoCommand(io: CliIO, done: (code: number) => void): Command {
  return new Command('demo')
    .description(
      'Start the sandbox, create a DevRev engagement, list 90 days across all three providers, resume from a saved cursor, stop',
    )
    .option('--seed <n>', 'sandbox data seed', '42')
    .option('--count <n>', 'seeded records per vendor (over 180 days)', '300')
    .option('--rows <n>', 'rows of the first table', '10')
    .option('--stop-after <n>', 'records before the resume step stops and saves its cursor', '25')
    .action(async (opts: { seed: string; count: string; rows: string; stopAfter: string }) => {
      const result = await runDemo(io, {
        seed: parseInteger(opts.seed, '--seed'),
        count: parsePositiveInt(opts.count, '--count'),
        rows: parsePositiveInt(opts.rows, '--rows'),
        stopAfter: parsePositiveInt(opts.stopAfter, '--stop-after'),
      });
      done(result.code);
    });
}

const keyCompare = (a: Engagement, b: Engagement) =>
  Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** `engagekit demo`: the tour of engagekit against the local sandbox. */
export async function runDemo(io: CliIO, options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const out = (s = '') => io.stdout.write(`${s}\n`);
  const rows = options.rows ?? 10;
  const stopAfter = options.stopAfter ?? 25;
  const seed = options.seed ?? 42;
  const count = options.count ?? 300;
  const checks: DemoResult['checks'] = [];
  const check = (name: string, ok: boolean) => {
    checks.push({ name, ok });
    out(`  ${ok ? '✓' : '✗'} ${name}`);
  };

  out('engagekit demo: one client over DevRev, Zoom Contact Center and Truto (local sandbox)');
  out();
  const sandbox = await startCliSandbox({ seed, count, days: 180 });
  let tmp: string | undefined;
  try {
    out(
      `Sandbox      ${sandbox.origin}  (seed ${seed}, ${count} records per vendor over 180 days)`,
    );
    const adapters = resolveAdapters({ providers: undefined, flags: {}, env: {}, sandbox });
    const ids = adapters.map((a) => a.id);
    const devrev = adapters.find((a) => a.id === 'devrev') as EngagementAdapter;
    const to = sandboxNow();
    const from = new Date(to.getTime() - 90 * DAY);
    const params: MergedListParams = { from, to, includeRaw: false, pageSize: 100 };

    // 1. Write: one engagement in DevRev, with a member taken from an existing engagement.
    const sample = await devrev.engagements.list({ pageSize: 1, includeRaw: false }).firstPage();
    const member = sample.items[0]?.participants.find((p) => p.id)?.id;
    const client = createEngagementsClient({ adapters, windowMs: WINDOW_MS });
    const created = await client.engagements.create('devrev', {
      kind: 'call',
      subject: 'engagekit demo: renewal call with Acme Corp',
      occurredAt: new Date(to.getTime() - 3_600_000),
      participantIds: member ? [member] : [],
    });
    out(
      `Created      ${created.id}  ${created.kind}  "${created.subject}"  at ${created.occurredAt}`,
    );
    out();

    // 2. Read: 90 days across the three providers, merged in occurredAt order.
    out(
      `Listing ${from.toISOString()} → ${to.toISOString()} (90 days) across ${ids.join(', ')}, merged by occurredAt`,
    );
    const stats = new ListingStats(ids);
    const merged = createEngagementsClient({
      adapters: adapters.map((a) => stats.instrument(a)),
      windowMs: WINDOW_MS,
    });
    const all: Engagement[] = [];
    for await (const e of merged.engagements.list(params)) {
      stats.emitted(e);
      all.push(e);
    }
    out(renderTable(all.slice(0, rows), widthOf(io.stdout)).trimEnd());
    out(`  … ${all.length - Math.min(rows, all.length)} more`);
    out();

    // 3. Summary per provider and kind.
    const byProviderAndKind: Record<string, Record<string, number>> = {};
    const byProvider: Record<string, number> = {};
    const kinds = new Set<string>();
    for (const e of all) {
      const row = byProviderAndKind[e.provider] ?? {};
      byProviderAndKind[e.provider] = row;
      row[e.kind] = (row[e.kind] ?? 0) + 1;
      byProvider[e.provider] = (byProvider[e.provider] ?? 0) + 1;
      kinds.add(e.kind);
    }
    const kindList = [...kinds].sort();
    out('Summary: records per provider and kind');
    out(
      renderGrid(
        ['provider', ...kindList, 'total'],
        [
          ...ids.map((p) => [
            p,
            ...kindList.map((k) => byProviderAndKind[p]?.[k] ?? 0),
            byProvider[p] ?? 0,
          ]),
          ['all', ...kindList.map((k) => all.filter((e) => e.kind === k).length), all.length],
        ],
      ).trimEnd(),
    );
    const fullStats = stats.summary();
    out(`Timing       ${fullStats}`);
    check(
      'every provider is present',
      ids.every((p) => (byProvider[p] ?? 0) > 0),
    );
    check(
      'merged in occurredAt order (ties by id)',
      all.every((e, i) => i === 0 || keyCompare(all[i - 1] as Engagement, e) <= 0),
    );
    check('no record twice', new Set(all.map((e) => e.id)).size === all.length);
    check(
      `the created engagement is listed (${created.id})`,
      all.some((e) => e.id === created.id),
    );
    check(
      "the listing crossed Zoom's one-month windows",
      all.some(
        (e) =>
          e.provider === 'zoom-contact-center' &&
          Date.parse(e.occurredAt) < to.getTime() - 31 * DAY,
      ) &&
        all.some(
          (e) =>
            e.provider === 'zoom-contact-center' &&
            Date.parse(e.occurredAt) >= to.getTime() - 31 * DAY,
        ),
    );
    out();

    // 4. Resume: stop after N records, save the cursor to a file, resume "tomorrow" from it.
    out(`Resume: stop after ${stopAfter} records, save the cursor, resume from the file`);
    const first = merged.engagements.list(params);
    const head: Engagement[] = [];
    for await (const e of first) {
      head.push(e);
      if (head.length >= stopAfter) break;
    }
    // A listing read to its end before --stop-after leaves a terminal cursor: it resumes to nothing.
    const finished = first.done;
    const cursor = first.cursor;
    if (cursor === undefined) throw new Error('the listing gave no cursor to resume from');
    tmp = await mkdtemp(join(tmpdir(), 'engagekit-demo-'));
    const file = join(tmp, 'cursor.txt');
    await writeFile(file, cursor);
    if (finished) {
      out(
        `  the listing ended after ${head.length} records, before ${stopAfter}: its cursor is terminal`,
      );
    }
    out(`  saved cursor (${cursor.length} chars, ${cursor.slice(0, 24)}…) to ${file}`);
    const saved = (await readFile(file, 'utf8')).trim();
    const resumeStats = new ListingStats(ids);
    const fresh = createEngagementsClient({
      adapters: adapters.map((a) => resumeStats.instrument(a)),
      windowMs: WINDOW_MS,
    });
    const rest: Engagement[] = [];
    for await (const e of fresh.engagements.list({ ...params, cursor: saved })) rest.push(e);
    const headIds = new Set(head.map((e) => e.id));
    const repeated = rest.filter((e) => headIds.has(e.id)).length;
    if (finished) {
      out(`  resumed: ${rest.length} more records`);
      check('the terminal cursor resumes to nothing', rest.length === 0);
    } else {
      out(`  resumed: ${rest.length} more records; the first ${Math.min(5, rest.length)}:`);
      out(renderTable(rest.slice(0, 5), widthOf(io.stdout)).trimEnd());
      check(
        `record ${stopAfter + 1} of the full listing is the first resumed one`,
        rest[0]?.id === all[stopAfter]?.id,
      );
    }
    check(`no record repeats across the resume (${repeated} repeated)`, repeated === 0);
    check(
      `${head.length} + ${rest.length} = ${all.length}: the resumed union is the full listing`,
      head.length + rest.length === all.length &&
        [...head, ...rest].every((e, i) => e.id === all[i]?.id),
    );
    out();

    const wallMs = performance.now() - started;
    const failed = checks.filter((c) => !c.ok).length;
    out(
      `Done in ${(wallMs / 1000).toFixed(2)} s: ${all.length} records listed, ${failed === 0 ? 'all checks passed' : `${failed} check(s) FAILED`}.`,
    );
    return {
      code: failed === 0 ? 0 : 1,
      created,
      total: all.length,
      byProvider,
      byProviderAndKind,
      checks,
      wallMs,
    };
  } finally {
    await sandbox.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
    out('Sandbox stopped.');
  }
}
