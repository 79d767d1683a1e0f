import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  parseSandboxArgs,
  runSandboxCommand,
  SANDBOX_FLAGS,
  SandboxUsageError,
  sandboxUsage,
} from '../src/index';

/** A loopback port some other server holds for the duration of `fn`. */
async function withBusyPort<T>(fn: (port: number) => Promise<T>): Promise<T> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const address = holder.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  try {
    return await fn(address.port);
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
}

const parseError = (argv: string[]) => {
  try {
    parseSandboxArgs(argv);
  } catch (error) {
    return error;
  }
  throw new Error(`parseSandboxArgs(${argv.join(' ')}) did not throw`);
};

describe('engagekit-sandbox command line', () => {
  it('bad values are SandboxUsageErrors naming the flag and the rule', () => {
    const cases: Array<[string[], string]> = [
      [['--port', 'abc'], '--port must be an integer from 0 to 65535, got "abc"'],
      [['--port', '70000'], '--port must be an integer from 0 to 65535, got "70000"'],
      [['--seed', '1.5'], '--seed must be an integer, got "1.5"'],
      [['--count', '0'], '--count must be an integer of at least 1, got "0"'],
      [['--fault-rate', '2'], '--fault-rate must be a number from 0 to 1, got "2"'],
      [['--latency=-5'], '--latency must be a number of at least 0, got "-5"'],
      [['--now', 'tomorrow'], '--now must be an ISO-8601 date, got "tomorrow"'],
      [['--fault-vendors', 'hubspot'], '--fault-vendors takes a comma-separated list of'],
    ];
    for (const [argv, message] of cases) {
      const error = parseError(argv);
      expect(error).toBeInstanceOf(SandboxUsageError);
      expect((error as Error).message).toContain(message);
    }
    expect(parseError(['--bogus'])).toBeInstanceOf(SandboxUsageError);
  });

  it('--fault-vendors scopes the fault flags to those vendors; --now without an offset is UTC', () => {
    const parsed = parseSandboxArgs([
      '--fault-rate',
      '0.5',
      '--latency',
      '3',
      '--schema-drift',
      '--fault-seed',
      '7',
      '--fault-vendors',
      'truto,zoom',
      '--now',
      '2026-11-01T00:00:00',
    ]);
    expect(parsed.options.faults).toEqual({
      seed: 7,
      truto: { errorRate: 0.5, latencyMs: 3, schemaDrift: true },
      zoom: { errorRate: 0.5, latencyMs: 3, schemaDrift: true },
    });
    expect(parsed.options.now).toEqual(new Date('2026-11-01T00:00:00.000Z'));
  });

  it('the usage text lists every flag of the shared definition', () => {
    const usage = sandboxUsage();
    for (const f of SANDBOX_FLAGS) expect(usage).toContain(`--${f.name}`);
    expect(usage).toContain('--help');
  });

  it('a bad flag and a busy port exit 2 with one message on stderr, nothing on stdout', async () => {
    let out = '';
    let err = '';
    const io = {
      write: (t: string) => {
        out += t;
      },
      writeError: (t: string) => {
        err += t;
      },
    };
    expect(await runSandboxCommand(['--port', 'abc'], io)).toBe(2);
    expect(err).toContain('--port must be an integer from 0 to 65535, got "abc"');
    err = '';
    const code = await withBusyPort((port) => runSandboxCommand(['--port', String(port)], io));
    expect(code).toBe(2);
    expect(err).toMatch(/^engagekit-sandbox: port \d+ is already in use on 127\.0\.0\.1/);
    expect(err).not.toContain('EADDRINUSE');
    expect(out).toBe('');
  });
});
