import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index';
import { clearOfWindowEdge, trutoCall } from './helpers';

const PATH = '/unified/crm/engagements';

describe('Truto emulator agrees with Truto’s reference', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ count: 300, now: '2025-06-01T00:00:00Z' });
  });
  afterAll(() => sb.close());

  // Reference: https://truto.one/docs/api-reference/unified-crm-api/engagements (`contact` is an
  // array of `{ id }`, `opportunity` an array of `{ id }`; there is no `contacts`).
  it('serves `contact` and `opportunity` as arrays of { id }, never `contacts`', async () => {
    const r = await trutoCall(sb, PATH, { query: 'limit=250' });
    const result = r.body.result as Record<string, unknown>[];
    expect(result.some((e) => 'contacts' in e)).toBe(false);
    const linked = result.find((e) => Array.isArray(e.contact) && e.contact.length > 0);
    expect(linked?.contact).toEqual(expect.arrayContaining([{ id: expect.any(String) }]));
    const withOpportunity = result.find((e) => e.opportunity !== undefined);
    expect(Array.isArray(withOpportunity?.opportunity)).toBe(true);
  });

  // Reference: https://truto.one/docs/api-reference/unified-crm-api/engagements/create (request
  // body fields are the unified object's: `contact`, not `contacts`).
  it('writes `contact: [{ id }]`, reads it back and filters on `contact[id]`; rejects `contacts`', async () => {
    const created = await trutoCall(sb, PATH, {
      method: 'POST',
      body: {
        engagement_type: 'call',
        start_time: '2025-05-20T10:00:00.000Z',
        contact: [{ id: 'c-fidelity' }],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.contact).toEqual([{ id: 'c-fidelity' }]);
    const found = await trutoCall(sb, PATH, { query: 'contact[id]=c-fidelity' });
    expect((found.body.result as { id: string }[]).map((e) => e.id)).toEqual([created.body.id]);

    const old = await trutoCall(sb, PATH, {
      method: 'POST',
      body: { engagement_type: 'call', contacts: [{ id: 'c-1' }] },
    });
    expect(old.status).toBe(400);
    expect(old.body.details).toEqual({
      failures: [{ path: ['contacts'], message: 'Unrecognized key; the field is contact' }],
    });
    const patched = await trutoCall(sb, `${PATH}/${created.body.id as string}`, {
      method: 'PATCH',
      body: { contacts: [{ id: 'c-2' }] },
    });
    expect(patched.status).toBe(400);
  });

  // Reference: Truto's unified `direction` is `inbound | outbound | missed` on writes.
  it('accepts direction inbound, outbound and missed on writes and rejects internal', async () => {
    for (const direction of ['inbound', 'outbound', 'missed']) {
      const r = await trutoCall(sb, PATH, {
        method: 'POST',
        body: { engagement_type: 'call', direction },
      });
      expect(r.status, direction).toBe(201);
    }
    const internal = await trutoCall(sb, PATH, {
      method: 'POST',
      body: { engagement_type: 'call', direction: 'internal' },
    });
    expect(internal.status).toBe(400);
    expect(internal.body.details).toEqual({
      failures: [{ path: ['direction'], message: 'Must be one of inbound, outbound, missed' }],
    });
  });
});

// Reference: https://truto.one/docs/api-reference/overview/rate-limits (`ratelimit-limit`,
// `ratelimit-remaining`, `ratelimit-reset` = seconds until the window resets).
describe('Truto emulator rate-limit headers', () => {
  it('sends ratelimit-* (no x- prefix) on every answer, and on the 429 with Retry-After', async () => {
    const limited = await startSandbox({
      count: 10,
      truto: { rateLimit: { perAccountPer10s: 3 } },
    });
    try {
      // Truto's fixed 10 s window: a CI run straddled its edge and got remaining 2 on the third.
      await clearOfWindowEdge(10_000);
      const first = await trutoCall(limited, PATH);
      expect(first.status).toBe(200);
      expect(first.headers.get('ratelimit-limit')).toBe('3');
      expect(first.headers.get('ratelimit-remaining')).toBe('2');
      const reset = Number(first.headers.get('ratelimit-reset'));
      expect(Number.isInteger(reset) && reset >= 1 && reset <= 10).toBe(true);
      expect(first.headers.get('x-ratelimit-limit')).toBeNull();
      expect(first.headers.get('x-ratelimit-remaining')).toBeNull();
      expect(first.headers.get('x-ratelimit-reset')).toBeNull();

      await trutoCall(limited, PATH);
      const third = await trutoCall(limited, PATH);
      expect(third.headers.get('ratelimit-remaining')).toBe('0');
      const refused = await trutoCall(limited, PATH);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('ratelimit-limit')).toBe('3');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(Number(refused.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get('retry-after')).toBe('10');
      expect(refused.body.truto_error_insight).toHaveProperty('rate_limit_error');
    } finally {
      await limited.close();
    }
  });

  it('gives an injected 429 the same headers', async () => {
    const faulty = await startSandbox({ count: 10 });
    try {
      faulty.faults.failNext('truto', { status: 429 });
      const r = await trutoCall(faulty, PATH);
      expect(r.status).toBe(429);
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
      expect(r.headers.get('ratelimit-reset')).toBe(r.headers.get('retry-after'));
    } finally {
      await faulty.close();
    }
  });
});
