import { describe, expect, it } from 'vitest';
import { runInZone } from '../../../test-support/in-zone';

// One rule for dates: a date-time without an offset is UTC, whatever the process zone.
describe.each([
  ['America/New_York', 300],
  ['Asia/Kolkata', -330],
])('Zoom Contact Center under TZ=%s', (timeZone, januaryOffset) => {
  it('asks for the window of offset-less from/to as UTC', async () => {
    const out = (await runInZone(timeZone, new URL('./tz-dates.script.ts', import.meta.url))) as {
      januaryOffset: number;
      urls: string[];
    };
    // The child truly ran in that zone.
    expect(out.januaryOffset).toBe(januaryOffset);
    expect(out.urls).toHaveLength(1);
    const query = new URL(out.urls[0] ?? '', 'http://x').searchParams;
    expect([query.get('from'), query.get('to'), query.get('timezone')]).toEqual([
      '2026-01-01T10:00:00Z',
      '2026-01-02T10:00:00Z',
      'UTC',
    ]);
    // Starting node with tsx on a busy machine takes seconds.
  }, 120_000);
});
