import { run } from './run';

/**
 * The process entry point: runs the CLI with the real streams and environment, then exits with
 * its code. `argv` is `process.argv` (node, script, then the user arguments).
 */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  // `engagekit list | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const code = await run(argv.slice(2));
  process.exitCode = code;
  // Idle keep-alive sockets must not hold the process open.
  setTimeout(() => process.exit(code), 2_000).unref();
  return code;
}
