import {
  CapabilityError,
  EngagementSchema,
  InputValidationError,
  NotFoundError,
  ServerError,
} from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, adapter, BASE, PATH, setupNock, trutoError, trutoRecord } from './fixtures';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('engagements.get', () => {
  it('GETs the bare object and maps it; accepts unified ids', async () => {
    nock(BASE)
      .get(`${PATH}/1001`)
      .query({ integrated_account_id: ACCOUNT })
      .twice()
      .reply(200, trutoRecord());
    const a = adapter();
    const e = await a.engagements.get('1001');
    expect(EngagementSchema.parse(e)).toEqual(e);
    expect(e.id).toBe('truto:1001');
    expect((e.raw as { remote_data: unknown }).remote_data).toEqual(trutoRecord().remote_data);
    expect((await a.engagements.get('truto:1001')).remoteId).toBe('1001');
  });

  it('escapes ids in the path', async () => {
    nock(BASE)
      .get(`${PATH}/a%2Fb%20c`)
      .query(true)
      .reply(200, trutoRecord({ id: 'a/b c' }));
    expect((await adapter().engagements.get('a/b c')).remoteId).toBe('a/b c');
  });

  it('turns 404 into NotFoundError with the Truto envelope on it', async () => {
    nock(BASE)
      .get(`${PATH}/nope`)
      .query(true)
      .reply(404, trutoError(404, 'Engagement nope not found'));
    const error = await adapter()
      .engagements.get('nope')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({
      status: 404,
      code: 'Not Found',
      type: 'truto_error',
      provider: 'truto',
    });
    expect((error as Error).message).toContain('Engagement nope not found');
  });

  it('rejects an empty id before any request', async () => {
    await expect(adapter().engagements.get('')).rejects.toBeInstanceOf(InputValidationError);
  });
});

