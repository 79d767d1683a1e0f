import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bodyDigestId, digestMatches, hmacSha256, webhookIsoTime } from '../src/adapter-kit';
import {
  createWebhookReceiver,
  type EngagementChange,
  type WebhookSource,
  WebhookVerificationError,
} from '../src/index';

const SECRET = 'whsec-test-secret-0123456789';
const NOW = Date.parse('2026-11-30T12:00:00.000Z');

/** A vendor-like scheme: `x-test-signature` = hex HMAC of `{timestamp}.{body}`, with a URL handshake. */
function testSource(secret = SECRET): WebhookSource & { verifyCalls: number } {
  const source = {
    provider: 'acme',
    verifyCalls: 0,
    recognises: (headers: Headers) => headers.has('x-test-signature'),
    verify(body: Uint8Array, headers: Headers) {
      source.verifyCalls++;
      const signature = headers.get('x-test-signature') ?? '';
      const timestamp = headers.get('x-test-timestamp') ?? '';
      if (!digestMatches(hmacSha256(secret, timestamp, '.', body), signature)) {
        throw new WebhookVerificationError(
          'bad-signature',
          'The x-test-signature does not match.',
          {
            provider: 'acme',
          },
        );
      }
      const event = JSON.parse(Buffer.from(body).toString('utf8')) as {
        id: string;
        type: string;
        challenge?: string;
        remoteId?: string;
      };
      if (event.type === 'url.validation') {
        return { kind: 'handshake' as const, status: 200, body: { challenge: event.challenge } };
      }
      return {
        kind: 'event' as const,
        event: {
          id: event.id,
          type: event.type,
          timestampMs: Number(timestamp) * 1000,
          timestampSigned: true,
          payload: event,
        },
      };
    },
    async toChanges(event: { type: string; payload: unknown }) {
      if (event.type !== 'record.deleted') return { changes: [], ignored: true };
      const remoteId = (event.payload as { remoteId: string }).remoteId;
      const change: EngagementChange = {
        type: 'delete',
        id: `acme:${remoteId}`,
        provider: 'acme',
        remoteId,
        changedAt: new Date(NOW).toISOString(),
        source: 'webhook',
      };
      return { changes: [change], ignored: false };
    },
  };
  return source;
}

function signed(
  payload: unknown,
  options: { secret?: string; at?: number; tamper?: boolean } = {},
) {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor((options.at ?? NOW) / 1000));
  const signature = hmacSha256(options.secret ?? SECRET, timestamp, '.', body).toString('hex');
  return {
    body: options.tamper ? body.replace('r-1', 'r-2') : body,
    headers: {
      'content-type': 'application/json',
      'x-test-signature': signature,
      'x-test-timestamp': timestamp,
    },
  };
}

const deleted = (id = 'evt-1') => ({ id, type: 'record.deleted', remoteId: 'r-1' });

function post(
  req: { body: string; headers: Record<string, string> },
  url = 'https://app.test/hooks',
) {
  return new Request(url, { method: 'POST', body: req.body, headers: req.headers });
}

function receiver(overrides: Partial<Parameters<typeof createWebhookReceiver>[0]> = {}) {
  const source = testSource();
  const onChange = vi.fn(async (_changes: EngagementChange[]) => {});
  const r = createWebhookReceiver({ sources: [source], onChange, now: () => NOW, ...overrides });
  return { r, source, onChange };
}

