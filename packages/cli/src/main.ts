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
  // During `list` and `changes` the first Ctrl+C stops cleanly (the output is ended and the resume
  // line or checkpoint printed), and `listen` closes its server; a second one exits at once. Other
  // commands keep the default (or their own) handling.
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  };
  const graceful = ['list', 'changes', 'listen', 'sync'].includes(argv[2] ?? '');
  if (graceful) process.on('SIGINT', onSigint);
  const code = await run(argv.slice(2), graceful ? { signal: interrupt.signal } : {});
  if (graceful) process.off('SIGINT', onSigint);
  process.exitCode = code;
  // Idle keep-alive sockets must not hold the process open.
  setTimeout(() => process.exit(code), 2_000).unref();
  return code;
}
