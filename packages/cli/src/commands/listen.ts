import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createWebhookReceiver,
  type EngagementAdapter,
  type EngagementChange,
  type WebhookSource,
} from '@engagekit/core';
import { createDevRevWebhookSource } from '@engagekit/devrev';
import type { Sandbox } from '@engagekit/sandbox';
import { createTrutoWebhookSource } from '@engagekit/truto';
import { createZoomWebhookSource } from '@engagekit/zoom-contact-center';
import { Command } from 'commander';
import { type Connection, connect, parseInteger, withConnectionOptions } from '../context';
import { PROVIDER_IDS, type ProviderId, parseProviders } from '../credentials';
import { type CliIO, MissingCredentialsError, UsageError, writeOut } from '../io';
import {
  advertiseSandbox,
  type SandboxAdvertisement,
  type SharedSubscription,
  sharedSandboxFile,
  subscribeShared,
} from '../shared-sandbox';
import type { Connect } from './changes';

/** Each provider's webhook signing secret: its environment variable and flag. */
export const WEBHOOK_SECRETS: ReadonlyArray<{
  provider: ProviderId;
  env: string;
  flag: string;
  key: string;
  description: string;
}> = [
  {
    provider: 'devrev',
    env: 'DEVREV_WEBHOOK_SECRET',
    flag: '--devrev-webhook-secret',
    key: 'devrevWebhookSecret',
    description: 'the secret DevRev returned when the webhook was created',
  },
  {
    provider: 'zoom-contact-center',
    env: 'ZOOM_WEBHOOK_SECRET_TOKEN',
    flag: '--zoom-webhook-secret-token',
    key: 'zoomWebhookSecretToken',
    description: "the Secret Token of the Zoom app's event subscription",
  },
  {
    provider: 'truto',
    env: 'TRUTO_WEBHOOK_SECRET',
    flag: '--truto-webhook-secret',
    key: 'trutoWebhookSecret',
    description: 'the secret Truto returned when the webhook was created',
  },
];

export interface ListenOptions {
  port: string;
  host: string;
  provider?: string;
  hydrate?: boolean;
  raw?: boolean;
  tolerance?: string;
  sandbox?: boolean;
  [flag: string]: unknown;
}

/** What a running `listen` tells its embedder (tests): where it listens and, with --sandbox, the sandbox. */
export interface ListenReady {
  /** The URL the vendors post to (any path: the vendor is told by its signature header). */
  url: string;
  providers: ProviderId[];
  sandbox?: Sandbox | undefined;
}

export interface ListenHooks {
  /** Called once the receiver listens and (with --sandbox) the subscriptions' handshakes passed. */
  onReady?: ((ready: ListenReady) => void | Promise<void>) | undefined;
  connect?: Connect | undefined;
}

export function listenCommand(io: CliIO, done: (code: number) => void): Command {
  const cmd = new Command('listen')
    .description(
      "Receive the vendors' webhooks, verify them, and print each change as a JSON line (like stripe listen)",
    )
    .option('--port <n>', 'port to listen on (0: any free port, printed on stderr)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '-p, --provider <ids>',
      'comma-separated providers; default: every one with a webhook secret (all three with --sandbox)',
    )
    .option(
      '--hydrate',
      'fetch the whole engagement with get() when an event carries only part of it',
    )
    .option('--raw', 'include the vendor payload (engagement.raw) in the output')
    .option('--tolerance <seconds>', 'replay window on signed timestamps', '300');
  for (const s of WEBHOOK_SECRETS) {
    cmd.option(`${s.flag} <secret>`, `${s.description} (env ${s.env})`);
    cmd.option(`${s.flag}-file <path>`, `read ${s.flag.slice(2)} from a file`);
  }
  withConnectionOptions(cmd);
  cmd.addHelpText(
    'after',
    `
With --sandbox, listen subscribes itself to the emulators' webhooks (with fresh secrets, after each
vendor's URL handshake): to the shared sandbox when one runs ("engagekit sandbox" in another
shell), else to emulators it starts and shares. Then "engagekit create --sandbox --provider truto
--kind call --subject Hi" in another shell writes through the same sandbox, and the signed events
show up here. (Sharing: a discovery file in $TMPDIR, see ENGAGEKIT_SANDBOX_FILE in the README;
the printed "export …" lines serve other programs.) Without --sandbox, point the vendors' webhooks at the printed URL
(through a tunnel) and give their secrets. API credentials are needed only with --hydrate.

Examples:
  $ engagekit listen --sandbox
  $ TRUTO_WEBHOOK_SECRET=… engagekit listen --port 8787 | jq -c '{type, id, changedAt}'
`,
  );
  cmd.action(async (opts: ListenOptions) => done(await runListen(opts, io)));
  return cmd;
}

