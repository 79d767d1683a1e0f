import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  type AdapterCapabilities,
  type AdapterDefinition,
  defineAdapter,
  matchesFilters,
  type NormalizedListParams,
  normalizeListParams,
  toRemoteId,
} from '../src/adapter';
import { CapabilityError, InputValidationError } from '../src/errors';
import type { Engagement } from '../src/model';
import { PageIterator, paginate } from '../src/pagination';

const caps: AdapterCapabilities = {
  operations: { list: true, get: true, create: true, update: false, delete: false, count: false },
  filters: { from: 'server', to: 'server', kinds: 'client', participantIds: 'client' },
  maxPageSize: 100,
  defaultPageSize: 50,
  backwardsPaging: false,
  ordering: 'asc',
  createKinds: ['call', 'note'],
};

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputValidationError);
    return (e as InputValidationError).issues.map((i) => `${i.path}:${i.rule}`);
  }
  throw new Error('expected an InputValidationError');
}

const eng = (over: Partial<Engagement> = {}): Engagement => ({
  id: 'acme:1',
  provider: 'acme',
  remoteId: '1',
  kind: 'call',
  occurredAt: '2026-11-01T10:00:00.000Z',
  participants: [],
  related: [],
  notes: [],
  dispositions: [],
  tags: [],
  ...over,
});

