import { type EngagementChange, InputValidationError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';
import { BASE, record, setupNock } from './helpers';
import { type ServedRecord, zoomServer } from './zoom-server';

beforeAll(setupNock);
afterEach(() => {
  nock.cleanAll();
  vi.useRealTimers();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** "Now" of the first run: 2026-03-10T12:00:00Z. */
const T = Date.UTC(2026, 2, 10, 12);

const adapter = (extra: Record<string, unknown> = {}) =>
  createZoomContactCenterAdapter({
    accessToken: 'test-access-token',
    baseUrl: BASE,
    rateLimit: false,
    maxRetries: 2,
    ...extra,
  });

/** Freezes `Date` (only: timers stay real, so nock and retries run) at `ms`. */
function clockAt(ms: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(ms);
}

const zoomTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const windows = (queries: URLSearchParams[]) =>
  queries.filter((q) => !q.get('next_page_token')).map((q) => [q.get('from'), q.get('to')]);
const remoteIds = (changes: EngagementChange[]) => changes.map((c) => c.remoteId);

/** `n` records an hour apart from `startMs`, ids `{prefix}000`… */
const hourly = (n: number, startMs: number, prefix = 'e') =>
  Array.from({ length: n }, (_, i) =>
    record(`${prefix}${String(i).padStart(3, '0')}`, startMs + i * HOUR),
  );

describe('capabilities.changes', () => {
  it('is window mode, no deletions, 24 h lookback by default', () => {
    expect(adapter().capabilities.changes).toEqual({
      mode: 'window',
      deletes: 'none',
      lookbackMs: DAY,
    });
  });

  it('takes the lookback from changesLookbackMs', () => {
    expect(adapter({ changesLookbackMs: 2 * HOUR }).capabilities.changes?.lookbackMs).toBe(
      2 * HOUR,
    );
  });

  it.each<unknown>([1_000, 91 * DAY, HOUR + 0.5, '24h'])(
    'refuses changesLookbackMs %s with an InputValidationError naming the option',
    (value) => {
      let error: unknown;
      try {
        adapter({ changesLookbackMs: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputValidationError);
      const issues = (error as InputValidationError).issues;
      expect(issues).toHaveLength(1);
      expect(issues[0]!.path).toBe('changesLookbackMs');
    },
  );
});

describe('engagements.changes() windows', () => {
  it('a first run reads from `since` to now, sliced into windows Zoom accepts', async () => {
    clockAt(T);
    const server = zoomServer(hourly(3, T - 60 * DAY));
    const feed = adapter().engagements.changes({ since: new Date(T - 60 * DAY) });
    const changes = await feed.toArray();
    expect(remoteIds(changes)).toEqual(['e000', 'e001', 'e002']);
    expect(feed.done).toBe(true);
    expect(windows(server.queries)).toEqual([
      [zoomTime(T - 60 * DAY), zoomTime(T - 33 * DAY)],
      [zoomTime(T - 33 * DAY), zoomTime(T - 6 * DAY)],
      [zoomTime(T - 6 * DAY), zoomTime(T)],
    ]);
    expect(server.queries.every((q) => q.get('timezone') === 'UTC')).toBe(true);
  });

  it('the next run reads from the previous run start minus the default 24 h lookback', async () => {
    clockAt(T);
    const server = zoomServer(hourly(2, T - 3 * HOUR));
    const first = adapter().engagements.changes({ since: '2026-03-01T00:00:00Z' });
    await first.toArray();
    clockAt(T + 2 * HOUR);
    const second = adapter().engagements.changes({ since: first.checkpoint });
    expect(await second.toArray()).toEqual([]);
    clockAt(T + 30 * HOUR);
    await adapter().engagements.changes({ since: second.checkpoint }).toArray();
    expect(windows(server.queries)).toEqual([
      ['2026-03-01T00:00:00Z', '2026-03-10T12:00:00Z'],
      ['2026-03-09T12:00:00Z', '2026-03-10T14:00:00Z'],
      ['2026-03-09T14:00:00Z', '2026-03-11T18:00:00Z'],
    ]);
  });

  it('never reads before the first run’s `since`, however long the lookback', async () => {
    clockAt(T);
    const server = zoomServer([]);
    const first = adapter().engagements.changes({ since: '2026-03-10T06:00:00Z' });
    await first.toArray();
    clockAt(T + HOUR);
    await adapter().engagements.changes({ since: first.checkpoint }).toArray();
    expect(windows(server.queries)).toEqual([
      ['2026-03-10T06:00:00Z', '2026-03-10T12:00:00Z'],
      ['2026-03-10T06:00:00Z', '2026-03-10T13:00:00Z'],
    ]);
  });

  it('reads back changesLookbackMs before the previous run start', async () => {
    clockAt(T);
    const server = zoomServer([]);
    const zoom = adapter({ changesLookbackMs: 90 * 60_000 });
    const first = zoom.engagements.changes({ since: new Date(T - 10 * DAY) });
    await first.toArray();
    clockAt(T + 5 * HOUR);
    await zoom.engagements.changes({ since: first.checkpoint }).toArray();
    expect(windows(server.queries)).toEqual([
      [zoomTime(T - 10 * DAY), zoomTime(T)],
      [zoomTime(T - 90 * 60_000), zoomTime(T + 5 * HOUR)],
    ]);
  });

  it('a `since` ahead of now reads one empty second and moves nothing forward', async () => {
    clockAt(T);
    const server = zoomServer([]);
    const feed = adapter().engagements.changes({ since: new Date(T + HOUR) });
    expect(await feed.toArray()).toEqual([]);
    expect(windows(server.queries)).toEqual([[zoomTime(T + HOUR), zoomTime(T + HOUR + 1000)]]);
  });

  it('caps pageSize at Zoom’s 100 and keeps kinds in the checkpoint', async () => {
    clockAt(T);
    const server = zoomServer([
      record('call1', T - HOUR),
      record('sms1', T - HOUR, { channels: [{ channel: 'messaging', channel_source: 'sms' }] }),
    ]);
    const feed = adapter().engagements.changes({
      since: new Date(T - DAY),
      pageSize: 500,
      kinds: ['sms'],
    });
    expect(remoteIds(await feed.toArray())).toEqual(['sms1']);
    expect(server.queries[0]!.get('page_size')).toBe('100');
    expect(server.queries[0]!.get('channel_sources')).toBe('sms');
    expect(() => adapter().engagements.changes({ since: feed.checkpoint })).toThrow(
      InputValidationError,
    );
  });
});

describe('engagements.changes() content', () => {
  it('delivers what is new or changed within the lookback, once, with its current content', async () => {
    clockAt(T);
    const served: ServedRecord[] = [
      record('old', T - 3 * DAY),
      record('running', T - 2 * HOUR),
      record('done', T - 5 * HOUR, { end_time: zoomTime(T - 4 * HOUR) }),
    ];
    zoomServer(served);
    const zoom = adapter();
    const first = zoom.engagements.changes({ since: new Date(T - 10 * DAY) });
    expect(remoteIds(await first.toArray())).toEqual(['old', 'done', 'running']);

    // Between runs: the running engagement ends and gets a disposition, a late one is logged,
    // and the 3-day-old one (outside the 24 h lookback) gets a note.
    served[1] = record('running', T - 2 * HOUR, {
      end_time: zoomTime(T - HOUR),
      dispositions: [{ disposition_id: 'd1', disposition_name: 'Resolved' }],
    });
    served.push(record('late', T - 20 * HOUR));
    served[0] = record('old', T - 3 * DAY, {
      end_time: zoomTime(T - 3 * DAY + HOUR),
    });
    clockAt(T + HOUR);
    const second = zoom.engagements.changes({ since: first.checkpoint });
    const changes = await second.toArray();
    expect(remoteIds(changes)).toEqual(['late', 'running']);
    const running = changes[1]!;
    expect(running).toMatchObject({
      type: 'upsert',
      id: 'zoom-contact-center:running',
      provider: 'zoom-contact-center',
      source: 'feed',
      changedAt: '2026-03-10T11:00:00.000Z',
    });
    expect(running.engagement?.endTime).toBe('2026-03-10T11:00:00.000Z');

    // Nothing changed: nothing delivered, though the window is read again.
    clockAt(T + 2 * HOUR);
    expect(await zoom.engagements.changes({ since: second.checkpoint }).toArray()).toEqual([]);
  });
});

describe('engagements.changes() resumed', () => {
  it('resumes a run stopped part-way from its checkpoint: the rest, nothing twice', async () => {
    clockAt(T);
    const server = zoomServer(hourly(7, T - 10 * HOUR));
    const zoom = adapter();
    const feed = zoom.engagements.changes({ since: new Date(T - DAY), pageSize: 2 });
    const got: string[] = [];
    for await (const change of feed) {
      got.push(change.remoteId);
      if (got.length === 3) break;
    }
    expect(feed.done).toBe(false);
    const requestsBefore = server.queries.length;
    clockAt(T + 10 * 60_000);
    const resumed = zoom.engagements.changes({ since: feed.checkpoint, pageSize: 2 });
    got.push(...remoteIds(await resumed.toArray()));
    expect(got).toEqual(['e000', 'e001', 'e002', 'e003', 'e004', 'e005', 'e006']);
    expect(resumed.done).toBe(true);
    // The resumed run goes on with Zoom's page token, in the first run's window.
    const next = server.queries[requestsBefore]!;
    expect(next.get('next_page_token')).toMatch(/^tok/);
    expect([next.get('from'), next.get('to')]).toEqual([zoomTime(T - DAY), zoomTime(T)]);

    // The next run starts from the stopped run's start, not the resumed one's.
    clockAt(T + HOUR);
    await zoom.engagements.changes({ since: resumed.checkpoint, pageSize: 2 }).toArray();
    expect(windows(server.queries).at(-1)).toEqual([zoomTime(T - DAY), zoomTime(T + HOUR)]);
  });

  it('resumes a checkpoint whose Zoom page token expired: the window restarts, nothing lost or repeated', async () => {
    clockAt(T);
    const server = zoomServer(hourly(7, T - 10 * HOUR));
    const zoom = adapter();
    const feed = zoom.engagements.changes({ since: new Date(T - DAY), pageSize: 3 });
    const got: string[] = [];
    for await (const change of feed) {
      got.push(change.remoteId);
      if (got.length === 4) break;
    }
    server.expireAll();
    const requestsBefore = server.queries.length;
    clockAt(T + 20 * 60_000);
    const resumed = zoom.engagements.changes({ since: feed.checkpoint, pageSize: 3 });
    got.push(...remoteIds(await resumed.toArray()));
    expect(got).toEqual(['e000', 'e001', 'e002', 'e003', 'e004', 'e005', 'e006']);
    const after = server.queries.slice(requestsBefore).map((q) => q.get('next_page_token') ?? '');
    // The expired token is refused once, then the window is read again from its first page.
    expect(after).toHaveLength(4);
    expect(after[0]).toMatch(/^tok/);
    expect(after[1]).toBe('');
    expect(after[2]).toMatch(/^tok/);
    expect(after[2]).not.toBe(after[0]);
  });

  it("fails a resume on an expired token with onExpiredPageToken: 'fail', keeping the checkpoint", async () => {
    clockAt(T);
    const server = zoomServer(hourly(4, T - 10 * HOUR));
    const zoom = adapter({ onExpiredPageToken: 'fail' });
    const feed = zoom.engagements.changes({ since: new Date(T - DAY), pageSize: 2 });
    let n = 0;
    // Stopped on the second page, whose Zoom token the checkpoint holds.
    for await (const _ of feed) if (++n === 3) break;
    server.expireAll();
    const resumed = zoom.engagements.changes({ since: feed.checkpoint, pageSize: 2 });
    await expect(resumed.toArray()).rejects.toMatchObject({ reason: 'expired-token' });
    expect(resumed.checkpoint).toBe(feed.checkpoint);
  });

  it('waits out a 429 within a run and delivers everything', async () => {
    clockAt(T);
    const delays: number[] = [];
    nock('https://zoom.test')
      .get('/v2/contact_center/engagements')
      .query(true)
      .reply(
        429,
        { code: 429, message: 'You have reached the maximum per-second rate limit.' },
        { 'Retry-After': '1' },
      );
    zoomServer(hourly(3, T - 5 * HOUR));
    const feed = adapter({
      hooks: { onRetry: (i: { delayMs: number }) => delays.push(i.delayMs) },
    }).engagements.changes({ since: new Date(T - DAY) });
    expect(remoteIds(await feed.toArray())).toEqual(['e000', 'e001', 'e002']);
    expect(delays).toEqual([1000]);
  });
});