describe('createWebhookReceiver: handle(Request)', () => {
  it('hands a verified event to onChange and answers 200 once it resolved', async () => {
    const { r, onChange } = receiver();
    const res = await r.handle(post(signed(deleted())));
    expect(res.status).toBe(200);
    expect(onChange).toHaveBeenCalledTimes(1);
    const [changes, delivery] = onChange.mock.calls[0] as unknown as [EngagementChange[], unknown];
    expect(changes).toEqual([
      expect.objectContaining({ type: 'delete', id: 'acme:r-1', source: 'webhook' }),
    ]);
    expect(delivery).toEqual({
      provider: 'acme',
      eventId: 'evt-1',
      eventType: 'record.deleted',
      receivedAt: '2026-11-30T12:00:00.000Z',
    });
    expect(r.stats).toEqual({ delivered: 1, duplicates: 0, ignored: 0, rejected: 0 });
  });

  it.each([
    ['a tampered body', signed(deleted(), { tamper: true })],
    ['the wrong secret', signed(deleted(), { secret: 'another-secret-value' })],
  ])('rejects %s with 401 and never calls onChange', async (_label, req) => {
    const { r, onChange } = receiver();
    const res = await r.handle(post(req));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'bad-signature',
      message: 'The x-test-signature does not match.',
    });
    expect(onChange).not.toHaveBeenCalled();
    expect(r.stats.rejected).toBe(1);
  });

  it('rejects a signed timestamp outside toleranceSeconds (either side)', async () => {
    const { r, onChange } = receiver({ toleranceSeconds: 300 });
    const stale = await r.handle(post(signed(deleted(), { at: NOW - 301_000 })));
    const future = await r.handle(post(signed(deleted('evt-2'), { at: NOW + 301_000 })));
    const edge = await r.handle(post(signed(deleted('evt-3'), { at: NOW - 299_000 })));
    expect([stale.status, future.status, edge.status]).toEqual([401, 401, 200]);
    expect(((await stale.json()) as { error: string }).error).toBe('stale-timestamp');
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('drops a replayed event id (200, onChange once)', async () => {
    const { r, onChange } = receiver();
    const req = signed(deleted());
    const first = await r.handle(post(req));
    const replay = await r.handle(post(req));
    expect([first.status, replay.status]).toEqual([200, 200]);
    expect(await replay.json()).toEqual({ received: true, duplicate: true });
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(r.stats.duplicates).toBe(1);
  });

  it('concurrent deliveries of one event reach onChange once and share its answer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const onChange = vi.fn(async () => gate);
    const r = createWebhookReceiver({ sources: [testSource()], onChange, now: () => NOW });
    const req = signed(deleted());
    const both = Promise.all([r.handle(post(req)), r.handle(post(req))]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    expect((await both).map((res) => res.status)).toEqual([200, 200]);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('answers 500 when onChange throws, and processes the vendor retry of the same event', async () => {
    const onChange = vi
      .fn<(changes: EngagementChange[]) => Promise<void>>()
      .mockRejectedValueOnce(new Error('db down'))
      .mockResolvedValueOnce(undefined);
    const r = createWebhookReceiver({ sources: [testSource()], onChange, now: () => NOW });
    const req = signed(deleted());
    expect((await r.handle(post(req))).status).toBe(500);
    expect((await r.handle(post(req))).status).toBe(200);
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(r.stats.delivered).toBe(1);
  });

  it('refuses an oversized body with 413 before verifying it', async () => {
    const { r, source, onChange } = receiver({ maxBodyBytes: 64 });
    const req = signed({ ...deleted(), pad: 'x'.repeat(200) });
    const res = await r.handle(post(req));
    expect(res.status).toBe(413);
    expect(source.verifyCalls).toBe(0);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('refuses a body that is not JSON (415), a GET (405) and a request no source recognises (401)', async () => {
    const { r, onChange } = receiver();
    const req = signed(deleted());
    const wrongType = await r.handle(
      post({ ...req, headers: { ...req.headers, 'content-type': 'text/plain' } }),
    );
    const get = await r.handle(new Request('https://app.test/hooks'));
    const unknown = await r.handle(
      post({ body: req.body, headers: { 'content-type': 'application/json' } }),
    );
    expect([wrongType.status, get.status, unknown.status]).toEqual([415, 405, 401]);
    expect(((await unknown.json()) as { error: string }).error).toBe('unknown-source');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('answers a verified vendor handshake with the source body', async () => {
    const { r, onChange } = receiver();
    const res = await r.handle(post(signed({ id: 'h', type: 'url.validation', challenge: 'abc' })));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'abc' });
    expect(onChange).not.toHaveBeenCalled();
  });

  it('counts event types engagekit does not map, without calling onChange', async () => {
    const { r, onChange } = receiver();
    const res = await r.handle(post(signed({ id: 'e9', type: 'account.created' })));
    expect(res.status).toBe(200);
    expect(onChange).not.toHaveBeenCalled();
    expect(r.stats.ignored).toBe(1);
  });
});

describe('createWebhookReceiver: nodeListener and verify()', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('serves node:http on loopback with the same answers', async () => {
    const { r, onChange } = receiver({ maxBodyBytes: 4096 });
    const server = createServer(r.nodeListener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/any/path`;
    const ok = await fetch(url, { method: 'POST', ...signed(deleted()) });
    const bad = await fetch(url, { method: 'POST', ...signed(deleted('e2'), { tamper: true }) });
    const big = await fetch(url, {
      method: 'POST',
      ...signed({ ...deleted('e3'), pad: 'x'.repeat(10_000) }),
    });
    expect([ok.status, bad.status, big.status]).toEqual([200, 401, 413]);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('verify(provider, { body, headers }) returns the changes or throws WebhookVerificationError', async () => {
    const { r, onChange } = receiver();
    const changes = await r.verify('acme', signed(deleted()));
    expect(changes.map((c) => c.id)).toEqual(['acme:r-1']);
    expect(onChange).not.toHaveBeenCalled();
    const bytes = signed(deleted());
    expect(
      (
        await r.verify('acme', {
          body: Buffer.from(bytes.body),
          headers: new Headers(bytes.headers),
        })
      ).length,
    ).toBe(1);
    const failure = await r
      .verify('acme', signed(deleted(), { secret: 'wrong-secret-000' }))
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WebhookVerificationError);
    expect((failure as WebhookVerificationError).reason).toBe('bad-signature');
    expect(JSON.stringify(failure)).not.toContain(SECRET);
    await expect(r.verify('nobody', signed(deleted()))).rejects.toMatchObject({
      reason: 'unknown-source',
    });
  });
});

describe('digestMatches and bodyDigestId', () => {
  const digest = hmacSha256('k-0123456789', 'payload');
  it('accepts the digest in each allowed encoding, and nothing else', () => {
    expect(digestMatches(digest, digest.toString('hex'))).toBe(true);
    expect(digestMatches(digest, digest.toString('base64'))).toBe(false);
    expect(digestMatches(digest, digest.toString('base64'), ['hex', 'base64'])).toBe(true);
    expect(digestMatches(digest, digest.toString('hex').slice(0, 62))).toBe(false);
    expect(digestMatches(digest, '')).toBe(false);
    expect(digestMatches(digest, 'zz')).toBe(false);
  });
  it('takes hex only as exactly the digest, every character hex, any case, trimmed', () => {
    const hex = digest.toString('hex');
    expect(digestMatches(digest, ` ${hex.toUpperCase()}\t`)).toBe(true);
    // One more character used to be decoded away; one non-hex character stops the decoding.
    expect(digestMatches(digest, `${hex}0`)).toBe(false);
    expect(digestMatches(digest, `${hex.slice(0, 63)}g`)).toBe(false);
    expect(digestMatches(digest, `${hex.slice(0, 62)}é0`)).toBe(false);
    expect(digestMatches(digest, `${hex}0`, ['hex', 'base64'])).toBe(false);
    expect(digestMatches(digest, hex, ['base64'])).toBe(false);
    // Another digest size in between does not disturb the next comparison.
    const sha1 = Buffer.from(hex.slice(0, 40), 'hex');
    expect(digestMatches(sha1, hex.slice(0, 40))).toBe(true);
    expect(digestMatches(digest, hex)).toBe(true);
    expect(digestMatches(digest, `${hex.slice(0, 63)}${hex[63] === '0' ? '1' : '0'}`)).toBe(false);
  });
  it('names a body by its SHA-256', () => {
    expect(bodyDigestId(Buffer.from('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('webhookIsoTime', () => {
  it('writes what Date#toISOString writes, over the whole range and its edges', () => {
    const edges = [
      0, 0.9, 1, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 951_868_799_999,
      4_107_542_400_000, 4_107_628_800_000, 1_795_000_000_123.7, 253_402_300_799_999,
      253_402_300_800_000, -1, -62_198_755_200_000, 8.64e15, -8.64e15,
    ];
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = [...edges, ...Array.from({ length: 5000 }, () => next() * 253_402_300_800_000)];
    for (const ms of values) expect(webhookIsoTime(ms)).toBe(new Date(ms).toISOString());
    expect(webhookIsoTime(1_795_000_000_123)).toBe('2026-11-18T11:06:40.123Z');
  });
  it('throws the RangeError Date throws for what is no time', () => {
    for (const ms of [Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1]) {
      expect(() => webhookIsoTime(ms)).toThrow(RangeError);
    }
  });
});