describe('normalizeListParams', () => {
  it('applies defaults and converts dates', () => {
    const p = normalizeListParams('acme', caps, {
      from: '2026-11-01T00:00:00+01:00',
      to: new Date('2026-12-01T00:00:00Z'),
    });
    expect(p.from?.toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(p.to?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(p.pageSize).toBe(50);
    expect(p.includeRaw).toBe(true);
    expect(p.prefetch).toBe(false);
    expect(p.native).toEqual({});
    expect(p.clientFilter).toBeUndefined();
    expect(normalizeListParams('acme', caps).from).toBeUndefined();
  });

  it('reads zone-less ISO strings as UTC, never machine-local time', () => {
    expect(
      normalizeListParams('acme', caps, { from: '2026-11-01T10:00:00' }).from?.toISOString(),
    ).toBe('2026-11-01T10:00:00.000Z');
  });

  it.each([
    [{ from: 'not a date' }, 'from:invalid_date'],
    [{ from: '1' }, 'from:invalid_date'],
    [{ to: new Date('nope') }, 'to:invalid_date'],
    [{ from: '2026-12-01', to: '2026-11-01' }, 'to:range_order'],
    [{ from: '2026-11-01', to: '2026-11-01' }, 'to:range_order'],
    [{ kinds: ['fax'] }, 'kinds.0:invalid_value'],
    [{ kinds: [] }, 'kinds:too_small'],
    [{ pageSize: 101 }, 'pageSize:too_big'],
    [{ pageSize: 0 }, 'pageSize:too_small'],
    [{ pageSize: 1.5 }, 'pageSize:invalid_type'],
    [{ participantIds: [''] }, 'participantIds.0:too_small'],
    [{ bogus: 1 }, 'bogus:unknown_key'],
    [{ kind: ['call'] }, 'kind:unknown_key'],
    [{ cursor: '' }, 'cursor:too_small'],
  ])('%o → InputValidationError naming %s', (params, expected) => {
    const issues = issuesOf(() =>
      normalizeListParams('acme', caps, params as Parameters<typeof normalizeListParams>[2]),
    );
    expect(issues).toContain(expected);
  });

  it('a filter absent from the capabilities is a CapabilityError', () => {
    try {
      normalizeListParams('acme', caps, { accountIds: ['a'] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CapabilityError);
      expect((e as CapabilityError).capability).toBe('filter:accountIds');
      expect((e as CapabilityError).provider).toBe('acme');
    }
  });

  it('client filters produce a predicate over exactly those filters', () => {
    const p = normalizeListParams('acme', caps, {
      from: '2026-11-01T00:00:00Z',
      kinds: ['email', 'call'],
      participantIds: ['u1'],
    });
    expect(p.clientFilters).toEqual(['kinds', 'participantIds']);
    const f = p.clientFilter!;
    expect(f(eng({ participants: [{ id: 'u1', role: 'agent' }] }))).toBe(true);
    expect(f(eng({ kind: 'sms', participants: [{ id: 'u1', role: 'agent' }] }))).toBe(false);
    expect(f(eng({ participants: [{ id: 'u2', role: 'agent' }] }))).toBe(false);
    // `from` is server-side: the predicate does not look at it.
    expect(
      f(eng({ occurredAt: '2020-01-01T00:00:00.000Z', participants: [{ id: 'u1', role: 'x' }] })),
    ).toBe(true);
  });

  it('matchesFilters treats to as exclusive and matches owners and accounts', () => {
    const p = {
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-02T00:00:00Z'),
      kinds: undefined,
      participantIds: undefined,
      accountIds: ['acc'],
      ownerIds: ['o1'],
    };
    const base = eng({
      related: [{ type: 'account', id: 'acc' }],
      participants: [{ id: 'o1', role: 'owner' }],
    });
    expect(matchesFilters(base, p)).toBe(true);
    expect(matchesFilters({ ...base, occurredAt: '2026-11-02T00:00:00.000Z' }, p)).toBe(false);
    expect(matchesFilters({ ...base, occurredAt: '2026-11-01T00:00:00.000Z' }, p)).toBe(true);
    expect(matchesFilters({ ...base, participants: [{ id: 'o1', role: 'agent' }] }, p)).toBe(false);
    expect(matchesFilters({ ...base, related: [] }, p)).toBe(false);
  });

  it('the fingerprint ignores pageSize, cursor and signal, and sorts kinds', () => {
    const fp = (params: Parameters<typeof normalizeListParams>[2]) =>
      normalizeListParams('acme', caps, params).fingerprint;
    const a = fp({ from: '2026-11-01T00:00:00Z', kinds: ['call', 'note'] });
    expect(
      fp({
        from: new Date('2026-11-01T00:00:00Z'),
        kinds: ['note', 'call'],
        pageSize: 7,
        cursor: 'ek1.x.y',
        signal: new AbortController().signal,
        prefetch: true,
        maxPages: 3,
      }),
    ).toBe(a);
    expect(fp({ from: '2026-11-01T00:00:01Z', kinds: ['call', 'note'] })).not.toBe(a);
    expect(fp({ from: '2026-11-01T00:00:00Z', kinds: ['call'] })).not.toBe(a);
    expect(
      fp({ from: '2026-11-01T00:00:00Z', kinds: ['call', 'note'], native: { q: 1 } }),
    ).not.toBe(a);
    expect(fp({ participantIds: ['b', 'a'] })).toBe(fp({ participantIds: ['a', 'b'] }));
  });
});

function definition(over: Partial<AdapterDefinition['engagements']> = {}) {
  const list = vi.fn((params: NormalizedListParams) => {
    const fetchPage = vi.fn(async () => ({ items: [eng()] }));
    return paginate<Engagement>({
      provider: 'acme',
      fingerprint: params.fingerprint,
      cursor: params.cursor,
      fetchPage,
    });
  });
  const impl: AdapterDefinition['engagements'] = {
    list,
    get: vi.fn(async (remoteId: string) => eng({ remoteId, id: `acme:${remoteId}` })),
    create: vi.fn(async () => eng()),
    ...over,
  };
  return { def: { id: 'acme', capabilities: caps, engagements: impl }, impl, list };
}

describe('defineAdapter', () => {
  it('list validation failures surface on iteration and send no request', async () => {
    const { def, list } = definition();
    const adapter = defineAdapter(def);
    const iterator = adapter.engagements.list({ pageSize: 1000 });
    expect(iterator).toBeInstanceOf(PageIterator);
    expect(list).not.toHaveBeenCalled();
    await expect(iterator.toArray()).rejects.toBeInstanceOf(InputValidationError);
    await expect(iterator.firstPage()).rejects.toBeInstanceOf(InputValidationError);
    await expect(adapter.engagements.list({ ownerIds: ['x'] }).toArray()).rejects.toBeInstanceOf(
      CapabilityError,
    );
    expect(list).not.toHaveBeenCalled();
    expect(await adapter.engagements.list().toArray()).toHaveLength(1);
    expect(list).toHaveBeenCalledTimes(1);
  });

  it('a bad cursor surfaces as a PaginationError on iteration', async () => {
    const adapter = defineAdapter(definition().def);
    await expect(adapter.engagements.list({ cursor: 'garbage' }).toArray()).rejects.toMatchObject({
      name: 'PaginationError',
      reason: 'malformed-cursor',
    });
  });

  it('unsupported operations reject with CapabilityError', async () => {
    const adapter = defineAdapter(definition().def);
    for (const call of [
      () => adapter.engagements.update('1', { subject: 'x' }),
      () => adapter.engagements.delete('1'),
      () => adapter.engagements.count(),
    ]) {
      const err = await call().catch((e) => e);
      expect(err).toBeInstanceOf(CapabilityError);
      expect(err.provider).toBe('acme');
    }
    const err = await adapter.engagements.delete('1').catch((e) => e);
    expect(err.capability).toBe('delete');
  });

  it('strips the provider: prefix and rejects empty ids', async () => {
    const { def, impl } = definition();
    const adapter = defineAdapter(def);
    await adapter.engagements.get('acme:42');
    await adapter.engagements.get('42');
    await adapter.engagements.get('other:7');
    expect(vi.mocked(impl.get!).mock.calls.map((c) => c[0])).toEqual(['42', '42', 'other:7']);
    expect(toRemoteId('acme', 'acme:acme:1')).toBe('acme:1');
    await expect(adapter.engagements.get('')).rejects.toBeInstanceOf(InputValidationError);
    await expect(adapter.engagements.get('acme:')).rejects.toBeInstanceOf(InputValidationError);
    expect(impl.get).toHaveBeenCalledTimes(3);
  });

  it('validates create input before calling the adapter', async () => {
    const { def, impl } = definition();
    const adapter = defineAdapter(def);
    const bad = await adapter.engagements
      .create({ kind: 'call', occurredAt: 'yesterday-ish', durationSeconds: -4 })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(InputValidationError);
    expect(bad.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'durationSeconds',
      'occurredAt',
    ]);
    await expect(
      adapter.engagements.create({ kind: 'call', extra: 1 } as never),
    ).rejects.toBeInstanceOf(InputValidationError);
    await expect(adapter.engagements.create({ kind: 'email' })).rejects.toBeInstanceOf(
      CapabilityError,
    );
    expect(impl.create).not.toHaveBeenCalled();
    await adapter.engagements.create({ kind: 'note', subject: 'hi' });
    expect(impl.create).toHaveBeenCalledWith({ kind: 'note', subject: 'hi' }, undefined);
  });

  it('keeps extensions present and typed', () => {
    const conversations = {
      list: (): PageIterator<Engagement> =>
        paginate({ provider: 'acme', fingerprint: 'f', fetchPage: async () => ({ items: [] }) }),
      hello: (name: string) => `hi ${name}`,
    };
    const adapter = defineAdapter(definition().def, { conversations });
    expect(adapter.id).toBe('acme');
    expect(adapter.capabilities).toBe(caps);
    // The namespace is the caller's own object, kept as is next to the built resources.
    expect(adapter.conversations).toBe(conversations);
    expect(Object.keys(adapter).sort()).toEqual([
      'capabilities',
      'conversations',
      'engagements',
      'id',
    ]);
    expectTypeOf(adapter.conversations.hello).parameters.toEqualTypeOf<[string]>();
    expectTypeOf(adapter.engagements.list).returns.toEqualTypeOf<PageIterator<Engagement>>();
  });
});
