import { describe, expect, it } from 'vitest';
import { cli, spawnCli } from './helpers';

const DAY = 86_400_000;
const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// Far from UTC on both sides, and one of them with a half-hour offset.
const ZONES = ['America/New_York', 'Asia/Kolkata'];

describe('one rule for dates in flags: a date-time without an offset is UTC', {
  timeout: 60_000,
}, () => {
  it.each(ZONES)('list --from/--to under TZ=%s', async (tz) => {
    const today = Math.floor(Date.now() / DAY) * DAY;
    const from = dateOnly(today - 10 * DAY);
    const to = dateOnly(today - 2 * DAY);
    const r = await spawnCli(
      [
        'list',
        '--sandbox',
        '--format',
        'ndjson',
        '--limit',
        '1',
        '--from',
        `${from}T00:00:00`,
        '--to',
        to,
      ],
      { TZ: tz },
    );
    expect(r.stderr).toContain(`--from ${from}T00:00:00.000Z --to ${to}T00:00:00.000Z`);
    expect(r.code).toBe(0);
  });

  it.each(ZONES)('create --occurred-at under TZ=%s', async (tz) => {
    const r = await spawnCli(
      [
        'create',
        '--sandbox',
        '--provider',
        'devrev',
        '--kind',
        'call',
        '--subject',
        'Call with Acme',
        '--participant',
        'don:identity:dvrv-us-1:devo/7Sx0sb:revu/17',
        '--occurred-at',
        '2026-01-05T10:00:00',
      ],
      { TZ: tz },
    );
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { occurredAt: string }).occurredAt).toBe(
      '2026-01-05T10:00:00.000Z',
    );
  });

  it('the rule is in the --help texts', async () => {
    for (const c of ['list', 'create']) {
      const r = await cli([c, '--help'], { columns: 200 });
      expect(r.stdout.replace(/\s+/g, ' ')).toContain('(no offset = UTC)');
    }
  });
});
