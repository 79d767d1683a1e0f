// Behaviour of the merged client left untested by the client mutation run
// (`reports/mutation/core/client/survivors.jsonl`): resuming between records that share a
// millisecond (both orders, with and without a range), what a cursor's fingerprint ignores and what
// it does not, caller input refused before any request, the provider filter of `changes()`, and the
// caller's abort. The fake providers cap their requests.
import { describe, expect, it } from 'vitest';
import { FakeVendor } from '../../../test-support/changes-fake';
import {
  createEngagementsClient,
  type EngagementAdapter,
  InputValidationError,
  type ListEngagementsParams,
  PaginationError,
} from '../src/index';
import { DAY, engagement, expectedIds, fakeProvider, T0 } from './client-fakes';
import { rejection } from './rejection';

const ids = (items: { id: string }[]) => items.map((e) => e.id);

describe('resuming between records that share a millisecond', () => {
  // Three records at T0 + 1 s (two of `a`, one of `b`) and one at T0 + 1 s + 1 ms: every cut
  // between them lands on a tie or next to one.
  const tie = T0 + 1_000;
  const aTimes = [T0, tie, tie, tie + 1, T0 + 2 * DAY];
  const bTimes = [tie, T0 + 500, tie + 1];
  const all = [
    ...aTimes.map((t, i) => engagement('a', `a-${i}`, t)),
    ...bTimes.map((t, i) => engagement('b', `b-${i}`, t)),
  ];
  const cases = [
    { name: 'a full range', params: { from: new Date(T0), to: new Date(T0 + 3 * DAY) } },
    { name: 'only from', params: { from: new Date(T0) } },
    { name: 'only to', params: { to: new Date(T0 + 3 * DAY) } },
    { name: 'no range', params: {} },
  ];

  for (const order of ['asc', 'desc'] as const) {
    for (const { name, params } of cases) {
      it(`${order}, ${name}: every cut resumes to exactly the rest, ties by id`, async () => {
        const a = fakeProvider('a', aTimes, {
          ordering: 'asc',
          serverTime: true,
          maxRequests: 200,
        });
        const b = fakeProvider('b', bTimes, {
          ordering: 'unordered',
          serverTime: true,
          maxRequests: 200,
        });
        const client = createEngagementsClient({ adapters: [a.adapter, b.adapter] });
        const expected = expectedIds(all, undefined, undefined, order);
        expect(expected.slice(0, 5)).toEqual(
          order === 'asc'
            ? ['a:a-0', 'b:b-1', 'a:a-1', 'a:a-2', 'b:b-0']
            : ['a:a-4', 'b:b-2', 'a:a-3', 'b:b-0', 'a:a-2'],
        );
        expect(ids(await client.engagements.list({ ...params, order }).toArray())).toEqual(
          expected,
        );
        for (let cut = 1; cut < expected.length; cut++) {
          const first = client.engagements.list({ ...params, order });
          const head = ids(await first.toArray({ max: cut }));
          const rest = ids(
            await client.engagements
              .list({ ...params, order, cursor: first.cursor as string })
              .toArray(),
          );
          expect([cut, ...head, '|', ...rest]).toEqual([
            cut,
            ...expected.slice(0, cut),
            '|',
            ...expected.slice(cut),
          ]);
        }
      });
    }
  }
});

describe("a cursor's fingerprint", () => {
  it('ignores the order of kinds and directions, not their values', async () => {
    const a = fakeProvider(
      'a',
      [0, 1, 2, 3, 4, 5].map((i) => T0 + i * 3_600_000),
      {
        ordering: 'asc',
        serverTime: true,
        maxRequests: 50,
      },
    );
    // A vendor whose every record matches the filters: the provider is asked without them.
    const inner = a.adapter.engagements.list;
    const adapter: EngagementAdapter = {
      ...a.adapter,
      engagements: {
        ...a.adapter.engagements,
        list: (p: ListEngagementsParams) =>
          inner({ ...p, kinds: undefined, directions: undefined }),
      },
    };
    const client = createEngagementsClient({ adapters: [adapter] });
    const base = { from: new Date(T0), to: new Date(T0 + DAY) };
    const first = client.engagements.list({
      ...base,
      kinds: ['email', 'call'],
      directions: ['outbound', 'inbound'],
    });
    expect(ids(await first.toArray({ max: 2 }))).toEqual(['a:a-0', 'a:a-1']);
    const cursor = first.cursor as string;
    // The same sets in another order: the same listing, resumed.
    const same = await client.engagements
      .list({ ...base, kinds: ['call', 'email'], directions: ['inbound', 'outbound'], cursor })
      .toArray();
    expect(ids(same)).toEqual(['a:a-2', 'a:a-3', 'a:a-4', 'a:a-5']);
    for (const other of [
      { kinds: ['call' as const], directions: ['outbound' as const, 'inbound' as const] },
      { kinds: ['email' as const, 'call' as const], directions: ['inbound' as const] },
      { kinds: ['email' as const, 'call' as const] },
      { directions: ['outbound' as const, 'inbound' as const] },
    ]) {
      const error = (await rejection(() =>
        client.engagements.list({ ...base, ...other, cursor }).toArray(),
      )) as PaginationError;
      expect(error).toBeInstanceOf(PaginationError);
      expect(error.reason).toBe('mismatched-cursor');
    }
  });
});

