import { type Engagement, InputValidationError, PageIterator } from '@engagekit/core';
import {
  AdapterChangeFeed,
  type ChangeFeedSource,
  type ChangeListRequest,
} from '@engagekit/core/adapter';
import { describe, expect, it } from 'vitest';

const T0 = Date.UTC(2026, 0, 1);

function engagement(n: number): Engagement {
  return {
    id: `acme:r${n}`,
    provider: 'acme',
    remoteId: `r${n}`,
    kind: 'call',
    occurredAt: new Date(T0 + n * 1000).toISOString(),
    updatedAt: new Date(T0 + n * 1000).toISOString(),
    participants: [],
    related: [],
    notes: [],
    dispositions: [],
    tags: [],
  };
}

/** A source of two records that keeps every listing request it is asked for (capped). */
function recordingSource() {
  const requests: ChangeListRequest[] = [];
  const source: ChangeFeedSource = {
    now: () => T0 + 60_000,
    list(request) {
      if (requests.length >= 10) throw new Error('too many listings');
      requests.push(request);
      return new PageIterator<Engagement>(async function* (sink) {
        yield { items: [engagement(1), engagement(2)], cursorAfter: (i) => `c${i}` };
        sink.finished('end');
      });
    },
  };
  return { requests, source };
}

const capabilities = { mode: 'modified', deletes: 'none' } as const;

describe('changes({ request })', () => {
  it("hands the feed's per-call request options to the source on every listing, resumed runs included", async () => {
    const { requests, source } = recordingSource();
    const beforeRequest = async () => {};
    const request = { beforeRequest, timeoutMs: 5_000, headers: { 'x-run': 'a' } };
    const feed = new AdapterChangeFeed('acme', capabilities, source, {
      since: new Date(T0),
      request,
    });
    expect((await feed.toArray()).map((c) => c.id)).toEqual(['acme:r1', 'acme:r2']);
    expect(feed.done).toBe(true);
    // A second run of the same feed lists again, with the same options.
    expect(await feed.toArray()).toEqual([]);
    // And a feed resumed from the checkpoint with new options hands those on.
    const other = { beforeRequest: async () => {}, maxRetries: 1 };
    const resumed = new AdapterChangeFeed('acme', capabilities, source, {
      since: feed.checkpoint,
      request: other,
    });
    await resumed.toArray();
    expect(requests.length).toBe(3);
    expect(requests[0]?.request).toEqual(request);
    expect(requests[0]?.request?.beforeRequest).toBe(beforeRequest);
    expect(requests[1]?.request?.beforeRequest).toBe(beforeRequest);
    expect(requests[2]?.request).toEqual(other);
    expect(requests[2]?.request?.beforeRequest).toBe(other.beforeRequest);
  });

  it('without request options the source gets none', async () => {
    const { requests, source } = recordingSource();
    await new AdapterChangeFeed('acme', capabilities, source, { since: new Date(T0) }).toArray();
    expect(requests.length).toBe(1);
    expect(requests[0]?.request).toBeUndefined();
  });

  it.each([
    ['a beforeRequest that is not a function', { beforeRequest: 'later' }, 'request.beforeRequest'],
    ['a negative maxRetries', { maxRetries: -1 }, 'request.maxRetries'],
    ['an unknown option', { retries: 2 }, 'request.retries'],
  ])('refuses %s as list() does, before any listing', (_name, request, path) => {
    const { requests, source } = recordingSource();
    const create = () =>
      new AdapterChangeFeed('acme', capabilities, source, {
        since: new Date(T0),
        request: request as never,
      });
    expect(create).toThrow(InputValidationError);
    try {
      create();
    } catch (error) {
      expect((error as InputValidationError).issues.map((i) => i.path)).toEqual([path]);
    }
    expect(requests.length).toBe(0);
  });
});
