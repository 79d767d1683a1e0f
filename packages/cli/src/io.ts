/** Where the CLI writes and what it reads: injectable so tests run commands in-process. */
export interface CliStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface CliIO {
  stdout: CliStream;
  stderr: CliStream;
  /** Environment variables (credentials are read from here). */
  env: Record<string, string | undefined>;
  /** Where `--…-file -` reads a secret from (default process.stdin). */
  stdin?: AsyncIterable<unknown> | undefined;
  /** Stops long-running commands (`sandbox`) instead of waiting for SIGINT. */
  signal?: AbortSignal | undefined;
}

/** Writes and, when the stream pushes back, waits for it to drain. */
export async function writeOut(stream: CliStream, chunk: string): Promise<void> {
  const ok = stream.write(chunk);
  const s = stream as CliStream & { once?: (event: string, fn: () => void) => unknown };
  if (ok === false && typeof s.once === 'function') {
    await new Promise<void>((resolve) => s.once?.('drain', resolve));
  }
}

/** A bad command line (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Credentials are missing for one or more providers (exit code 2). */
export class MissingCredentialsError extends Error {
  override readonly name = 'MissingCredentialsError';
  constructor(readonly missing: Array<{ provider: string; items: string[] }>) {
    super(
      [
        'Missing credentials:',
        ...missing.map((m) => `  ${m.provider}: ${m.items.join(', ')}`),
        'Set the environment variables, pass the flags, or add --sandbox to run against the local emulators.',
      ].join('\n'),
    );
  }
}
