import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeVendor, T0 } from '../../../test-support/changes-fake';
import {
  AbortError,
  CapabilityError,
  createEngagementsClient,
  type EngagementChange,
  InputValidationError,
} from '../src/index';

const MIN = 60_000;

type Op =
  | { kind: 'insert'; back: number }
  | { kind: 'edit'; pick: number }
  | { kind: 'delete'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), back: fc.integer({ min: 0, max: 30 * MIN }) }),
  fc.record({ kind: fc.constant('edit' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
);

function apply(vendor: FakeVendor, op: Op): void {
  const ids = [...vendor.records.keys()];
  if (op.kind === 'insert') vendor.insert(vendor.clock - op.back);
  else if (ids.length > 0) {
    const id = ids[op.pick % ids.length] as string;
    if (op.kind === 'edit') vendor.edit(id);
    else vendor.delete(id);
  }
}

/** A consumer that keeps the latest version of each engagement and the checkpoint after each change. */
class Consumer {
  readonly versions = new Map<string, string>();
  readonly deliveries: string[] = [];
  checkpoint: string;
  constructor(since: Date) {
    this.checkpoint = since.toISOString();
  }
  take(change: EngagementChange, checkpoint: string): void {
    this.versions.set(change.id, change.engagement?.subject ?? '');
    this.deliveries.push(`${change.id}@${change.engagement?.subject}@${change.changedAt}`);
    this.checkpoint = checkpoint;
  }
}

describe('change feed engine: a property over runs stopped anywhere', () => {
  for (const mode of ['modified', 'window'] as const) {
    it(`${mode} mode: no change lost, none delivered twice, across stops, resumes and edits during runs`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(opArb, { maxLength: 6 }), { minLength: 1, maxLength: 5 }),
          fc.array(
            fc.record({
              stopAfter: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
              during: fc.array(opArb, { maxLength: 4 }),
            }),
            { minLength: 1, maxLength: 5 },
          ),
          fc.integer({ min: 1, max: 4 }),
          async (between, runs, pageSize) => {
            const vendor = new FakeVendor('fake', mode);
            for (let i = 0; i < 6; i++) vendor.insert(vendor.clock - i * MIN);
            const since = new Date(T0 - 60 * MIN);
            // Window mode only promises edits within the lookback: a lookback longer than the test.
            const adapter = vendor.adapter(mode === 'window' ? 24 * 60 * MIN : 5 * MIN, {
              pageSize,
            });
            const consumer = new Consumer(since);
            for (let r = 0; r < runs.length; r++) {
              for (const op of between[r % between.length] ?? []) apply(vendor, op);
              const run = runs[r] as (typeof runs)[number];
              const during = [...run.during];
              vendor.beforePage = () => {
                const op = during.shift();
                if (op) apply(vendor, op);
              };
              const feed = adapter.engagements.changes({ since: consumer.checkpoint });
              let taken = 0;
              for await (const change of feed) {
                consumer.take(change, feed.checkpoint);
                if (run.stopAfter !== undefined && ++taken >= run.stopAfter) break;
              }
              if (run.stopAfter === undefined) consumer.checkpoint = feed.checkpoint;
              vendor.beforePage = undefined;
              vendor.tick(7_000);
            }
            // The run in progress is finished, then one more run starts with the vendor at rest:
            // changes made during a run are promised by the next run, not by that one.
            const tail = adapter.engagements.changes({ since: consumer.checkpoint });
            for await (const change of tail) consumer.take(change, tail.checkpoint);
            expect(tail.done).toBe(true);
            vendor.tick(7_000);
            const last = adapter.engagements.changes({ since: tail.checkpoint });
            for await (const change of last) consumer.take(change, last.checkpoint);
            expect(last.done).toBe(true);
            for (const record of vendor.records.values()) {
              expect(consumer.versions.get(`fake:${record.id}`)).toBe(
                `${record.id} v${record.version}`,
              );
            }
            const twice = consumer.deliveries.filter(
              (d, i) => consumer.deliveries.indexOf(d) !== i,
            );
            expect(twice).toEqual([]);
            // A run right after a complete one, with nothing changed, delivers nothing.
            const idle = adapter.engagements.changes({ since: last.checkpoint });
            expect(await idle.toArray()).toEqual([]);
          },
        ),
        { numRuns: 60 },
      );
    }, 120_000);
  }
});