const MAX_SECRET_FILE_BYTES = 64 * 1024;

async function secretsFromFlags(
  opts: ListenOptions,
  env: CliIO['env'],
): Promise<Map<ProviderId, string>> {
  const out = new Map<ProviderId, string>();
  for (const s of WEBHOOK_SECRETS) {
    const file = opts[`${s.key}File`];
    let value = typeof opts[s.key] === 'string' ? (opts[s.key] as string) : undefined;
    if (typeof file === 'string') {
      if (value !== undefined) throw new UsageError(`pass ${s.flag} or ${s.flag}-file, not both`);
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${s.flag}-file ${file} (${error.code ?? 'unreadable'})`);
      });
      if (text.length > MAX_SECRET_FILE_BYTES) {
        throw new UsageError(`${s.flag}-file ${file} is too large to be a secret`);
      }
      value = text.replace(/\r?\n$/, '');
    }
    value = value || env[s.env] || undefined;
    if (value) out.set(s.provider, value);
  }
  return out;
}

/** The secret the sandbox signs with: fresh each run, in no vendor's exact form (any string works). */
const freshSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

type WithWebhooks = EngagementAdapter & {
  webhooks?: (options: Record<string, unknown>) => WebhookSource;
};

function sourceFor(
  provider: ProviderId,
  secret: string,
  adapter: WithWebhooks | undefined,
): WebhookSource {
  // Hydration needs the adapter's get(); DevRev's events carry the whole conversation anyway.
  if (adapter?.webhooks && provider !== 'devrev') {
    return provider === 'zoom-contact-center'
      ? adapter.webhooks({ secretToken: secret, hydrate: true })
      : adapter.webhooks({ secret, hydrate: true });
  }
  switch (provider) {
    case 'devrev':
      return createDevRevWebhookSource({ secret });
    case 'zoom-contact-center':
      return createZoomWebhookSource({ secretToken: secret });
    case 'truto':
      return createTrutoWebhookSource({ secret });
  }
}

function withoutRaw(change: EngagementChange): EngagementChange {
  if (!change.engagement || !('raw' in change.engagement)) return change;
  const { raw: _raw, ...engagement } = change.engagement;
  return { ...change, engagement };
}

function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
          ? new UsageError(`cannot listen on ${host}:${port} (${error.code})`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Resolves on abort (Ctrl+C via `io.signal`), or on SIGINT/SIGTERM when nothing passed a signal. */
function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', stop, { once: true });
    if (!signal) process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function exportLines(sb: Sandbox): string {
  const c = sb.credentials;
  return [
    '# In another shell, write through the same sandbox (e.g. engagekit create --provider truto …):',
    `export DEVREV_BASE_URL=${sb.urls.devrev} DEVREV_TOKEN=${c.devrev.token}`,
    `export ZOOM_BASE_URL=${sb.urls.zoom} ZOOM_OAUTH_URL=${sb.urls.zoomOAuth} ZOOM_ACCOUNT_ID=${c.zoom.accountId} ZOOM_CLIENT_ID=${c.zoom.clientId} ZOOM_CLIENT_SECRET=${c.zoom.clientSecret}`,
    `export TRUTO_BASE_URL=${sb.urls.truto} TRUTO_TOKEN=${c.truto.token} TRUTO_INTEGRATED_ACCOUNT_ID=${c.truto.integratedAccountId}`,
    '',
  ].join('\n');
}

/**
 * Runs `engagekit listen` until `io.signal` aborts (or SIGINT/SIGTERM): verified changes go to
 * stdout as JSON lines, everything else to stderr.
 */
export async function runListen(
  opts: ListenOptions,
  io: CliIO,
  hooks: ListenHooks = {},
): Promise<number> {
  const port = parseInteger(opts.port, '--port');
  if (port < 0 || port > 65_535)
    throw new UsageError(`--port must be 0..65535, got "${opts.port}"`);
  const tolerance = parseInteger(opts.tolerance ?? '300', '--tolerance');
  if (tolerance <= 0) throw new UsageError(`--tolerance must be positive, got "${opts.tolerance}"`);
  const asked = parseProviders(opts.provider);
  const secrets = opts.sandbox
    ? new Map<ProviderId, string>()
    : await secretsFromFlags(opts, io.env);
  let providers: ProviderId[];
  if (opts.sandbox) {
    providers = asked ?? [...PROVIDER_IDS];
    for (const p of providers) secrets.set(p, freshSecret());
  } else {
    providers = asked ?? PROVIDER_IDS.filter((p) => secrets.has(p));
    const missing = (asked ?? (providers.length === 0 ? [...PROVIDER_IDS] : [])).filter(
      (p) => !secrets.has(p),
    );
    if (missing.length > 0) {
      throw new MissingCredentialsError(
        missing.map((provider) => {
          const s = WEBHOOK_SECRETS.find((w) => w.provider === provider);
          return { provider, items: [`${s?.env} (or ${s?.flag})`] };
        }),
      );
    }
  }

  const needsAdapters = opts.sandbox === true || opts.hydrate === true;
  const conn: Connection | undefined = needsAdapters
    ? await (hooks.connect ?? connect)(opts, io, providers)
    : undefined;
  const server = createServer();
  let advertisement: SandboxAdvertisement | undefined;
  const sharedSubscriptions: SharedSubscription[] = [];
  try {
    const adapters = new Map(conn?.adapters.map((a) => [a.id, a as WithWebhooks]) ?? []);
    const receiver = createWebhookReceiver({
      sources: providers.map((p) =>
        sourceFor(p, secrets.get(p) as string, opts.hydrate ? adapters.get(p) : undefined),
      ),
      toleranceSeconds: tolerance,
      onChange: async (changes) => {
        for (const change of changes) {
          await writeOut(io.stdout, `${JSON.stringify(opts.raw ? change : withoutRaw(change))}\n`);
        }
      },
    });
    server.on('request', (req, res) => {
      res.on('finish', () => {
        if (res.statusCode >= 400) {
          io.stderr.write(`warning: answered ${res.statusCode} to ${req.method} ${req.url}\n`);
        }
      });
      receiver.nodeListener(req, res);
    });
    const bound = await listenOn(server, port, opts.host);
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    const url = `http://${host}:${bound}/`;
    const sandbox = conn?.sandbox;
    const shared = conn?.shared;
    if (sandbox) {
      for (const provider of providers) {
        await sandbox.webhooks.subscribe({ provider, url, secret: secrets.get(provider) });
      }
      io.stderr.write(exportLines(sandbox));
      const ad = await advertiseSandbox(sandbox, io.env, 'listen');
      if ('file' in ad) {
        advertisement = ad;
        io.stderr.write(
          `Sandbox: shared until this stops; engagekit --sandbox commands in other shells use it (${ad.file}).\n`,
        );
      } else if (sharedSandboxFile(io.env)) {
        io.stderr.write(`Sandbox: not shared, ${ad.reason}.\n`);
      }
    } else if (shared) {
      for (const provider of providers) {
        const secret = secrets.get(provider) as string;
        sharedSubscriptions.push(await subscribeShared(shared, { provider, url, secret }));
      }
    }
    const subscribed = sandbox
      ? ' (subscribed to the sandbox)'
      : shared
        ? ` (subscribed to the shared sandbox at ${shared.origin})`
        : '';
    io.stderr.write(
      `Ready: receiving webhooks of ${providers.join(', ')} at ${url}${subscribed}. Ctrl+C to stop.\n`,
    );
    await hooks.onReady?.({ url, providers, sandbox });
    await untilStopped(io.signal);
    const s = receiver.stats;
    io.stderr.write(
      `Stopped: ${s.delivered} delivered, ${s.duplicates} duplicates, ${s.ignored} ignored, ${s.rejected} rejected.\n`,
    );
    return 0;
  } finally {
    // Withdrawn first, so no other command picks up a sandbox that is stopping.
    await advertisement?.withdraw();
    await Promise.all(sharedSubscriptions.map((s) => s.close()));
    await closeServer(server);
    await conn?.close();
  }
}
