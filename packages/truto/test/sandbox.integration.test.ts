import {
  AuthenticationError,
  CapabilityError,
  EngagementSchema,
  InputValidationError,
  NotFoundError,
  ServerError,
} from '@engagekit/core';
import { type Sandbox, startSandbox, TRUTO_BLOCKED_ACCOUNT_ID } from '@engagekit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTrutoAdapter, type TrutoAdapterOptions } from '../src/index';

const COUNT = 300;
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 7, count: COUNT });
});
afterAll(() => sb?.close());
beforeEach(() => sb.reset());

const truto = (options: Partial<TrutoAdapterOptions> = {}) =>
  createTrutoAdapter({
    ...sb.credentials.truto,
    baseUrl: sb.urls.truto,
    maxRetries: 2,
    rateLimit: false,
    ...options,
  });
const listRequests = () =>
  sb.log.entries({ vendor: 'truto', method: 'GET', path: '/unified/crm/engagements' });

describe('truto adapter against the sandbox', () => {
  it('lists every seeded engagement once, each a valid Engagement', async () => {
    const items = await truto().engagements.list({ pageSize: 50 }).toArray();
    expect(items).toHaveLength(COUNT);
    expect(new Set(items.map((e) => e.id)).size).toBe(COUNT);
    for (const e of items) expect(EngagementSchema.safeParse(e).success).toBe(true);
    expect(new Set(items.map((e) => e.kind))).toEqual(
      new Set(['call', 'email', 'meeting', 'chat', 'note', 'task', 'other']),
    );
    const other = items.find((e) => e.kind === 'other');
    expect(['LinkedIn Message', 'SMS']).toContain(other?.nativeType);
    const withRemote = items.find((e) => (e.raw as { remote_data?: unknown }).remote_data);
    // raw is the vendor record itself, remote_data included (HubSpot's engagement properties).
    const vendorRecord = withRemote?.raw as { start_time: string; remote_data: unknown };
    expect(vendorRecord.remote_data).toMatchObject({
      id: expect.stringMatching(/^\d{7}$/),
      properties: { hs_timestamp: vendorRecord.start_time },
    });
    expect(listRequests().length).toBe(COUNT / 50);
    for (const entry of listRequests()) {
      expect(entry.query.integrated_account_id).toBe(sb.credentials.truto.integratedAccountId);
    }
  });

  it('resumes from a saved cursor without loss or duplicates', async () => {
    const a = truto();
    const first = await a.engagements.list({ pageSize: 40 }).firstPage();
    const rest = await a.engagements.list({ pageSize: 40, cursor: first.nextCursor }).toArray();
    const ids = [...first.items, ...rest].map((e) => e.id);
    expect(ids).toHaveLength(COUNT);
    expect(new Set(ids).size).toBe(COUNT);
  });

  it('applies kinds, participant, account and date filters server-side', async () => {
    const all = await truto().engagements.list().toArray();
    const sample = all.find((e) => e.participants.some((p) => p.role === 'contact'));
    const contact = sample?.participants.find((p) => p.role === 'contact')?.id ?? '';
    const times = all.map((e) => Date.parse(e.occurredAt)).sort((x, y) => x - y);
    const from = new Date(times[50] ?? 0);
    const to = new Date(times[150] ?? 0);
    sb.log.clear();

    const calls = await truto()
      .engagements.list({ kinds: ['call'] })
      .toArray();
    expect(calls.length).toBe(all.filter((e) => e.kind === 'call').length);
    expect(listRequests()[0]?.query.engagement_type).toBe('call');

    const byContact = await truto()
      .engagements.list({ participantIds: [contact] })
      .toArray();
    expect(byContact.length).toBeGreaterThan(0);
    for (const e of byContact) expect(e.participants.some((p) => p.id === contact)).toBe(true);

    const inRange = await truto().engagements.list({ from, to }).toArray();
    expect(inRange.map((e) => e.id).sort()).toEqual(
      all
        .filter((e) => Date.parse(e.occurredAt) >= +from && Date.parse(e.occurredAt) < +to)
        .map((e) => e.id)
        .sort(),
    );
  });

  it('includeRaw: false asks Truto to drop remote_data', async () => {
    const items = await truto().engagements.list({ includeRaw: false, maxPages: 1 }).toArray();
    expect(items.every((e) => e.raw === undefined)).toBe(true);
    expect(listRequests()[0]?.query.truto_ignore_remote_data).toBe('true');
  });

  it('creates, reads, updates and deletes an engagement', async () => {
    const a = truto();
    const created = await a.engagements.create({
      kind: 'call',
      subject: 'engagekit integration',
      direction: 'outbound',
      occurredAt: '2026-01-05T10:00:00Z',
      durationSeconds: 95,
      participantIds: ['5001'],
      accountIds: ['7001'],
      ownerId: '101',
    });
    expect(created).toMatchObject({
      kind: 'call',
      subject: 'engagekit integration',
      direction: 'outbound',
      occurredAt: '2026-01-05T10:00:00.000Z',
      durationSeconds: 95,
    });
    expect(created.participants).toContainEqual({ id: '101', role: 'owner' });
    expect(created.related).toContainEqual({ type: 'account', id: '7001' });

    const fetched = await a.engagements.get(created.id);
    expect(fetched.remoteId).toBe(created.remoteId);
    const updated = await a.engagements.update(created.id, { subject: 'renamed', kind: 'meeting' });
    expect(updated).toMatchObject({ subject: 'renamed', kind: 'meeting' });
    await a.engagements.delete(created.id);
    await expect(a.engagements.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a repeated Idempotency-Key replays the first create', async () => {
    const a = truto();
    const headers = { 'Idempotency-Key': 'engagekit-it-1' };
    const one = await a.engagements.create({ kind: 'note', subject: 'once' }, { headers });
    const two = await a.engagements.create({ kind: 'note', subject: 'once' }, { headers });
    expect(two.id).toBe(one.id);
  });

  it('retries a create through injected 500 and 429 with one key', async () => {
    sb.faults.failNext('truto', { status: 500 });
    sb.faults.failNext('truto', { status: 429, retryAfterSeconds: 0 });
    const created = await truto({ maxRetries: 3 }).engagements.create({ kind: 'email' });
    expect(created.kind).toBe('email');
    const posts = sb.log.entries({ vendor: 'truto', method: 'POST' });
    expect(posts.map((p) => p.status)).toEqual([500, 429, 201]);
  });

  it('surfaces a missing required body field as an InputValidationError', async () => {
    const error = await truto()
      .engagements.create({ subject: 'no type' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues[0]?.path).toBe('kind');
  });

  it('never retries a blocked integrated account (503)', async () => {
    const error = await truto({ integratedAccountId: TRUTO_BLOCKED_ACCOUNT_ID, maxRetries: 3 })
      .engagements.list()
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(503);
    expect(listRequests()).toHaveLength(1);
  });

  it('rejects a bad token with an AuthenticationError', async () => {
    await expect(
      truto({ token: 'wrong-token-123' }).engagements.list().toArray(),
    ).rejects.toBeInstanceOf(AuthenticationError);
  });
});

describe('provider-dependent behaviour', () => {
  let special: Sandbox;
  afterAll(() => special?.close());

  it('dead CRM credentials → AuthenticationError saying the account needs re-auth', async () => {
    special = await startSandbox({ seed: 7, count: 10, truto: { remoteAuthDead: true } });
    const error = await createTrutoAdapter({
      ...special.credentials.truto,
      baseUrl: special.urls.truto,
    })
      .engagements.list()
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/needs re-authentication/);
    expect((error as AuthenticationError).type).toBe('remote_error');
    await special.close();
  });

  it('a filter the CRM does not support → CapabilityError', async () => {
    special = await startSandbox({ seed: 7, count: 10, truto: { unsupportedFilters: ['owner'] } });
    const error = await createTrutoAdapter({
      ...special.credentials.truto,
      baseUrl: special.urls.truto,
    })
      .engagements.list({ ownerIds: ['101'] })
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapabilityError);
    expect((error as CapabilityError).capability).toBe('filter:ownerIds');
  });
});