describe('change feed engine: behaviour', () => {
  it('reads from the previous run start minus the lookback and skips what it already delivered', async () => {
    const vendor = new FakeVendor('fake', 'window');
    const a = vendor.insert(T0 - 10 * MIN);
    const b = vendor.insert(T0 - 2 * MIN);
    const adapter = vendor.adapter(30 * MIN);
    const first = adapter.engagements.changes({ since: new Date(T0 - 60 * MIN) });
    expect((await first.toArray()).map((c) => c.remoteId)).toEqual([a.id, b.id]);
    vendor.tick(5 * MIN);
    vendor.edit(b.id);
    const second = adapter.engagements.changes({ since: first.checkpoint });
    const changes = await second.toArray();
    expect(changes.map((c) => [c.remoteId, c.engagement?.subject, c.type, c.source])).toEqual([
      [b.id, `${b.id} v1`, 'upsert', 'feed'],
    ]);
    expect(changes[0]?.changedAt).toBe(
      new Date(vendor.records.get(b.id)?.modifiedMs ?? 0).toISOString(),
    );
  });

  it('window mode misses an edit to an engagement that started before the lookback (the documented limit)', async () => {
    const vendor = new FakeVendor('fake', 'window');
    const old = vendor.insert(T0 - 50 * MIN);
    const adapter = vendor.adapter(30 * MIN);
    const first = adapter.engagements.changes({ since: new Date(T0 - 60 * MIN) });
    expect(await first.toArray()).toHaveLength(1);
    vendor.tick(MIN);
    vendor.edit(old.id);
    expect(await adapter.engagements.changes({ since: first.checkpoint }).toArray()).toEqual([]);
  });

  it('modified mode finds an edit to an engagement of any age', async () => {
    const vendor = new FakeVendor('fake', 'modified');
    const old = vendor.insert(T0 - 90 * 24 * 60 * MIN);
    const adapter = vendor.adapter(5 * MIN);
    const first = adapter.engagements.changes({ since: new Date(T0 - MIN) });
    expect((await first.toArray()).map((c) => c.remoteId)).toEqual([old.id]);
    vendor.tick(10 * MIN);
    vendor.edit(old.id);
    const second = await adapter.engagements.changes({ since: first.checkpoint }).toArray();
    expect(second.map((c) => c.engagement?.subject)).toEqual([`${old.id} v1`]);
  });

  it('a checkpoint taken mid-run resumes after the last change, with the same run start', async () => {
    const vendor = new FakeVendor('fake', 'modified');
    for (let i = 0; i < 7; i++) vendor.insert(T0 - i * MIN);
    const adapter = vendor.adapter(0, { pageSize: 2 });
    const feed = adapter.engagements.changes({ since: new Date(T0 - 60 * MIN) });
    const firstPart = await feed.toArray({ max: 3 });
    expect(feed.done).toBe(false);
    const rest = adapter.engagements.changes({ since: feed.checkpoint });
    const secondPart = await rest.toArray();
    expect([...firstPart, ...secondPart].map((c) => c.remoteId)).toEqual([
      'r00000',
      'r00001',
      'r00002',
      'r00003',
      'r00004',
      'r00005',
      'r00006',
    ]);
    expect(rest.done).toBe(true);
  });

  it('remembers at most maxRemembered engagements; beyond that it delivers again, never loses', async () => {
    const vendor = new FakeVendor('fake', 'window');
    for (let i = 0; i < 5; i++) vendor.insert(T0 - i * MIN);
    const adapter = vendor.adapter(60 * MIN, { maxRemembered: 2 });
    const first = adapter.engagements.changes({ since: new Date(T0 - 60 * MIN) });
    expect(await first.toArray()).toHaveLength(5);
    const again = await adapter.engagements.changes({ since: first.checkpoint }).toArray();
    expect(again).toHaveLength(3);
  });

  it('refuses bad params and bad checkpoints with InputValidationError naming the field and rule', async () => {
    const vendor = new FakeVendor('fake', 'modified');
    const adapter = vendor.adapter(0);
    const issue = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        const first = (error as InputValidationError).issues[0];
        return `${first?.path}:${first?.rule}`;
      }
      throw new Error('did not throw');
    };
    expect(issue(() => adapter.engagements.changes({ since: 'yesterday' }))).toBe(
      'since:invalid_date',
    );
    const good = adapter.engagements.changes({ since: new Date(T0) }).checkpoint;
    expect(good.startsWith('ekc1.')).toBe(true);
    const parts = good.split('.');
    parts[1] = Buffer.from('{"p":"fake","m":"modified","h":0}').toString('base64url');
    expect(issue(() => adapter.engagements.changes({ since: parts.join('.') }))).toBe(
      'since:checkpoint_checksum',
    );
    expect(
      issue(() => adapter.engagements.changes({ since: good.replace('ekc1.', 'ekc9.') })),
    ).toBe('since:checkpoint_version');
    const other = new FakeVendor('other', 'modified').adapter(0);
    expect(issue(() => other.engagements.changes({ since: good }))).toBe(
      'since:checkpoint_provider',
    );
    const windowed = new FakeVendor('fake', 'window').adapter(0);
    expect(issue(() => windowed.engagements.changes({ since: good }))).toBe(
      'since:checkpoint_mode',
    );
    expect(issue(() => adapter.engagements.changes({ since: good, kinds: ['call'] }))).toBe(
      'kinds:checkpoint_kinds',
    );
    expect(issue(() => adapter.engagements.changes({ since: good, pageSize: 0 } as never))).toBe(
      'pageSize:too_small',
    );
    expect(vendor.requests).toBe(0);
  });

  it('kinds are kept in the checkpoint and passed to the listing', async () => {
    const vendor = new FakeVendor('fake', 'modified');
    vendor.insert(T0, 'call');
    vendor.insert(T0, 'email');
    const adapter = vendor.adapter(0);
    const feed = adapter.engagements.changes({ since: new Date(T0 - MIN), kinds: ['email'] });
    expect((await feed.toArray()).map((c) => c.engagement?.kind)).toEqual(['email']);
    vendor.tick(MIN);
    vendor.insert(T0, 'email');
    const next = adapter.engagements.changes({ since: feed.checkpoint, kinds: ['email'] });
    expect((await next.toArray()).map((c) => c.remoteId)).toEqual(['r00002']);
  });
});

