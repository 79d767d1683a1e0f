import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createEngagementsClient,
  createWebhookReceiver,
  type Engagement,
  type EngagementAdapter,
  type WebhookSource,
} from '@engagekit/core';
import { DEVREV_TYPE_PARTITIONS } from '@engagekit/devrev';
import type { Sandbox } from '@engagekit/sandbox';
import {
  createSync,
  type Sync,
  type SyncClient,
  type SyncStats,
  type SyncStore,
} from '@engagekit/sync';
import { pgliteStore } from '@engagekit/sync/pglite';
import { postgresStore } from '@engagekit/sync/postgres';
import { type SyncWorkerEvent, startSyncWorker } from '@engagekit/sync/workers';
import { Command } from 'commander';
import {
  type Connection,
  connect,
  parseInteger,
  parsePositiveInt,
  parseWhen,
  withConnectionOptions,
} from '../context';
import { parseProviders } from '../credentials';
import { describeError, EXIT } from '../errors';
import { type CliIO, UsageError } from '../io';
import { type SharedSubscription, subscribeShared } from '../shared-sandbox';
import { WEBHOOK_SECRETS } from './listen';

/** Where `engagekit sync` and `engagekit sql` keep data unless `--db` says otherwise. */
export const DEFAULT_DB = './.engagekit';

/** A store for `--db`: a `postgres://` URL is a server, anything else a PGlite directory. */
export function openStore(db: string | undefined): { store: SyncStore; label: string } {
  const target = db ?? DEFAULT_DB;
  if (target.trim() === '') throw new UsageError('--db must be a directory or a postgres:// URL');
  if (/^postgres(ql)?:\/\//.test(target)) {
    // The label never shows the password.
    return {
      store: postgresStore(target),
      label: target.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@'),
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !target.startsWith('memory://')) {
    throw new UsageError(
      `--db must be a directory or a postgres:// URL, got "${target.split('//')[0]}//…"`,
    );
  }
  return { store: pgliteStore(target), label: target };
}

/** `30s`, `5m`, `1h` or plain seconds, for `--watch`. */
export function parseInterval(value: string): number {
  const m = /^(\d+)\s*(s|m|h)?$/i.exec(value.trim());
  const unit = { s: 1_000, m: 60_000, h: 3_600_000 }[(m?.[2] ?? 's').toLowerCase() as 's'];
  const ms = m ? Number(m[1]) * unit : Number.NaN;
  if (!Number.isFinite(ms) || ms < 1_000) {
    throw new UsageError(
      `--watch must be an interval like 30s, 5m or 1h (at least 1s), got "${value}"`,
    );
  }
  return ms;
}

interface SyncOptions {
  db?: string;
  from?: string;
  provider?: string;
  watch?: string;
  listen?: string;
  sandbox?: boolean;
  [flag: string]: unknown;
}

/** What a running `sync --watch --listen` tells its embedder (tests). */
export interface SyncListening {
  /** Where the vendors post their webhooks (any path). */
  url: string;
  /** The providers whose webhooks are verified and applied. */
  providers: string[];
  /** The sandbox this process started for `--sandbox` (subscribed to `url`). */
  sandbox: Sandbox | undefined;
  store: SyncStore;
}

export interface SyncHooks {
  /** Called once the webhook receiver listens (and, with --sandbox, is subscribed). */
  onListening?: ((listening: SyncListening) => void | Promise<void>) | undefined;
}

interface WorkerOptions extends SyncOptions {
  concurrency?: string;
}

export function syncCommand(io: CliIO, done: (code: number) => void): Command {
  const cmd = new Command('sync')
    .description(
      'Sync engagements into a database (PGlite in ./.engagekit by default, or Postgres)',
    )
    .option('--db <dir|url>', `a PGlite directory or a postgres:// URL (default ${DEFAULT_DB})`)
    .option('--from <when>', 'first run only: backfill from this date or age (default 90d)')
    .option('-p, --provider <ids>', 'comma-separated providers; default: every configured one')
    .option('--watch <interval>', 'run again every interval (30s, 5m, 1h) until Ctrl+C')
    .option(
      '--listen <port>',
      "with --watch: also receive the vendors' webhooks on 127.0.0.1:<port> (0: any free port) and apply them as they arrive",
    );
  for (const w of WEBHOOK_SECRETS) {
    cmd.option(`${w.flag} <secret>`, `with --listen: ${w.description} (env ${w.env})`);
  }
  withConnectionOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ engagekit sync --sandbox && engagekit sql "select provider, kind, count(*) from engagekit.engagements group by 1, 2"
  $ engagekit sync --db postgres://user:pass@db:5432/crm --from 365d
  $ engagekit sync --watch 5m                                   # backfill once, then follow changes
  $ engagekit sync --sandbox --watch 5m --listen 0              # and apply webhooks between polls

The first run backfills from --from, later runs read what changed since the stored checkpoint.
Every batch is committed with its checkpoint: a crash or Ctrl+C loses nothing, a rerun goes on.
With --listen, webhooks are written as they arrive; an older change never overwrites a newer one,
so webhooks and polls can race. Without --sandbox, give each vendor's webhook secret.`,
  );
  cmd.action(async (opts: SyncOptions) => done(await runSync(opts, io)));

  const worker = new Command('worker')
    .description(
      'Claim backfill shards and change-feed jobs from pg-boss (run on any number of machines)',
    )
    .option('--db <url>', 'the postgres:// database every worker shares (required)')
    .option('--from <when>', 'the backfill start when no plan exists yet (default 90d)')
    .option('-p, --provider <ids>', 'comma-separated providers; default: every configured one')
    .option('--concurrency <n>', 'shards this process syncs at once', '2');
  withConnectionOptions(worker);
  // `sync` has the same flags: Commander may hand them to the parent, so both are read.
  worker.action(async () => done(await runWorker(worker.optsWithGlobals<WorkerOptions>(), io)));
  cmd.addCommand(worker);
  return cmd;
}

