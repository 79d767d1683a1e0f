import { startSandbox } from '@engagekit/sandbox';
import { describe, expect, it } from 'vitest';
import { cli, ndjson, PROVIDERS } from './helpers';

describe('credentials', () => {
  it('none at all: exit 2, every required variable and flag named, no stack', async () => {
    const r = await cli(['list']);
    expect(r.code).toBe(2);
    for (const name of [
      'DEVREV_TOKEN',
      'ZOOM_ACCOUNT_ID',
      'ZOOM_CLIENT_ID',
      'ZOOM_CLIENT_SECRET',
      'TRUTO_TOKEN',
      'TRUTO_INTEGRATED_ACCOUNT_ID',
      '--devrev-token',
      '--truto-integrated-account-id',
    ]) {
      expect(r.stderr).toContain(name);
    }
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('names exactly what is missing for the providers asked for', async () => {
    const r = await cli(['list', '--provider', 'truto,zoom'], {
      env: { TRUTO_TOKEN: 't', ZOOM_ACCOUNT_ID: 'a', ZOOM_CLIENT_SECRET: 's' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TRUTO_INTEGRATED_ACCOUNT_ID');
    expect(r.stderr).toContain('ZOOM_CLIENT_ID');
    expect(r.stderr).not.toContain('TRUTO_TOKEN ');
    expect(r.stderr).not.toContain('ZOOM_ACCOUNT_ID');
    expect(r.stderr).not.toContain('ZOOM_CLIENT_SECRET');
    expect(r.stderr).not.toContain('DEVREV_TOKEN');
  });

  it('reads env and flags; a rejected token is one line and the secret is never printed', async () => {
    const sb = await startSandbox({ count: 50 });
    try {
      const secret = 'wrong-secret-token-5a1f';
      const env = { DEVREV_TOKEN: secret, DEVREV_BASE_URL: sb.urls.devrev };
      const bad = await cli(['list', '--format', 'ndjson'], { env });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^AuthenticationError: /);
      expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(bad.stderr + bad.stdout).not.toContain(secret);

      const flagged = await cli([
        'list',
        '--format',
        'ndjson',
        '--from',
        '180d',
        '--truto-token',
        sb.credentials.truto.token,
        '--truto-integrated-account-id',
        sb.credentials.truto.integratedAccountId,
        '--truto-base-url',
        sb.urls.truto,
      ]);
      expect(flagged.code).toBe(0);
      const items = ndjson(flagged.stdout);
      expect(items.length).toBeGreaterThan(10);
      expect(new Set(items.map((e) => e.provider))).toEqual(new Set(['truto']));
    } finally {
      await sb.close();
    }
  });
});

describe('get and create', () => {
  it('get <id> prints one engagement', async () => {
    const listed = ndjson(
      (await cli(['list', '--sandbox', '--format', 'ndjson', '--limit', '3'])).stdout,
    );
    for (const e of listed) {
      const r = await cli(['get', e.id, '--sandbox']);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { id: string }).id).toBe(e.id);
    }
    const bad = await cli(['get', 'hubspot:1', '--sandbox']);
    expect(bad.code).toBe(2);
  });

  it('create --provider devrev writes and prints the engagement; invalid input is exit 2 in flag terms', async () => {
    const member = 'don:identity:dvrv-us-1:devo/7Sx0sb:revu/17';
    const r = await cli([
      'create',
      '--sandbox',
      '--provider',
      'devrev',
      '--subject',
      'Call with Acme',
      '--participant',
      member,
      '--occurred-at',
      '2026-01-05T10:00:00Z',
      '--kind',
      'call',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const created = JSON.parse(r.stdout) as { id: string; subject: string; occurredAt: string };
    expect(created.id).toMatch(/^devrev:/);
    expect(created.subject).toBe('Call with Acme');
    expect(created.occurredAt).toBe('2026-01-05T10:00:00.000Z');

    const invalid = await cli(['create', '--sandbox', '--provider', 'devrev', '--subject', 'x']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^error: invalid input: --participant: /);
    expect(invalid.stderr).not.toContain('participantIds');
    expect(invalid.stdout).toBe('');
  });
});

describe('sandbox, demo, help', () => {
  it('sandbox prints URLs and credentials and stops on abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const r = await cli(['sandbox', '--count', '20', '--json'], { signal: controller.signal });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as { urls: Record<string, string> };
    expect(Object.keys(info.urls).sort()).toEqual(['devrev', 'truto', 'zoom', 'zoomOAuth']);
  });

  it('demo exits 0 and prints the table, the summary, the resume and timings', async () => {
    const r = await cli(['demo'], { columns: 140 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Summary: records per provider and kind');
    for (const p of PROVIDERS) expect(r.stdout).toContain(p);
    expect(r.stdout).toMatch(/Created\s+devrev:/);
    expect(r.stdout).toMatch(/Timing\s+\d+ records, \d+ pages/);
    expect(r.stdout).toContain('the resumed union is the full listing');
    expect(r.stdout).not.toContain('✗');
    expect(r.stdout).toContain('all checks passed');
    expect(r.stdout).toContain('Sandbox stopped.');
  });

  it('--help works for the program and every command', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Usage: engagekit');
    for (const c of ['list', 'get', 'create', 'sandbox', 'demo']) expect(top.stdout).toContain(c);
    for (const c of ['list', 'get', 'create', 'sandbox', 'demo']) {
      const r = await cli([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: engagekit ${c}`);
    }
    const list = await cli(['list', '--help']);
    for (const flag of [
      '--format',
      '--limit',
      '--cursor',
      '--sandbox',
      '--devrev-token',
      '(env ZOOM_CLIENT_SECRET)',
    ]) {
      expect(list.stdout).toContain(flag);
    }
  });
});
