import { ResponseValidationError } from '@engagekit/core';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { conversation, engagement, engagementId } from './fixtures';
import { adapter, BASE, useNock } from './helpers';

useNock();

const json = (value: unknown) => JSON.stringify(value);
// Raw JSON text: `1e309` only exists before JSON.parse (which makes it Infinity).
const ENGAGEMENTS_1 = `{"engagements": [${[
  json(engagement('a')),
  json({ id: engagementId('b'), created_date: '0000-00-00' }),
  json({ created_date: '2026-01-01T00:00:00Z' }),
  `{"id": "${engagementId('d')}", "created_date": "2026-01-01T00:00:00Z", "custom_fields": {"score": 1e309}}`,
  json(engagement('e')),
].join(', ')}], "next_cursor": "cur-2"}`;
const ENGAGEMENTS_2 = json({ engagements: [engagement('f')] });

/** Serves the two engagements pages by `cursor`, each at most `times` times. */
function serveEngagements(times = 1) {
  const served: string[] = [];
  for (const [name, cursor, body] of [
    ['page-1', undefined, ENGAGEMENTS_1],
    ['page-2', 'cur-2', ENGAGEMENTS_2],
  ] as const) {
    nock(BASE)
      .get('/engagements.list')
      .query((q) => q.cursor === cursor)
      .times(times)
      .reply(() => {
        served.push(name);
        return [200, body, { 'content-type': 'application/json' }];
      });
  }
  return served;
}

const remoteIds = (items: { remoteId: string }[]) =>
  items.map((e) => e.remoteId.replace(/^.*\//, ''));

describe('DevRev engagements: one bad record does not stop the listing', () => {
  it('fails on the first bad record by default, naming it', async () => {
    serveEngagements();
    const error = await adapter()
      .engagements.list()
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).path).toBe('engagements.1.created_date');
  });

  it("with 'skip', lists past bad records and reports each with path, vendor id, issues and raw", async () => {
    const served = serveEngagements();
    const listing = adapter().engagements.list({ onInvalidRecord: 'skip' });
    expect(remoteIds(await listing.toArray())).toEqual(['a', 'e', 'f']);
    expect(served).toEqual(['page-1', 'page-2']);
    expect(
      listing.skipped.map((r) => ({
        provider: r.provider,
        remoteId: r.remoteId,
        path: r.path,
        issues: r.issues.map((i) => `${i.path}:${i.rule}`),
      })),
    ).toEqual([
      {
        provider: 'devrev',
        remoteId: engagementId('b'),
        path: ['engagements', 1],
        issues: ['engagements.1.created_date:invalid_date'],
      },
      {
        provider: 'devrev',
        remoteId: undefined,
        path: ['engagements', 2],
        issues: ['engagements.2.id:invalid_type'],
      },
      {
        provider: 'devrev',
        remoteId: engagementId('d'),
        path: ['engagements', 3],
        issues: ['engagements.3.custom_fields:not_finite'],
      },
    ]);
    expect(listing.skipped[2]?.raw).toEqual({
      id: engagementId('d'),
      created_date: '2026-01-01T00:00:00Z',
      custom_fields: { score: Number.POSITIVE_INFINITY },
    });
  });

  it('a listing resumed after a skipped record never returns to it', async () => {
    serveEngagements(2);
    const listing = adapter().engagements.list({ onInvalidRecord: 'skip' });
    const before: string[] = [];
    for await (const e of listing) {
      before.push(e.remoteId);
      if (e.remoteId === engagementId('e')) break;
    }
    expect(remoteIds(before.map((remoteId) => ({ remoteId })))).toEqual(['a', 'e']);
    const resumed = adapter().engagements.list({ onInvalidRecord: 'skip', cursor: listing.cursor });
    expect(remoteIds(await resumed.toArray())).toEqual(['f']);
    expect(resumed.skippedCount).toBe(0);
  });
});

describe('DevRev conversations: one bad record does not stop the listing', () => {
  const conv = (n: string) => conversation({ id: `don:core:dvrv-us-1:devo/1:conversation/${n}` });

  it("with 'skip', lists past bad conversations and reports them", async () => {
    const bodies: unknown[] = [];
    nock(BASE)
      .post('/conversations.list', (b) => {
        bodies.push(b);
        return bodies.length <= 2;
      })
      .times(2)
      .reply(() =>
        bodies.length === 1
          ? [
              200,
              `{"conversations": [${[
                json(conv('a')),
                json({ id: 'don:core:dvrv-us-1:devo/1:conversation/b', members: 'nobody' }),
                '{"id": "c", "members": [], "created_date": "2026-02-01T00:00:00Z", "custom_fields": {"n": -1e309}}',
              ].join(', ')}], "next_cursor": "c2"}`,
              { 'content-type': 'application/json' },
            ]
          : [200, json({ conversations: [conv('d')] })],
      );
    const listing = adapter().conversations.list({ onInvalidRecord: 'skip' });
    expect(remoteIds(await listing.toArray())).toEqual(['a', 'd']);
    expect(listing.skipped.map((r) => [r.remoteId, r.path, r.issues[0]?.path])).toEqual([
      ['don:core:dvrv-us-1:devo/1:conversation/b', ['conversations', 1], 'conversations.1.members'],
      ['c', ['conversations', 2], 'conversations.2.custom_fields'],
    ]);
  });
});
