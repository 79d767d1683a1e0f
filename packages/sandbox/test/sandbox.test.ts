import { describe, expect, it } from 'vitest';
import { parseSandboxArgs, runSandboxCommand, startSandbox } from '../src/index';
import { devrevCall, trutoCall, zoomCall, zoomToken } from './helpers';

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('faults', () => {
  it('failNext queues statuses and resets per vendor, with vendor bodies and Retry-After forms', async () => {
    const sb = await startSandbox({ count: 20 });
    try {
      sb.faults.failNext('devrev', { status: 429, retryAfter: 'body', retryAfterSeconds: 7 });
      const r429 = await devrevCall(sb, '/engagements.list');
      expect(r429.status).toBe(429);
      expect(r429.body).toMatchObject({ type: 'too_many_requests', retry_after: 7 });
      expect(r429.headers.get('retry-after')).toBeNull();
      sb.faults.failNext('devrev', { status: 500, count: 2 });
      expect((await devrevCall(sb, '/engagements.list')).body.type).toBe('internal_error');
      expect((await devrevCall(sb, '/engagements.list')).body.reference_id).toBeTypeOf('string');
      expect((await devrevCall(sb, '/engagements.list')).status).toBe(200);
      sb.faults.failNext('devrev', { status: 503 });
      expect((await devrevCall(sb, '/engagements.list')).body.type).toBe('service_unavailable');

      const token = await zoomToken(sb);
      sb.faults.failNext('zoom', { status: 429, retryAfter: 'iso', retryAfterSeconds: 3600 });
      const daily = await zoomCall(sb, '/contact_center/engagements', token);
      expect(daily.status).toBe(429);
      expect(daily.headers.get('retry-after')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(daily.headers.get('x-ratelimit-type')).toBe('Daily-limit');
      sb.faults.failNext('zoom', { status: 429, retryAfter: 'http-date' });
      const httpDate = await fetch(`${sb.urls.zoom}/contact_center/engagements`, {
        headers: auth(token),
      });
      expect(Number.isNaN(Date.parse(httpDate.headers.get('retry-after') ?? ''))).toBe(false);

      sb.faults.failNext('truto', { status: 429 });
      const t429 = await trutoCall(sb, '/unified/crm/engagements');
      expect(t429.status).toBe(429);
      expect(t429.headers.get('retry-after')).toBe('10');
      sb.faults.failNext('*', { status: 502 });
      const bad = await fetch(`${sb.urls.truto}/unified/crm/engagements`);
      expect(bad.status).toBe(502);
      await bad.text();

      sb.faults.failNext('devrev', { status: 'reset' });
      await expect(
        fetch(`${sb.urls.devrev}/engagements.list`, { headers: auth(sb.credentials.devrev.token) }),
      ).rejects.toThrow();
      expect((await devrevCall(sb, '/engagements.list')).status).toBe(200);
      // OAuth is never faulted unless asked.
      sb.faults.failNext('zoom', { status: 500 });
      await zoomToken(sb);
      expect((await zoomCall(sb, '/contact_center/engagements', token)).status).toBe(500);
      expect(sb.log.entries({ vendor: 'zoom', status: 500 })).toHaveLength(1);
    } finally {
      await sb.close();
    }
  });

  it('random faults are reproducible from the fault seed; latency applies', async () => {
    const run = async () => {
      const sb = await startSandbox({ count: 20, faults: { seed: 7, errorRate: 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await fetch(`${sb.urls.devrev}/engagements.count`, {
          headers: auth(sb.credentials.devrev.token),
        });
        statuses.push(r.status);
        await r.text();
      }
      await sb.close();
      return statuses;
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(a.some((s) => s !== 200)).toBe(true);
    expect(a.some((s) => s === 200)).toBe(true);

    const sb = await startSandbox({ count: 5, faults: { devrev: { latencyMs: 150 } } });
    try {
      const t0 = performance.now();
      await devrevCall(sb, '/engagements.count');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    } finally {
      await sb.close();
    }
  });

  it('schema drift adds unknown fields and enum values', async () => {
    const sb = await startSandbox({ count: 50, faults: { schemaDrift: true } });
    try {
      const r = await fetch(`${sb.urls.devrev}/engagements.list?limit=50`, {
        headers: auth(sb.credentials.devrev.token),
      });
      const body = (await r.json()) as { engagements: Record<string, unknown>[] };
      expect(body.engagements.some((e) => 'x_sandbox_drift' in e)).toBe(true);
      expect(body.engagements.some((e) => e.engagement_type === 'webinar')).toBe(true);
    } finally {
      await sb.close();
    }
  });

  it('admin endpoint sets faults and resets', async () => {
    const sb = await startSandbox({ count: 20 });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${sb.origin}/__admin/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post('faults', { failNext: { vendor: 'truto', status: 503 } })).status).toBe(
        200,
      );
      expect((await trutoCall(sb, '/unified/crm/engagements')).status).toBe(503);
      await post('faults', { truto: { rate500: 1 } });
      expect((await trutoCall(sb, '/unified/crm/engagements')).status).toBe(500);
      expect((await post('reset', {})).status).toBe(200);
      expect((await trutoCall(sb, '/unified/crm/engagements')).status).toBe(200);
    } finally {
      await sb.close();
    }
  });
});

describe('sandbox lifecycle, determinism and scale', () => {
  it('same seed → same data; different seed → different data', async () => {
    const a = await startSandbox({ seed: 1, count: 50, now: '2025-01-01T00:00:00Z' });
    const b = await startSandbox({ seed: 1, count: 50, now: '2025-01-01T00:00:00Z' });
    const c = await startSandbox({ seed: 2, count: 50, now: '2025-01-01T00:00:00Z' });
    try {
      const list = async (sb: typeof a) =>
        (await devrevCall(sb, '/engagements.list', { query: 'limit=50' })).body;
      expect(await list(a)).toEqual(await list(b));
      expect(await list(a)).not.toEqual(await list(c));
      const truto = async (sb: typeof a) =>
        (await trutoCall(sb, '/unified/crm/engagements')).body.result;
      expect(await truto(a)).toEqual(await truto(b));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('reset() restores data and clears the log; the log records params', async () => {
    const sb = await startSandbox({ count: 10 });
    try {
      await devrevCall(sb, '/engagements.delete', { body: { id: 'ENG-1' } });
      expect((await devrevCall(sb, '/engagements.count')).body.count).toBe(9);
      const entry = sb.log.entries({ vendor: 'devrev', path: '/engagements.delete' })[0];
      expect(entry).toMatchObject({ method: 'POST', status: 200, body: { id: 'ENG-1' } });
      sb.reset();
      expect(sb.log.entries()).toHaveLength(0);
      expect((await devrevCall(sb, '/engagements.count')).body.count).toBe(10);
    } finally {
      await sb.close();
    }
  });

  it('pages 100k records with the last page as fast as the first, and serves concurrent requests', async () => {
    const sb = await startSandbox({
      count: 100_000,
      rateLimits: false,
      now: '2025-06-01T00:00:00Z',
    });
    try {
      const t0 = performance.now();
      const first = await devrevCall(sb, '/engagements.list', { query: 'limit=100' });
      const tFirst = performance.now() - t0;
      const t1 = performance.now();
      const last = await devrevCall(sb, '/engagements.list', { query: 'limit=100&mode=before' });
      const tLast = performance.now() - t1;
      expect((last.body.engagements as unknown[]).length).toBe(100);
      expect(last.body.next_cursor).toBeUndefined();
      expect(tLast).toBeLessThan(Math.max(100, tFirst * 5));
      // Walk deep into Truto with a cursor and check latency stays flat.
      let cursor = (await trutoCall(sb, '/unified/crm/engagements', { query: 'limit=250' })).body
        .next_cursor as string;
      for (let i = 0; i < 20; i++) {
        cursor = (
          await trutoCall(sb, '/unified/crm/engagements', {
            query: `limit=250&next_cursor=${encodeURIComponent(cursor)}`,
          })
        ).body.next_cursor as string;
      }
      const t2 = performance.now();
      await trutoCall(sb, '/unified/crm/engagements', {
        query: 'limit=250&start_time=2025-05-31T00:00:00Z',
      });
      expect(performance.now() - t2).toBeLessThan(200);
      const token = await zoomToken(sb);
      const month = await zoomCall(
        sb,
        '/contact_center/engagements',
        token,
        'from=2025-05-01&to=2025-05-31&page_size=100',
      );
      expect(month.body.total_records).toBeGreaterThan(15_000);
      const many = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          fetch(`${sb.urls.devrev}/engagements.list?limit=5&type=call`, {
            headers: auth(sb.credentials.devrev.token),
          }).then(async (r) => {
            await r.json();
            return r.status + i * 0;
          }),
        ),
      );
      expect(many.every((s) => s === 200)).toBe(true);
      expect(first.status).toBe(200);
    } finally {
      await sb.close();
    }
  });

  it('close() ends keep-alive connections promptly', async () => {
    const sb = await startSandbox({ count: 5 });
    await fetch(`${sb.origin}/__admin/faults`).then((r) => r.text());
    const t0 = performance.now();
    await sb.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect(fetch(`${sb.urls.devrev}/engagements.list`)).rejects.toThrow();
  });

  it('CLI parses flags and runs until aborted', async () => {
    const parsed = parseSandboxArgs([
      '--port',
      '0',
      '--seed',
      '9',
      '--count',
      '100',
      '--fault-rate',
      '0.1',
      '--latency',
      '5',
      '--no-rate-limits',
    ]);
    expect(parsed.options).toMatchObject({
      port: 0,
      seed: 9,
      count: 100,
      rateLimits: false,
      faults: { errorRate: 0.1, latencyMs: 5 },
    });
    const ac = new AbortController();
    let out = '';
    const done = runSandboxCommand(['--json', '--count', '10'], {
      write: (t) => {
        out += t;
      },
      signal: ac.signal,
    });
    while (!out) await new Promise((r) => setTimeout(r, 10));
    const info = JSON.parse(out) as {
      urls: { devrev: string };
      credentials: { devrev: { token: string } };
    };
    const r = await fetch(`${info.urls.devrev}/engagements.count`, {
      headers: auth(info.credentials.devrev.token),
    });
    expect(await r.json()).toEqual({ count: 10 });
    ac.abort();
    expect(await done).toBe(0);
  });
});