describe('aborting a change feed', () => {
  it('stops at once, even mid-page, and the checkpoint resumes at the first change not delivered', async () => {
    const vendor = new FakeVendor('fake', 'modified');
    for (let i = 0; i < 6; i++) vendor.insert(T0 - i * MIN);
    const adapter = vendor.adapter(0, { pageSize: 6 });
    const controller = new AbortController();
    const feed = adapter.engagements.changes({
      since: new Date(T0 - MIN),
      signal: controller.signal,
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const change of feed) {
          seen.push(change.remoteId);
          if (seen.length === 2) controller.abort();
        }
      })(),
    ).rejects.toBeInstanceOf(AbortError);
    expect(seen).toEqual(['r00000', 'r00001']);
    const rest = await adapter.engagements.changes({ since: feed.checkpoint }).toArray();
    expect(rest.map((c) => c.remoteId)).toEqual(['r00002', 'r00003', 'r00004', 'r00005']);
  });

  it("ends a merged feed with AbortError even under onProviderError 'skip' (no provider failed)", async () => {
    const a = new FakeVendor('a', 'modified');
    const b = new FakeVendor('b', 'modified');
    a.insert(T0);
    a.insert(T0);
    b.insert(T0);
    const client = createEngagementsClient({
      adapters: [a.adapter(0, { pageSize: 5 }), b.adapter(0)],
      onProviderError: 'skip',
    });
    const controller = new AbortController();
    const feed = client.engagements.changes({
      since: new Date(T0 - MIN),
      signal: controller.signal,
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const change of feed) {
          seen.push(change.id);
          controller.abort();
        }
      })(),
    ).rejects.toBeInstanceOf(AbortError);
    expect(seen).toEqual(['a:r00000']);
    expect(feed.failures).toEqual([]);
    const rest = await client.engagements.changes({ since: feed.checkpoint }).toArray();
    expect(rest.map((c) => c.id)).toEqual(['a:r00001', 'b:r00000']);
  });
});