describe("a cursor's providers", () => {
  it('a cursor resumes with the same providers in any order or name, not with others', async () => {
    const make = (id: string) =>
      fakeProvider(id, [T0, T0 + 1, T0 + 2], { ordering: 'asc', maxRequests: 50 }).adapter;
    const b = { ...make('b'), aliases: ['bee'] };
    const client = createEngagementsClient({ adapters: [make('a'), b, make('c')] });
    const first = client.engagements.list({ providers: ['c', 'a'] });
    expect(ids(await first.toArray({ max: 2 }))).toEqual(['a:a-0', 'c:c-0']);
    const cursor = first.cursor as string;
    const rest = await client.engagements.list({ providers: ['a', 'c'], cursor }).toArray();
    expect(ids(rest)).toEqual(['a:a-1', 'c:c-1', 'a:a-2', 'c:c-2']);
    for (const providers of [['a'], ['a', 'b'], ['b', 'c'], undefined]) {
      const error = (await rejection(() =>
        client.engagements.list({ providers, cursor }).toArray(),
      )) as PaginationError;
      expect(error).toBeInstanceOf(PaginationError);
      expect(error.reason).toBe('mismatched-cursor');
    }
    // One provider under its alias is the same listing.
    const one = client.engagements.list({ providers: ['b'] });
    await one.toArray({ max: 1 });
    const byAlias = client.engagements.list({ providers: ['bee'], cursor: one.cursor as string });
    expect(ids(await byAlias.toArray())).toEqual(['b:b-1', 'b:b-2']);
    const other = client.engagements.list({ providers: ['c'], cursor: one.cursor as string });
    expect(((await rejection(() => other.toArray())) as PaginationError).reason).toBe(
      'mismatched-cursor',
    );
  });
});

describe('caller input refused before any request', () => {
  it('onInvalidRecord must be throw, skip or a function, even when failing providers are skipped', async () => {
    const a = fakeProvider('a', [T0], { ordering: 'asc', maxRequests: 5 });
    // Bad caller input is no provider's failure: it is refused before any provider is asked.
    const client = createEngagementsClient({ adapters: [a.adapter], onProviderError: 'skip' });
    for (const bad of [42, 'ignore', {}]) {
      const error = (await rejection(() =>
        client.engagements.list({ onInvalidRecord: bad as unknown as 'skip' }).toArray(),
      )) as InputValidationError;
      expect(error).toBeInstanceOf(InputValidationError);
      expect(error.issues.map((i) => i.path)).toEqual(['onInvalidRecord']);
    }
    expect(a.requests()).toBe(0);
    const skipped: string[] = [];
    const fn = (r: { remoteId?: string | undefined }) => void skipped.push(String(r.remoteId));
    expect(ids(await client.engagements.list({ onInvalidRecord: fn }).toArray())).toEqual([
      'a:a-0',
    ]);
  });

  it('get() of an id that is not a string is refused as a unified id', async () => {
    const a = fakeProvider('a', [T0], { ordering: 'asc', maxRequests: 5 });
    const client = createEngagementsClient({ adapters: [a.adapter] });
    for (const id of [42, null, undefined, ['a', ':x']]) {
      const error = (await rejection(() =>
        client.engagements.get(id as unknown as string),
      )) as InputValidationError;
      expect(error).toBeInstanceOf(InputValidationError);
      expect(error.issues.map((i) => [i.path, i.rule])).toEqual([['id', 'unified_id']]);
    }
  });

  it('a fresh listing has no failures before it is read', () => {
    const a = fakeProvider('a', [T0], { ordering: 'asc', maxRequests: 5 });
    const client = createEngagementsClient({ adapters: [a.adapter] });
    expect(client.engagements.list().failures).toEqual([]);
  });
});

describe('changes(): the providers filter', () => {
  it('reads only the named providers (by id or alias), each once', async () => {
    const a = new FakeVendor('a', 'modified');
    const b = new FakeVendor('b', 'modified');
    a.insert(T0);
    b.insert(T0);
    b.insert(T0 + 1);
    const bAdapter = { ...b.adapter(0), aliases: ['bee'] };
    const client = createEngagementsClient({ adapters: [a.adapter(0), bAdapter] });
    const since = new Date(T0 - 60_000);
    const only = await client.engagements.changes({ since, providers: ['bee', 'b'] }).toArray();
    expect(only.map((c) => c.id)).toEqual(['b:r00000', 'b:r00001']);
    expect(a.requests).toBe(0);
    const every = await client.engagements.changes({ since }).toArray();
    expect(every.map((c) => c.id)).toEqual(['a:r00000', 'b:r00000', 'b:r00001']);
  });
});