/** Counts what the listing and the feed yield per provider, for the progress line. */
function counting(client: SyncClient, counts: Map<string, number>): SyncClient {
  const bump = (provider: string) => counts.set(provider, (counts.get(provider) ?? 0) + 1);
  return {
    engagements: {
      ...client.engagements,
      list(params) {
        const inner = client.engagements.list(params);
        return {
          get cursor() {
            return inner.cursor;
          },
          get done() {
            return inner.done;
          },
          async *[Symbol.asyncIterator]() {
            for await (const e of inner as AsyncIterable<Engagement>) {
              bump(e.provider);
              yield e;
            }
          },
        };
      },
    },
  };
}

/** Runs `engagekit sync`: one run, or with `--watch` one per interval until interrupted. */
export async function runSync(
  opts: SyncOptions,
  io: CliIO,
  hooks: SyncHooks = {},
): Promise<number> {
  const from = opts.from === undefined ? undefined : parseWhen(opts.from, '--from');
  const every = opts.watch === undefined ? undefined : parseInterval(opts.watch);
  const listenPort = opts.listen === undefined ? undefined : parseListenPort(opts.listen);
  if (listenPort !== undefined && every === undefined) {
    throw new UsageError('--listen needs --watch: webhooks are applied while the sync watches');
  }
  const providers = parseProviders(opts.provider);
  const { store, label } = openStore(opts.db);
  const connection = await connect(opts, io, providers);
  const counts = new Map<string, number>();
  const started = Date.now();
  const tty = io.stderr.isTTY === true;
  const progress = tty
    ? setInterval(() => {
        const n = [...counts.values()].reduce((a, b) => a + b, 0);
        const rate = Math.round(n / Math.max(0.001, (Date.now() - started) / 1000));
        const per = [...counts].map(([p, c]) => `${p} ${c}`).join(', ');
        io.stderr.write(`\rsynced ${n} records (${rate}/s)${per ? `: ${per}` : ''}\x1b[K`);
      }, 500)
    : undefined;
  let webhooks: WebhookListener | undefined;
  try {
    const merged = createEngagementsClient({ adapters: connection.adapters });
    const client = counting(merged, counts);
    const sync = createSync({ client, store });
    if (listenPort !== undefined) {
      webhooks = await listenForWebhooks(opts, io, connection, sync, listenPort);
      await hooks.onListening?.({
        url: webhooks.url,
        providers: webhooks.providers,
        sandbox: connection.sandbox,
        store,
      });
    }
    const totals: SyncStats = {
      upserted: 0,
      deleted: 0,
      skipped: 0,
      checkpoint: undefined,
      durationMs: 0,
    };
    for (let round = 1; ; round++) {
      const stats = await sync.run({ from, signal: io.signal });
      totals.upserted += stats.upserted;
      totals.deleted += stats.deleted;
      totals.skipped += stats.skipped;
      if (tty) io.stderr.write('\r\x1b[K');
      io.stderr.write(
        `${every ? `run ${round}: ` : ''}upserted ${stats.upserted}, deleted ${stats.deleted}, skipped ${stats.skipped} in ${(stats.durationMs / 1000).toFixed(1)} s into ${label}\n`,
      );
      if (!every || io.signal?.aborted) break;
      const stop = await sleep(every, io.signal);
      if (stop) break;
    }
    if (every) {
      io.stderr.write(
        `total: upserted ${totals.upserted}, deleted ${totals.deleted}, skipped ${totals.skipped}\n`,
      );
    }
    return io.signal?.aborted ? EXIT.interrupted : EXIT.ok;
  } catch (error) {
    if (tty) io.stderr.write('\r\x1b[K');
    if (io.signal?.aborted) {
      io.stderr.write('Interrupted: every committed batch is kept; run again to go on.\n');
      return EXIT.interrupted;
    }
    throw error;
  } finally {
    if (progress) clearInterval(progress);
    await webhooks?.close();
    await store.close();
    await connection.close();
  }
}

