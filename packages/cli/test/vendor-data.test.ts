import { createServer, type Server } from 'node:http';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, ndjson } from './helpers';

const ESC = '\u001b';
const HOSTILE_SUBJECT = `${ESC}]0;pwned\u0007${ESC}[31mRED\u009b2J`;

type Rewrite = (body: { result?: Array<Record<string, unknown>> }) => void;

/**
 * A loopback proxy in front of the sandbox's Truto that rewrites engagement pages (to plant broken
 * or hostile records) or answers with a hostile error. At most `maxRequests` requests are served.
 */
async function trutoProxy(sb: Sandbox) {
  const state: { rewrite?: Rewrite; error?: { status: number; body: unknown }; requests: number } =
    {
      requests: 0,
    };
  const maxRequests = 200;
  const server: Server = createServer(async (req, res) => {
    state.requests++;
    if (state.requests > maxRequests) {
      res.writeHead(599).end();
      return;
    }
    if (state.error) {
      res.writeHead(state.error.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(state.error.body));
      return;
    }
    const upstream = await fetch(`${sb.origin}${req.url ?? '/'}`, {
      headers: { authorization: String(req.headers.authorization ?? '') },
    });
    let text = await upstream.text();
    if (state.rewrite && req.url?.includes('/unified/crm/engagements') && upstream.ok) {
      const body = JSON.parse(text) as { result?: Array<Record<string, unknown>> };
      state.rewrite(body);
      text = JSON.stringify(body);
    }
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    state,
    url: `http://127.0.0.1:${address.port}/truto`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('vendor data the CLI must not trust', { timeout: 60_000 }, () => {
  let sb: Sandbox;
  let proxy: Awaited<ReturnType<typeof trutoProxy>>;
  let env: Record<string, string>;
  const args = ['--from', '2026-05-01T00:00:00Z', '--to', '2026-11-01T00:00:00Z'];
  beforeAll(async () => {
    sb = await startSandbox({ seed: 42, count: 60, now: new Date('2026-11-01T00:00:00Z') });
    proxy = await trutoProxy(sb);
    env = {
      TRUTO_TOKEN: sb.credentials.truto.token,
      TRUTO_INTEGRATED_ACCOUNT_ID: sb.credentials.truto.integratedAccountId,
      TRUTO_BASE_URL: proxy.url,
    };
  });
  beforeEach(() => {
    proxy.state.rewrite = undefined;
    proxy.state.error = undefined;
    proxy.state.requests = 0;
  });
  afterAll(async () => {
    await proxy.close();
    await sb.close();
  });

  /** Breaks the 2nd record of every page (an object for its id) and drops the 3rd one's id. */
  const breakTwoPerPage: Rewrite = (body) => {
    const [, second, third] = body.result ?? [];
    if (second) second.id = { nested: true };
    if (third) delete third.id;
  };

  it('without --skip-invalid a broken record fails the listing (exit 1)', async () => {
    proxy.state.rewrite = breakTwoPerPage;
    const r = await cli(['list', '--format', 'ndjson', ...args], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ResponseValidationError: /);
  });

  it('--skip-invalid lists the rest and reports each skipped record on one stderr line', async () => {
    const whole = ndjson((await cli(['list', '--format', 'ndjson', ...args], { env })).stdout);
    proxy.state.rewrite = breakTwoPerPage;
    const r = await cli(['list', '--format', 'ndjson', '--skip-invalid', ...args], { env });
    expect(r.code).toBe(0);
    const listed = ndjson(r.stdout);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(listed.length + lines.length).toBe(whole.length);
    expect(lines.filter((l) => l.includes(' at result.1: result.1.id: '))).toHaveLength(
      lines.length / 2,
    );
    for (const line of lines) {
      expect(line).toMatch(
        /^warning: skipped invalid record truto \(no id\) at result\.[12]: result\.[12]\.id: /,
      );
    }
  });

  it('table output escapes terminal control sequences from vendor data, on and off a terminal', async () => {
    proxy.state.rewrite = (body) => {
      for (const record of body.result ?? []) record.subject = HOSTILE_SUBJECT;
    };
    for (const tty of [true, false]) {
      const r = await cli(['list', '--format', 'table', '--limit', '3', ...args], {
        env,
        tty,
        columns: 200,
      });
      expect(r.code).toBe(0);
      for (const c of [ESC, '\u0007', '\u009b']) expect(r.stdout.includes(c)).toBe(false);
      expect(r.stdout).toContain('\\x1b]0;pwned\\x07\\x1b[31mRED\\x9b2J');
    }
  });

  it('csv escapes cells that start like a formula', async () => {
    proxy.state.rewrite = (body) => {
      const formulas = ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)'];
      (body.result ?? []).forEach((record, i) => {
        record.subject = formulas[i % formulas.length];
      });
    };
    const r = await cli(['list', '--format', 'csv', '--limit', '4', ...args], { env });
    expect(r.code).toBe(0);
    const subjects = r.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[9]);
    expect(subjects).toEqual([`"'=HYPERLINK(""http://x"")"`, "'+1+1", "'-2+3", "'@SUM(A1)"]);
  });

  it('an error message carrying control sequences is printed escaped', async () => {
    proxy.state.error = {
      status: 400,
      body: { message: `bad ${ESC}[2J${ESC}]0;owned\u0007 filter` },
    };
    const r = await cli(['list', '--format', 'ndjson', ...args], { env });
    expect(r.code).toBe(1);
    for (const c of [ESC, '\u0007']) expect(r.stderr.includes(c)).toBe(false);
    expect(r.stderr).toContain('bad \\x1b[2J\\x1b]0;owned\\x07 filter');
  });
});