describe('engagements.create', () => {
  it('POSTs the unified body with an Idempotency-Key and maps the 201 answer', async () => {
    let sent: Record<string, unknown> | undefined;
    let key: unknown;
    nock(BASE)
      .post(PATH, (body) => {
        sent = body;
        return true;
      })
      .query({ integrated_account_id: ACCOUNT })
      .reply(function () {
        key = this.req.headers['idempotency-key'];
        return [201, trutoRecord({ id: '2002', engagement_type: 'meeting' })];
      });
    const e = await adapter().engagements.create({
      kind: 'meeting',
      subject: 'Kick-off',
      body: 'Agenda',
      direction: 'outbound',
      status: 'scheduled',
      occurredAt: '2026-03-02T12:00:00+02:00',
      endTime: new Date('2026-03-02T11:00:00Z'),
      durationSeconds: 3600,
      participantIds: ['c-1', 'c-2'],
      accountIds: ['acc-1'],
      ownerId: 'u-1',
      native: { custom_fields: { priority: 1 }, remote_data: { hs_meeting_outcome: 'SCHEDULED' } },
    });
    expect(sent).toEqual({
      engagement_type: 'meeting',
      subject: 'Kick-off',
      content: 'Agenda',
      direction: 'outbound',
      status: 'scheduled',
      start_time: '2026-03-02T10:00:00.000Z',
      end_time: '2026-03-02T11:00:00.000Z',
      duration: '3600',
      contact: [{ id: 'c-1' }, { id: 'c-2' }],
      account: { id: 'acc-1' },
      owner: { id: 'u-1' },
      custom_fields: { priority: 1 },
      remote_data: { hs_meeting_outcome: 'SCHEDULED' },
    });
    expect(key).toMatch(UUID);
    expect(e).toMatchObject({ id: 'truto:2002', kind: 'meeting' });
  });

  it('reuses the same Idempotency-Key on every retry (502, 504, then 201)', async () => {
    const keys: unknown[] = [];
    const statuses = [502, 504, 201];
    nock(BASE)
      .post(PATH)
      .query(true)
      .times(3)
      .reply(function () {
        keys.push(this.req.headers['idempotency-key']);
        const status = statuses[keys.length - 1] ?? 500;
        return status === 201
          ? [201, trutoRecord({ id: '3003' })]
          : [status, trutoError(status, 'upstream hiccup')];
      });
    const retries: string[] = [];
    const e = await adapter({
      maxRetries: 3,
      hooks: { onRetry: (info) => retries.push(info.reason) },
    }).engagements.create({ kind: 'call', subject: 'x' });
    expect(e.remoteId).toBe('3003');
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(retries).toEqual(['502', '504']);
  });

  it('uses a fresh key per logical call', async () => {
    const keys: unknown[] = [];
    nock(BASE)
      .post(PATH)
      .query(true)
      .twice()
      .reply(function () {
        keys.push(this.req.headers['idempotency-key']);
        return [201, trutoRecord()];
      });
    const a = adapter();
    await a.engagements.create({ kind: 'call' });
    await a.engagements.create({ kind: 'call' });
    expect(keys[0]).not.toEqual(keys[1]);
  });

  it("uses the caller's own Idempotency-Key (any casing) once, not twice", async () => {
    let headers: Record<string, unknown> = {};
    nock(BASE)
      .post(PATH)
      .query(true)
      .reply(function () {
        headers = this.req.headers;
        return [201, trutoRecord()];
      });
    await adapter().engagements.create(
      { kind: 'call' },
      { headers: { 'idempotency-KEY': 'my-key-1', 'x-trace': 't1' } },
    );
    expect(headers['idempotency-key']).toBe('my-key-1');
    expect(headers['x-trace']).toBe('t1');
  });

  it('never retries a 503 (integrated account blocked)', async () => {
    const scope = nock(BASE)
      .post(PATH)
      .query(true)
      .reply(503, trutoError(503, 'The integrated account is blocked.'));
    const retries: unknown[] = [];
    const error = await adapter({ maxRetries: 3, hooks: { onRetry: (i) => retries.push(i) } })
      .engagements.create({ kind: 'call' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as Error).message).toMatch(/blocked/);
    expect((error as Error).message).toContain(ACCOUNT);
    expect(retries).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('rejects what Truto cannot store, before any request', async () => {
    const a = adapter();
    for (const kind of ['sms', 'task'] as const) {
      await expect(a.engagements.create({ kind })).rejects.toBeInstanceOf(CapabilityError);
    }
    await expect(a.engagements.update('1', { kind: 'video' })).rejects.toMatchObject({
      issues: [{ path: 'kind', rule: 'unsupported_kind' }],
    });
    for (const [input, path] of [
      [{ accountIds: ['a', 'b'] }, 'accountIds'],
      [{ externalRef: 'x' }, 'externalRef'],
      [{ tags: [{ id: 't' }] }, 'tags'],
      [{ kind: 'call', bogus: 1 }, ''],
    ] as const) {
      const error = await a.engagements.create(input as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(input)).toBeInstanceOf(InputValidationError);
      if (path) expect((error as InputValidationError).issues[0]?.path).toBe(path);
    }
  });
});

describe('engagements.update', () => {
  it('PATCHes only the given fields with an Idempotency-Key', async () => {
    let sent: unknown;
    let key: unknown;
    nock(BASE)
      .patch(`${PATH}/1001`, (body) => {
        sent = body;
        return true;
      })
      .query({ integrated_account_id: ACCOUNT })
      .reply(function () {
        key = this.req.headers['idempotency-key'];
        return [200, trutoRecord({ subject: 'Renamed' })];
      });
    const e = await adapter().engagements.update('truto:1001', {
      subject: 'Renamed',
      direction: 'inbound',
    });
    expect(sent).toEqual({ subject: 'Renamed', direction: 'inbound' });
    expect(key).toMatch(UUID);
    expect(e.subject).toBe('Renamed');
  });

  it('retries a 500 with the same key', async () => {
    const keys: unknown[] = [];
    nock(BASE)
      .patch(`${PATH}/1001`)
      .query(true)
      .times(2)
      .reply(function () {
        keys.push(this.req.headers['idempotency-key']);
        return keys.length === 1
          ? [500, trutoError(500, 'boom')]
          : [200, trutoRecord({ status: 'done' })];
      });
    const e = await adapter().engagements.update('1001', { status: 'done' });
    expect(e.status).toBe('done');
    expect(keys[0]).toBe(keys[1]);
  });
});

describe('engagements.delete', () => {
  it('DELETEs and resolves on { id }', async () => {
    const scope = nock(BASE)
      .delete(`${PATH}/1001`)
      .query({ integrated_account_id: ACCOUNT })
      .reply(200, { id: '1001' });
    await expect(adapter().engagements.delete('truto:1001')).resolves.toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });
});
