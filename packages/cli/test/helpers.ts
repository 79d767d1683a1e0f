import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from '@engagekit/sandbox';
import { run } from '../src/index';

/** A fake stream that records what is written. */
export function capture(columns = 120, isTTY = false, onWrite?: (chunk: string) => void) {
  let text = '';
  return {
    stream: {
      write: (chunk: string) => {
        text += chunk;
        onWrite?.(chunk);
        return true;
      },
      isTTY,
      columns,
    },
    get text() {
      return text;
    },
  };
}

/** Runs the CLI in-process with captured stdout/stderr and the given environment. */
export async function cli(
  args: string[],
  options: {
    env?: Record<string, string | undefined>;
    columns?: number;
    signal?: AbortSignal;
    /** stdout is a terminal (stderr never is, so no progress display). */
    tty?: boolean;
    /** Sees each chunk written to stdout, as it is written. */
    onStdout?: (chunk: string) => void;
  } = {},
) {
  const stdout = capture(options.columns, options.tty === true, options.onStdout);
  const stderr = capture(options.columns);
  const code = await run(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: options.env ?? {},
    signal: options.signal,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const ndjson = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.length > 0)
    .map(
      (l) =>
        JSON.parse(l) as {
          id: string;
          provider: string;
          remoteId: string;
          occurredAt: string;
          kind: string;
        },
    );

export const PROVIDERS = ['devrev', 'truto', 'zoom-contact-center'];

/** The `--cursor … --from … --to …` hint printed after `--limit`. */
export function resumeHint(stderr: string): string[] {
  const m = /--cursor (\S+) --from (\S+) --to (\S+)/.exec(stderr);
  if (!m) throw new Error(`no resume hint in: ${stderr}`);
  return ['--cursor', m[1] as string, '--from', m[2] as string, '--to', m[3] as string];
}

/** Environment variables that point every provider at a running sandbox. */
export function sandboxEnv(sb: Sandbox): Record<string, string> {
  const c = sb.credentials;
  return {
    DEVREV_TOKEN: c.devrev.token,
    DEVREV_BASE_URL: sb.urls.devrev,
    ZOOM_ACCOUNT_ID: c.zoom.accountId,
    ZOOM_CLIENT_ID: c.zoom.clientId,
    ZOOM_CLIENT_SECRET: c.zoom.clientSecret,
    ZOOM_BASE_URL: sb.urls.zoom,
    ZOOM_OAUTH_URL: sb.urls.zoomOAuth,
    TRUTO_TOKEN: c.truto.token,
    TRUTO_INTEGRATED_ACCOUNT_ID: c.truto.integratedAccountId,
    TRUTO_BASE_URL: sb.urls.truto,
  };
}

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Runs the CLI from source in a child process (node + tsx; the repo's tsconfig paths map the
 * workspace packages to their sources), for what only a fresh process shows: TZ, argv, exit codes.
 */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'packages/cli/src/bin.ts', ...args],
      { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(error);
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
