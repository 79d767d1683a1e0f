import { createHmac } from 'node:crypto';
import {
  createWebhookReceiver,
  type EngagementChange,
  InputValidationError,
  WebhookVerificationError,
} from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTrutoWebhookSource } from '../src/index';
import { ACCOUNT, adapter, BASE, PATH, setupNock, trutoRecord } from './fixtures';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const SECRET = '6e17561c-a20c-44ce-b8b5-caff0bf786fe';
const NOW = Date.parse('2026-11-30T12:00:00.000Z');

/**
 * Vector from Truto's documented scheme (https://www.truto.one/docs/guides/webhooks/overview,
 * "SHA256 Signature"): `X-Truto-Signature: format=sha256,v=<digest>`, the digest an HMAC-SHA256 of
 * the raw body with the webhook secret, built here with node:crypto (hex unless a test says
 * base64), not with the source's helpers.
 */
function trutoRequest(
  payload: unknown,
  opts: {
    secret?: string;
    encoding?: 'hex' | 'base64';
    format?: (digest: string) => string;
    contentType?: string;
    body?: string;
  } = {},
) {
  const body = JSON.stringify(payload);
  const digest = createHmac('sha256', opts.secret ?? SECRET)
    .update(body)
    .digest(opts.encoding ?? 'hex');
  return new Request('https://app.test/hooks/truto', {
    method: 'POST',
    body: opts.body ?? body,
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      'x-truto-signature': (opts.format ?? ((d) => `format=sha256,v=${d}`))(digest),
    },
  });
}

const recordEvent = (
  event: string,
  payload: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
) => ({
  id: '64fbf363-7ba3-4745-8c7b-730c0fdbf40d',
  event,
  payload: { resource: 'crm/engagements', integrated_account_id: ACCOUNT, ...payload },
  environment_id: 'ac15abdc-b38e-47d0-97a2-69194017c177',
  webhook_id: 'b6d29b9b-3d9d-44fd-aa77-512fd83b28c1',
  created_at: '2026-11-30 11:59:58',
  ...overrides,
});
const updated = () => recordEvent('record:updated', { method: 'update', record: trutoRecord() });

function setup(options: { hydrate?: boolean; maxBodyBytes?: number } = {}) {
  const onChange = vi.fn(async (_changes: EngagementChange[]) => {});
  const receiver = createWebhookReceiver({
    sources: [adapter().webhooks({ secret: SECRET, hydrate: options.hydrate })],
    onChange,
    now: () => NOW,
    maxBodyBytes: options.maxBodyBytes,
  });
  return { receiver, onChange };
}
const changesOf = (onChange: ReturnType<typeof setup>['onChange']) =>
  (onChange.mock.calls[0] as unknown as [EngagementChange[]])[0];

