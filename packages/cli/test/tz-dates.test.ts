import { describe, expect, it } from 'vitest';
import { runInZone } from '../../../test-support/in-zone';

// One rule for dates: a date-time without an offset is UTC, whatever the process zone.
describe.each([
  ['America/New_York', 300],
  ['Asia/Kolkata', -330],
])('CLI dates under TZ=%s', (timeZone, januaryOffset) => {
  it('reads --from/--to/--occurred-at without an offset as UTC', async () => {
    const out = await runInZone(timeZone, new URL('./tz-dates.script.ts', import.meta.url));
    expect(out).toEqual({
      januaryOffset,
      dateTime: '2026-01-01T10:00:00.000Z',
      date: '2026-01-01T00:00:00.000Z',
      withOffset: '2026-01-01T08:00:00.000Z',
    });
    // Starting node with tsx on a busy machine takes seconds.
  }, 120_000);
});
