import { EngagekitError } from '@engagekit/core';
import { SandboxUsageError } from '@engagekit/sandbox';
import { CommanderError } from 'commander';
import { escapeControl } from './format';
import { type CliIO, MissingCredentialsError, UsageError } from './io';

/**
 * Exit codes: 0 ok, 1 an engagekit (or other) error, 2 bad usage or missing credentials, 130
 * interrupted (Ctrl+C, as shells report SIGINT).
 */
export const EXIT = { ok: 0, error: 1, usage: 2, interrupted: 130 } as const;

/**
 * One line: the class name and the message (never a stack, never a secret). Vendor text in it
 * has its control characters escaped, so it cannot drive the terminal.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const message = error.message.replace(/\s*\n\s*/g, '; ').trim();
    const name = error instanceof EngagekitError ? error.name : error.name || 'Error';
    return escapeControl(`${name}: ${message}`);
  }
  return escapeControl(String(error));
}

/** Prints what went wrong on stderr (once, in CLI terms) and returns the exit code for it. */
export function report(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    // Commander has already printed help, the version or the usage error.
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.exitCode === 0
    ) {
      return EXIT.ok;
    }
    return EXIT.usage;
  }
  if (error instanceof MissingCredentialsError) {
    io.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof UsageError || error instanceof SandboxUsageError) {
    io.stderr.write(`error: ${escapeControl(error.message)}\n`);
    return EXIT.usage;
  }
  io.stderr.write(`${describeError(error)}\n`);
  if (!(error instanceof EngagekitError) && io.env.ENGAGEKIT_DEBUG && error instanceof Error) {
    io.stderr.write(`${error.stack ?? ''}\n`);
  }
  return EXIT.error;
}
