import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engagement } from '@engagekit/core';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import { pgliteStore } from '../src/pglite';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { startPostgres, type TestPostgres } from './support/postgres';
import { type BundledEntry, bundleEntry, type Child, spawnEntry } from './support/processes';
import { SANDBOX_NOW, SYNC_FROM, sandboxClient, sandboxData } from './support/sandbox';
import { storedEngagements } from './support/sync-suite';

const ENTRY = 'packages/sync/test/support/crash-entry.ts';
const MAX_KILLS = 2;

let server: TestPostgres;
let dir: string;
let entry: BundledEntry;
const children: Child[] = [];

beforeAll(async () => {
  [server, entry] = await Promise.all([startPostgres(), bundleEntry(ENTRY)]);
  dir = await mkdtemp(join(tmpdir(), 'engagekit-crash-'));
}, 120_000);
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await server?.stop();
  await entry?.remove();
  await rm(dir, { recursive: true, force: true });
});

/** A small seeded PRNG: the kill points differ per run of a scenario but the test is repeatable. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Runs the sync in a child, SIGKILLs it after a random number of committed batches (1..6) up to
 * MAX_KILLS times, then lets one run finish. Returns how many times it was killed.
 */
async function syncWithKills(
  db: string,
  sb: Sandbox,
  seed: number,
  expect: ExpectStatic,
): Promise<number> {
  const random = prng(seed);
  const env = {
    ENGAGEKIT_TEST_CRASH: JSON.stringify({
      db,
      adapterOptions: sb.adapterOptions,
      from: SYNC_FROM.toISOString(),
    }),
  };
  let kills = 0;
  while (true) {
    const child = spawnEntry(entry.file, env);
    children.push(child);
    if (kills >= MAX_KILLS) {
      await child.waitFor((e) => e.type === 'done');
      expect((await child.exited).code).toBe(0);
      return kills;
    }
    const at = 1 + Math.floor(random() * 6);
    const event = await child.waitFor(
      (e) => (e.type === 'batch' && Number(e.n) >= at) || e.type === 'done',
    );
    if (event.type === 'done') {
      expect((await child.exited).code).toBe(0);
      return kills;
    }
    child.proc.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    kills++;
  }
}

/** The sandbox of one case; with faults, every vendor fails some requests. */
function caseSandbox(faults: boolean): Promise<Sandbox> {
  return startSandbox({
    seed: 7,
    count: 60,
    days: 30,
    now: SANDBOX_NOW,
    // Truto's 503 means a blocked integrated account, which no client retries (vendor-apis.md
    // §3.6), so it would end a run rather than test recovery: Truto gets the retryable faults only.
    ...(faults
      ? {
          faults: {
            errorRate: 0.05,
            seed: 3,
            truto: {
              errorRate: 0,
              rate429: 0.0125,
              rate500: 0.0125,
              rate502: 0.0125,
              retryAfterSeconds: 1,
            },
          },
        }
      : {}),
  });
}

// The cases share nothing (a sandbox, a database and child processes each), so they run at once:
// most of a case is waiting for its children to start and open their database.
describe.concurrent('sync killed with SIGKILL at random points and restarted', () => {
  const cases: [kind: 'PGlite' | 'Postgres', faults: boolean][] = [
    ['PGlite', false],
    ['Postgres', false],
    ['PGlite', true],
    ['Postgres', true],
  ];
  it.for(cases)(
    'into %s (faults: %s): ends with the table equal to the sandbox data (ids and content)',
    { timeout: 300_000 },
    async ([kind, faults], { expect }) => {
      const sb = await caseSandbox(faults);
      let store: SyncStore | undefined;
      try {
        const name = `crash_${kind.toLowerCase()}_${faults ? 'faults' : 'clean'}`;
        const db = kind === 'PGlite' ? join(dir, name) : await server.createDatabase(name);
        const kills = await syncWithKills(db, sb, faults ? 11 : 5, expect);
        expect(kills).toBeGreaterThanOrEqual(1);

        // The faults case met failed requests (and the runs recovered from them); the clean one none.
        const failed = sb.log.entries().filter((e) => e.status >= 429).length;
        if (faults) expect(failed).toBeGreaterThan(0);
        else expect(failed).toBe(0);
        sb.faults.clear();
        const expected: Map<string, Engagement> = await sandboxData(
          sandboxClient(sb).adapters,
          SYNC_FROM,
        );
        store = kind === 'PGlite' ? pgliteStore(db) : postgresStore(db);
        const stored = await storedEngagements(store);
        expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [id, e] of expected) expect(stored.get(id), id).toEqual(e);
        const state = JSON.parse((await store.getCheckpoint('engagements')) ?? '{}');
        expect(state.phase).toBe('changes');
      } finally {
        await store?.close();
        await sb.close();
      }
    },
  );
});
