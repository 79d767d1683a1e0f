import { Command } from 'commander';
import { changesCommand } from './commands/changes';
import { createCommand } from './commands/create';
import { demoCommand } from './commands/demo';
import { getCommand } from './commands/get';
import { listCommand } from './commands/list';
import { listenCommand } from './commands/listen';
import { sandboxCommand } from './commands/sandbox';
import { sqlCommand } from './commands/sql';
import { syncCommand } from './commands/sync';
import { EXIT, report } from './errors';
import type { CliIO } from './io';

export const VERSION = '0.1.0';

export { EXIT } from './errors';

/**
 * Commander quotes an unknown `--flag=value` (or `-xVALUE`) whole: a mistyped
 * `--devrev-tokn=SECRET` would print the secret. Keep the flag, drop the value.
 */
export function withoutOptionValues(message: string): string {
  return message
    .replace(/unknown option '(--[^'=]*)=[^']*'/g, "unknown option '$1=…'")
    .replace(/unknown option '(-[^-'])[^']+'/g, "unknown option '$1…'");
}

/** Builds the `engagekit` program; `done` receives each command's exit code. */
export function buildProgram(io: CliIO, done: (code: number) => void): Command {
  const program = new Command('engagekit')
    .description(
      'List and write engagements (calls, emails, meetings, chats…) across DevRev, Zoom Contact Center and Truto',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: (s, write) => write(withoutOptionValues(s)),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
    })
    .showHelpAfterError('(run with --help for usage)');
  program.addHelpText(
    'after',
    `
Credentials come from environment variables or flags (see "engagekit list --help"):
  DEVREV_TOKEN [DEVREV_BASE_URL]
  ZOOM_ACCOUNT_ID ZOOM_CLIENT_ID ZOOM_CLIENT_SECRET [ZOOM_BASE_URL ZOOM_OAUTH_URL]
  TRUTO_TOKEN TRUTO_INTEGRATED_ACCOUNT_ID [TRUTO_BASE_URL]
or use --sandbox to run against local emulators. Try: engagekit demo`,
  );
  for (const make of [
    listCommand,
    getCommand,
    createCommand,
    changesCommand,
    listenCommand,
    syncCommand,
    sqlCommand,
    sandboxCommand,
    demoCommand,
  ]) {
    // `addCommand` does not copy these settings from the parent, so each subcommand gets them.
    const sub = make(io, done);
    sub
      .exitOverride()
      .configureOutput(program.configureOutput())
      .showHelpAfterError(`(run "engagekit ${sub.name()} --help" for usage)`);
    program.addCommand(sub);
  }
  return program;
}

/**
 * Runs the CLI in-process: `args` are the user arguments (no `node`, no script). Resolves with the
 * exit code; never throws and never exits the process.
 */
export async function run(args: readonly string[], io: Partial<CliIO> = {}): Promise<number> {
  const full: CliIO = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    stdin: 'stdin' in io ? io.stdin : process.stdin,
    signal: io.signal,
  };
  let code: number = EXIT.ok;
  const program = buildProgram(full, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (error) {
    return report(error, full);
  }
}
