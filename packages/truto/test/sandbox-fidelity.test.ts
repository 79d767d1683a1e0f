import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrutoAdapter } from '../src/index';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ seed: 11, count: 50, now: '2026-03-01T00:00:00Z' });
});
afterAll(() => sb?.close());

const truto = () =>
  createTrutoAdapter({
    ...sb.credentials.truto,
    baseUrl: sb.urls.truto,
    maxRetries: 0,
    rateLimit: false,
  });

// Reference: https://truto.one/docs/api-reference/unified-crm-api/engagements — the sandbox, like
// Truto, stores link contacts under `contact` and refuses `contacts` (see sandbox truto-fidelity).
describe('truto adapter and sandbox agree on contact', () => {
  it('a created engagement is found by the contact it was written with', async () => {
    const a = truto();
    const created = await a.engagements.create({
      kind: 'call',
      direction: 'inbound',
      occurredAt: '2026-02-20T10:00:00Z',
      participantIds: ['c-sandbox-1'],
    });
    expect(created.participants).toContainEqual({ id: 'c-sandbox-1', role: 'contact' });
    const found = await a.engagements.list({ participantIds: ['c-sandbox-1'] }).toArray();
    expect(found.map((e) => e.remoteId)).toEqual([created.remoteId]);
    const posts = sb.log.entries({ vendor: 'truto', method: 'POST' });
    expect(posts.map((e) => e.body)).toEqual([
      expect.objectContaining({ contact: [{ id: 'c-sandbox-1' }] }),
    ]);
  });
});
