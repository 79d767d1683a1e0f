import { describe, expect, it } from 'vitest';
import { cli, ndjson, PROVIDERS, resumeHint } from './helpers';

const byTime = (a: { occurredAt: string; id: string }, b: { occurredAt: string; id: string }) =>
  Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('engagekit list --sandbox', () => {
  it('--format ndjson prints one valid JSON object per line, all three providers, in time order', async () => {
    const r = await cli(['list', '--sandbox', '--format', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // not a TTY: no progress, so `| jq` stays clean
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(100);
    const items = lines.map((l) => JSON.parse(l) as ReturnType<typeof ndjson>[number]);
    expect([...new Set(items.map((e) => e.provider))].sort()).toEqual(PROVIDERS);
    expect(new Set(items.map((e) => e.id)).size).toBe(items.length);
    expect([...items].sort(byTime).map((e) => e.id)).toEqual(items.map((e) => e.id));
    // Default range: the last 30 days.
    const oldest = Date.parse(items[0]?.occurredAt ?? '');
    expect(Date.now() - oldest).toBeLessThanOrEqual(30 * 86_400_000 + 60_000);
    // No vendor payload unless --raw.
    expect(items.every((e) => !('raw' in e))).toBe(true);
  });

  it('--format json prints one array; --raw keeps the vendor payload', async () => {
    const r = await cli(['list', '--sandbox', '--format', 'json', '--limit', '7', '--raw']);
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout) as Array<{ raw?: unknown }>;
    expect(items).toHaveLength(7);
    expect(items.every((e) => e.raw !== undefined)).toBe(true);
  });

  it('--format csv prints a header and one row per record', async () => {
    const r = await cli(['list', '--sandbox', '--format', 'csv', '--limit', '12']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'id,provider,remoteId,kind,nativeType,direction,occurredAt,durationSeconds,status,subject,participants,channels,externalUrl',
    );
    expect(lines).toHaveLength(13);
  });

  it('--format table on a terminal fits its width and never cuts an id', async () => {
    const ids = ndjson(
      (await cli(['list', '--sandbox', '--format', 'ndjson', '--limit', '15'])).stdout,
    ).map((e) => e.id);
    expect(ids.some((id) => id.length > 40)).toBe(true);
    for (const columns of [80, 120, 160]) {
      const r = await cli(['list', '--sandbox', '--format', 'table', '--limit', '15'], {
        columns,
        tty: true,
      });
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(15);
      for (const id of ids) expect(r.stdout).toContain(` ${id} `);
      // Only whole ids can push a line past a narrow terminal; from 120 columns on, all fits.
      if (columns >= 120) {
        for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
      }
      expect(r.stdout).toContain('occurredAt');
    }
  });

  it('--format table off a terminal prints whole tab-separated rows, no header, no borders', async () => {
    const listed = ndjson(
      (await cli(['list', '--sandbox', '--format', 'ndjson', '--limit', '15'])).stdout,
    );
    const r = await cli(['list', '--sandbox', '--format', 'table', '--limit', '15'], {
      columns: 40,
    });
    expect(r.code).toBe(0);
    const rows = r.stdout
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows).toHaveLength(15);
    expect(rows.map((cells) => cells.length)).toEqual(Array(15).fill(7));
    expect(rows.map((cells) => cells[0])).toEqual(listed.map((e) => e.id));
    expect(rows.map((cells) => cells[4])).toEqual(listed.map((e) => e.occurredAt));
    expect(r.stdout).not.toMatch(/[│┌─…]/);
  });

  it('--provider and --kind filter; --order desc reverses', async () => {
    const r = await cli([
      'list',
      '--sandbox',
      '--format',
      'ndjson',
      '--provider',
      'zoom,truto',
      '--kind',
      'call,email',
      '--order',
      'desc',
      '--from',
      '60d',
    ]);
    expect(r.code).toBe(0);
    const items = ndjson(r.stdout);
    expect(items.length).toBeGreaterThan(10);
    expect(new Set(items.map((e) => e.provider))).toEqual(
      new Set(['zoom-contact-center', 'truto']),
    );
    expect(items.every((e) => e.kind === 'call' || e.kind === 'email')).toBe(true);
    expect(
      [...items]
        .sort(byTime)
        .reverse()
        .map((e) => e.id),
    ).toEqual(items.map((e) => e.id));
  });

  it('--limit prints a resume cursor; --cursor resumes with nothing repeated or skipped', async () => {
    const first = await cli(['list', '--sandbox', '--format', 'ndjson', '--limit', '10']);
    expect(first.code).toBe(0);
    const hint = resumeHint(first.stderr);
    const next = await cli(['list', '--sandbox', '--format', 'ndjson', '--limit', '15', ...hint]);
    expect(next.code).toBe(0);
    const [, , , from, , to] = hint;
    const whole = await cli([
      'list',
      '--sandbox',
      '--format',
      'ndjson',
      '--limit',
      '25',
      '--from',
      from as string,
      '--to',
      to as string,
    ]);
    const a = ndjson(first.stdout).map((e) => e.id);
    const b = ndjson(next.stdout).map((e) => e.id);
    expect(a).toHaveLength(10);
    expect(b).toHaveLength(15);
    expect(b.filter((id) => a.includes(id))).toEqual([]);
    expect([...a, ...b]).toEqual(ndjson(whole.stdout).map((e) => e.id));
  });

  it('--page-size above a vendor maximum is capped per vendor', async () => {
    const r = await cli([
      'list',
      '--sandbox',
      '--format',
      'ndjson',
      '--page-size',
      '500',
      '--limit',
      '30',
    ]);
    expect(r.code).toBe(0);
    expect(ndjson(r.stdout)).toHaveLength(30);
  });

  it('a cursor without its --from/--to is a usage error (exit 2)', async () => {
    const r = await cli(['list', '--sandbox', '--cursor', 'ek1.abc.def']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from and --to/);
  });

  it('an engagekit error is one line with its class name, exit 1', async () => {
    const r = await cli([
      'list',
      '--sandbox',
      '--cursor',
      'ek1.tampered.cursor',
      '--from',
      '10d',
      '--to',
      'now',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^PaginationError: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('bad flags are usage errors (exit 2)', async () => {
    expect((await cli(['list', '--sandbox', '--format', 'xml'])).code).toBe(2);
    expect((await cli(['list', '--sandbox', '--provider', 'hubspot'])).stderr).toMatch(
      /unknown provider "hubspot"/,
    );
    expect((await cli(['list', '--sandbox', '--kind', 'fax'])).code).toBe(2);
    expect((await cli(['list', '--sandbox', '--limit', '-3'])).code).toBe(2);
    expect((await cli(['list', '--sandbox', '--from', 'yesterday-ish'])).code).toBe(2);
    expect((await cli(['nope'])).code).toBe(2);
  });
});