describe('merged change feed', () => {
  it('reads every provider with one composite checkpoint and resumes each where it stopped', async () => {
    const a = new FakeVendor('a', 'modified');
    const b = new FakeVendor('b', 'window');
    for (let i = 0; i < 3; i++) {
      a.insert(T0 - i * MIN);
      b.insert(T0 - i * MIN);
    }
    const client = createEngagementsClient({ adapters: [a.adapter(0), b.adapter(60 * MIN)] });
    const feed = client.engagements.changes({ since: new Date(T0 - 60 * MIN) });
    const part = await feed.toArray({ max: 4 });
    expect(part.map((c) => c.id)).toEqual(['a:r00000', 'a:r00001', 'a:r00002', 'b:r00002']);
    expect(feed.checkpoint.startsWith('ekm1.')).toBe(true);
    const rest = client.engagements.changes({ since: feed.checkpoint });
    expect((await rest.toArray()).map((c) => c.id)).toEqual(['b:r00001', 'b:r00000']);
    expect(rest.done).toBe(true);
    a.tick(MIN);
    a.edit('r00001');
    const next = await client.engagements.changes({ since: rest.checkpoint }).toArray();
    expect(next.map((c) => `${c.id}@${c.engagement?.subject}`)).toEqual(['a:r00001@r00001 v1']);
  });

  it("a failing provider with onProviderError 'skip' keeps its checkpoint; the next run delivers what it missed", async () => {
    const a = new FakeVendor('a', 'modified', 1);
    const b = new FakeVendor('b', 'modified');
    a.insert(T0);
    b.insert(T0);
    const client = createEngagementsClient({
      adapters: [a.adapter(0), b.adapter(0)],
      onProviderError: 'skip',
    });
    const feed = client.engagements.changes({ since: new Date(T0 - MIN) });
    a.requests = 1; // the next request exceeds the fake's cap and fails
    expect((await feed.toArray()).map((c) => c.id)).toEqual(['b:r00000']);
    expect(feed.failures.map((f) => f.provider)).toEqual(['a']);
    expect(feed.done).toBe(false);
    a.requests = 0;
    const next = await client.engagements.changes({ since: feed.checkpoint }).toArray();
    expect(next.map((c) => c.id)).toEqual(['a:r00000']);
  });

  it("fails with the provider's error by default, and refuses an adapter without a change feed", async () => {
    const a = new FakeVendor('a', 'modified', 0);
    const client = createEngagementsClient({ adapters: [a.adapter(0)] });
    await expect(client.engagements.changes({ since: new Date(T0) }).toArray()).rejects.toThrow(
      'fake vendor: too many requests',
    );
    const plain = a.adapter(0);
    const noFeed = { ...plain, capabilities: { ...plain.capabilities, changes: undefined } };
    const other = createEngagementsClient({ adapters: [noFeed] });
    expect(() => other.engagements.changes({ since: new Date(T0) })).toThrow(CapabilityError);
  });
});
