import { describe, expect, it } from 'vitest';
import { runInZone } from '../../../test-support/in-zone';

// One rule for dates: a date-time without an offset is UTC, whatever the process zone.
describe.each([
  ['America/New_York', 300],
  ['Asia/Kolkata', -330],
])('DevRev under TZ=%s', (timeZone, januaryOffset) => {
  it('sends offset-less occurredAt, startTime and from as UTC', async () => {
    const out = (await runInZone(timeZone, new URL('./tz-dates.script.ts', import.meta.url))) as {
      januaryOffset: number;
      requests: { path: string; body: Record<string, unknown> }[];
    };
    // The child truly ran in that zone.
    expect(out.januaryOffset).toBe(januaryOffset);
    expect(out.requests.map((r) => r.path)).toEqual([
      '/engagements.create',
      '/engagements.update',
      '/conversations.list',
    ]);
    const [create, update, conversations] = out.requests;
    expect(create?.body.scheduled_date).toBe('2026-01-01T10:00:00.000Z');
    expect(update?.body.scheduled_date).toBe('2026-06-01T10:00:00.000Z');
    expect(conversations?.body.modified_date).toEqual({ after: '2026-01-01T10:00:00.000Z' });
    // Starting node with tsx on a busy machine takes seconds.
  }, 120_000);
});
