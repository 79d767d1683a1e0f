// Run by tz-dates.test.ts in a child process with TZ set: how --from / --occurred-at values are read.
import { parseWhen } from '../src/context';

console.log(
  JSON.stringify({
    januaryOffset: new Date(2026, 0, 1).getTimezoneOffset(),
    dateTime: parseWhen('2026-01-01T10:00:00', '--from').toISOString(),
    date: parseWhen('2026-01-01', '--from').toISOString(),
    withOffset: parseWhen('2026-01-01T10:00:00+02:00', '--from').toISOString(),
  }),
);