describe('truto.webhooks(): verification through createWebhookReceiver().handle', () => {
  it.each([
    ['format=sha256,v=<hex>', 'hex', undefined],
    ['format=sha256,v=<base64>', 'base64', undefined],
    ['a bare hex digest', 'hex', (d: string) => d],
  ] as const)(
    'maps record:updated of crm/engagements signed as %s to a full upsert',
    async (_l, encoding, format) => {
      const { receiver, onChange } = setup();
      const res = await receiver.handle(trutoRequest(updated(), { encoding, format }));
      expect(res.status).toBe(200);
      const [change] = changesOf(onChange);
      expect(change).toMatchObject({
        type: 'upsert',
        id: 'truto:1001',
        remoteId: '1001',
        provider: 'truto',
        source: 'webhook',
        eventId: '64fbf363-7ba3-4745-8c7b-730c0fdbf40d',
        changedAt: '2026-03-02T11:00:00.000Z',
      });
      expect(change?.partial).toBeUndefined();
      expect(change?.engagement?.kind).toBe('call');
      expect(change?.engagement?.subject).toBe('Discovery call');
    },
  );

  it('maps record:deleted to a delete at created_at (zone-less, read as UTC)', async () => {
    const { receiver, onChange } = setup();
    await receiver.handle(trutoRequest(recordEvent('record:deleted', { id: '1001' })));
    expect(changesOf(onChange)).toEqual([
      {
        type: 'delete',
        id: 'truto:1001',
        remoteId: '1001',
        provider: 'truto',
        source: 'webhook',
        eventId: '64fbf363-7ba3-4745-8c7b-730c0fdbf40d',
        changedAt: '2026-11-30T11:59:58.000Z',
      },
    ]);
  });

  it.each([
    [
      'a tampered body',
      { body: JSON.stringify(recordEvent('record:deleted', { id: '9999' })) },
      'bad-signature',
    ],
    ['the wrong secret', { secret: 'b6d29b9b-0000-0000-0000-000000000000' }, 'bad-signature'],
    ['a format other than sha256', { format: (d: string) => `format=md5,v=${d}` }, 'bad-signature'],
  ])('rejects %s with 401', async (_label, opts, reason) => {
    const { receiver, onChange } = setup();
    const res = await receiver.handle(trutoRequest(updated(), opts));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe(reason);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('rejects a signed created_at outside the replay window', async () => {
    const { receiver, onChange } = setup();
    const stale = recordEvent(
      'record:updated',
      { record: trutoRecord() },
      { created_at: '2026-11-30T11:54:00.000Z' },
    );
    const res = await receiver.handle(trutoRequest(stale));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('stale-timestamp');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('drops a replayed event id', async () => {
    const { receiver, onChange } = setup();
    const first = await receiver.handle(trutoRequest(updated()));
    const replay = await receiver.handle(trutoRequest(updated()));
    expect([first.status, replay.status]).toEqual([200, 200]);
    expect(await replay.json()).toEqual({ received: true, duplicate: true });
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('refuses an oversized body (413) and a non-JSON content type (415)', async () => {
    const big = setup({ maxBodyBytes: 256 });
    expect((await big.receiver.handle(trutoRequest(updated()))).status).toBe(413);
    const { receiver, onChange } = setup();
    const res = await receiver.handle(
      trutoRequest(updated(), { contentType: 'multipart/form-data' }),
    );
    expect(res.status).toBe(415);
    expect(big.onChange).not.toHaveBeenCalled();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('never puts the secret in an error', async () => {
    const { receiver } = setup();
    const req = trutoRequest(updated(), { secret: 'not-the-secret-value' });
    const error = await receiver
      .verify('truto', { body: await req.text(), headers: req.headers })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).reason).toBe('bad-signature');
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('refuses a blank secret with InputValidationError on secret', () => {
    let error: unknown;
    try {
      createTrutoWebhookSource({ secret: ' ' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues.map((i) => i.path)).toEqual(['secret']);
  });

  it('counts other events and other resources as ignored', async () => {
    const { receiver, onChange } = setup();
    await receiver.handle(
      trutoRequest(recordEvent('integrated_account:created', {}, { id: 'evt-a' })),
    );
    await receiver.handle(
      trutoRequest(
        recordEvent(
          'record:created',
          { resource: 'crm/contacts', record: { id: 'c-1' } },
          { id: 'evt-b' },
        ),
      ),
    );
    expect(onChange).not.toHaveBeenCalled();
    expect(receiver.stats).toEqual({ delivered: 0, duplicates: 0, ignored: 2, rejected: 0 });
  });

  it('a record event without a record is partial, or hydrated with get() when hydrate: true', async () => {
    const bare = recordEvent('record:created', { method: 'create', id: '1001' });
    const plain = setup();
    await plain.receiver.handle(trutoRequest(bare));
    expect(changesOf(plain.onChange)).toEqual([
      expect.objectContaining({ type: 'upsert', remoteId: '1001', partial: true }),
    ]);

    const scope = nock(BASE)
      .get(`${PATH}/1001`)
      .query({ integrated_account_id: ACCOUNT })
      .once()
      .reply(200, trutoRecord());
    const hydrated = setup({ hydrate: true });
    expect((await hydrated.receiver.handle(trutoRequest(bare))).status).toBe(200);
    expect(scope.isDone()).toBe(true);
    const [change] = changesOf(hydrated.onChange);
    expect(change?.partial).toBeUndefined();
    expect(change?.engagement?.id).toBe('truto:1001');
    expect(change?.engagement?.subject).toBe('Discovery call');
  });

  it('does not hydrate another integrated account’s record with this adapter (partial instead)', async () => {
    const { receiver, onChange } = setup({ hydrate: true });
    const other = recordEvent('record:created', {
      id: '1001',
      integrated_account_id: 'another-account-id',
    });
    expect((await receiver.handle(trutoRequest(other))).status).toBe(200);
    expect(changesOf(onChange)).toEqual([
      expect.objectContaining({ remoteId: '1001', partial: true }),
    ]);
  });
  it('hydrate: true falls back to a partial upsert when the record is gone (404)', async () => {
    const scope = nock(BASE)
      .get(`${PATH}/1001`)
      .query({ integrated_account_id: ACCOUNT })
      .once()
      .reply(404, { statusCode: 404, error: 'Not Found', message: 'Record not found' });
    const { receiver, onChange } = setup({ hydrate: true });
    const bare = recordEvent('record:updated', { id: '1001' });
    expect((await receiver.handle(trutoRequest(bare))).status).toBe(200);
    expect(scope.isDone()).toBe(true);
    expect(changesOf(onChange)).toEqual([
      expect.objectContaining({ remoteId: '1001', partial: true }),
    ]);
    expect(changesOf(onChange)[0]?.engagement).toBeUndefined();
  });
});
