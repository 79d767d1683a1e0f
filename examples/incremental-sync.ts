/**
 * Incremental sync: "everything new since my last run", with a persisted high-water mark.
 *
 * engagekit filters on `occurredAt`, the one time every vendor can filter by; what "updated" can
 * mean differs per vendor, so be precise about what this catches:
 * - DevRev: occurredAt is scheduled_date (else created_date). DevRev can also filter on
 *   `modified_date`, which catches edits to old engagements; that is not a unified filter.
 * - Zoom Contact Center: occurredAt is the start time; Zoom filters only on start/end time ranges.
 *   A finished engagement does not change, but it appears only once Zoom has recorded it.
 * - Truto: occurredAt is start_time (else created_at) of the connected CRM; some CRMs also filter
 *   on `updated_at`, per integration.
 * So this syncs new engagements, and re-reads a LOOKBACK window behind the mark to catch records
 * that arrive late (logged after the fact, or recorded late by the vendor), skipping ids already
 * seen. Edits to engagements older than the lookback need a full re-sync or a vendor-specific pass.
 * Run: npx tsx examples/incremental-sync.ts
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngagementsClient, type Engagement, type EngagementsClient } from '@engagekit/core';
import {
  DAY,
  type ExampleOptions,
  isMain,
  SANDBOX_NOW,
  sandboxAdapters,
  withSandbox,
} from './lib/sandbox';

const LOOKBACK_MS = DAY;

interface SyncState {
  /** Greatest occurredAt synced so far. */
  highWaterMark: string;
  /** Ids synced with occurredAt inside the lookback window behind the mark. */
  recentIds: string[];
}

/** One sync run: everything since the mark (minus the lookback), then a new mark. */
export async function syncOnce(client: EngagementsClient, stateFile: string, now: Date) {
  const state: SyncState | undefined = await readFile(stateFile, 'utf8')
    .then((s) => JSON.parse(s) as SyncState)
    .catch(() => undefined);
  const mark = state ? Date.parse(state.highWaterMark) : now.getTime() - 30 * DAY; // first run: 30 days
  const seen = new Set(state?.recentIds ?? []);
  const fresh: Engagement[] = [];
  const listed = new Map<string, number>(); // every id read this run → its occurredAt
  let high = mark;
  for await (const e of client.engagements.list({ from: new Date(mark - LOOKBACK_MS), to: now })) {
    const t = Date.parse(e.occurredAt);
    listed.set(e.id, t);
    high = Math.max(high, t);
    if (!seen.has(e.id)) fresh.push(e); // ← write it to your warehouse / CRM here
  }
  // The next run re-reads [mark - LOOKBACK, …): remember exactly the ids it will see again.
  const recentIds = [...listed].filter(([, t]) => t >= high - LOOKBACK_MS).map(([id]) => id);
  const next: SyncState = { highWaterMark: new Date(high).toISOString(), recentIds };
  await writeFile(stateFile, JSON.stringify(next));
  return { fresh, state: next };
}

export async function main({ sandbox, log = console.log }: ExampleOptions = {}) {
  return withSandbox(sandbox, async (sb) => {
    const { devrev, zoom, truto } = sandboxAdapters(sb);
    const client = createEngagementsClient({ adapters: [devrev, zoom, truto] });
    const stateFile = join(await mkdtemp(join(tmpdir(), 'engagekit-sync-')), 'state.json');
    const now = SANDBOX_NOW;

    const first = await syncOnce(client, stateFile, now);
    log(`run 1: ${first.fresh.length} engagements, mark ${first.state.highWaterMark}`);

    // Meanwhile: a call is logged late (it happened before the mark), and a new one happens.
    const member = first.fresh.find((e) => e.provider === 'devrev')?.participants[0]?.id ?? '';
    const mark = Date.parse(first.state.highWaterMark);
    const late = await devrev.engagements.create({
      kind: 'call',
      subject: 'Logged late',
      occurredAt: new Date(mark - 3_600_000),
      participantIds: [member],
    });
    const recent = await devrev.engagements.create({
      kind: 'call',
      subject: 'Just happened',
      occurredAt: new Date(now.getTime() + 60_000),
      participantIds: [member],
    });

    const later = new Date(now.getTime() + 5 * 60_000);
    const second = await syncOnce(client, stateFile, later);
    log(`run 2: ${second.fresh.map((e) => `${e.id} "${e.subject}"`).join(', ')}`);
    const third = await syncOnce(client, stateFile, later);
    log(`run 3: ${third.fresh.length} new`);
    return {
      first: first.fresh,
      second: second.fresh,
      third: third.fresh,
      created: [late, recent],
    };
  });
}

if (isMain(import.meta.url)) await main();