function parseListenPort(value: string): number {
  const port = parseInteger(value, '--listen');
  if (port < 0 || port > 65_535) throw new UsageError(`--listen must be 0..65535, got "${value}"`);
  return port;
}

interface WebhookListener {
  url: string;
  providers: string[];
  close(): Promise<void>;
}

type WithWebhooks = EngagementAdapter & {
  webhooks?: (options: Record<string, unknown>) => WebhookSource;
};

/**
 * Receives the adapters' webhooks on loopback and applies each verified delivery with
 * `sync.apply()` (partial events are read with `get()`); with --sandbox, subscribes the sandbox's
 * emulators to it with fresh secrets.
 */
async function listenForWebhooks(
  opts: SyncOptions,
  io: CliIO,
  connection: Connection,
  sync: Sync,
  port: number,
): Promise<WebhookListener> {
  const sandboxed = connection.sandbox !== undefined || connection.shared !== undefined;
  const secrets = new Map<string, string>();
  const sources: WebhookSource[] = [];
  for (const adapter of connection.adapters as WithWebhooks[]) {
    const w = WEBHOOK_SECRETS.find((x) => x.provider === adapter.id);
    const secret = sandboxed
      ? `whsec_${randomBytes(24).toString('base64url')}`
      : (opts[w?.key ?? ''] as string | undefined) || (w ? io.env[w.env] : undefined);
    if (!secret || typeof adapter.webhooks !== 'function') continue;
    secrets.set(adapter.id, secret);
    sources.push(
      adapter.webhooks(adapter.id === 'zoom-contact-center' ? { secretToken: secret } : { secret }),
    );
  }
  if (sources.length === 0) {
    const names = WEBHOOK_SECRETS.map((w) => `${w.env} (or ${w.flag})`).join(', ');
    throw new UsageError(`--listen needs a webhook secret of at least one provider: ${names}`);
  }
  const receiver = createWebhookReceiver({
    sources,
    onChange: async (changes) => {
      const stats = await sync.apply(changes, { signal: io.signal });
      io.stderr.write(
        `webhook: upserted ${stats.upserted}, deleted ${stats.deleted}, skipped ${stats.skipped}\n`,
      );
    },
  });
  const server = createServer(receiver.nodeListener);
  const subscriptions: SharedSubscription[] = [];
  const close = async () => {
    await Promise.all(subscriptions.map((s) => s.close().catch(() => {})));
    await new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  try {
    const bound = await listenOn(server, port);
    const url = `http://127.0.0.1:${bound}/`;
    for (const [provider, secret] of secrets) {
      if (connection.sandbox) {
        // Only adapters the sandbox emulates are connected with --sandbox.
        const vendor = provider as Parameters<Sandbox['webhooks']['subscribe']>[0]['provider'];
        await connection.sandbox.webhooks.subscribe({ provider: vendor, url, secret });
      } else if (connection.shared) {
        subscriptions.push(await subscribeShared(connection.shared, { provider, url, secret }));
      }
    }
    const providers = [...secrets.keys()];
    io.stderr.write(
      `Listening for webhooks of ${providers.join(', ')} at ${url}${sandboxed ? ' (subscribed to the sandbox)' : ''}\n`,
    );
    return { url, providers, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new UsageError(`--listen: cannot listen on 127.0.0.1:${port} (${error.code})`)
          : error,
      );
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Runs `engagekit sync worker` until Ctrl+C or SIGTERM. */
export async function runWorker(opts: WorkerOptions, io: CliIO): Promise<number> {
  if (!/^postgres(ql)?:\/\//.test(opts.db ?? '')) {
    throw new UsageError('sync worker needs --db postgres://… (the queue lives in Postgres)');
  }
  const concurrency = parsePositiveInt(opts.concurrency ?? '2', '--concurrency');
  const from = opts.from === undefined ? undefined : parseWhen(opts.from, '--from');
  const providers = parseProviders(opts.provider);
  const connection = await connect(opts, io, providers);
  try {
    const worker = await startSyncWorker({
      db: String(opts.db),
      adapters: connection.adapters,
      concurrency,
      backfill: from ? { from } : undefined,
      // DevRev cannot filter by date: one shard per engagement type (checked against its count)
      // lets several workers share its backfill instead of one reading it all.
      partitions: { devrev: DEVREV_TYPE_PARTITIONS },
      onEvent: (e) => {
        const line = workerEventLine(e);
        if (line !== undefined) io.stderr.write(`${line}\n`);
      },
    });
    io.stderr.write(
      `worker ${process.pid} running (concurrency ${concurrency}); Ctrl+C stops it\n`,
    );
    await untilStopped(io.signal);
    const status = await worker.status().catch(() => undefined);
    await worker.stop();
    if (status)
      io.stderr.write(`stopped; backfill ${status.finished}/${status.total} shards done\n`);
    return EXIT.ok;
  } finally {
    await connection.close();
  }
}

/** The stderr line `engagekit sync worker` prints for a worker's event, if any. */
export function workerEventLine(e: SyncWorkerEvent): string | undefined {
  const slotAway = (waitMs: number) =>
    `the shared rate limit's next slot is ${Math.ceil(waitMs / 1000)} s away; waiting for it`;
  switch (e.type) {
    case 'plan': {
      const n = Object.values(e.plan.shards).reduce((a, b) => a + b, 0);
      return `${e.created ? 'planned' : 'joined'} a backfill of ${n} shards from ${e.plan.from}`;
    }
    case 'shard-done':
      return `${e.stream}: upserted ${e.stats.upserted}, skipped ${e.stats.skipped}`;
    case 'shard-failed':
      return `${e.stream}: ${describeError(e.error)} (pg-boss retries it)`;
    case 'shard-waiting':
      return `${e.stream}: ${slotAway(e.waitMs)}`;
    case 'changes-slot-waiting':
      return `changes ${e.provider}: ${slotAway(e.waitMs)}`;
    case 'partitions-waiting':
      return `${e.provider} partition count: ${slotAway(e.waitMs)}`;
    case 'changes-done':
      return `changes ${e.provider}: upserted ${e.stats.upserted}, deleted ${e.stats.deleted}`;
    case 'partitions':
      return e.used ? undefined : `${e.provider}: one backfill shard (${e.reason})`;
    case 'error':
      return describeError(e.error);
    default:
      return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(true);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      resolve();
    };
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGTERM', stop);
  });
}
