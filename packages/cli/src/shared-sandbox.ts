import { randomBytes } from 'node:crypto';
import { constants, readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type {
  Sandbox,
  SandboxAdapterOptions,
  SandboxCredentials,
  SandboxUrls,
} from '@engagekit/sandbox';

/**
 * Names the discovery file of the shared sandbox; `off` turns sharing off. Without it the file is
 * `engagekit-sandbox-<uid>.json` in `TMPDIR` (else the system's temporary directory).
 */
export const SANDBOX_FILE_ENV = 'ENGAGEKIT_SANDBOX_FILE';

/** A sandbox another engagekit process runs and advertises, as the `--sandbox` commands use it. */
export interface SharedSandbox {
  origin: string;
  urls: SandboxUrls;
  credentials: SandboxCredentials;
  adapterOptions: SandboxAdapterOptions;
  /** The advertising process and its command (`listen`, `sandbox`). */
  pid: number;
  command: string;
  /** The discovery file it was found in. */
  file: string;
}

/** What {@link findSharedSandbox} found. */
export interface SharedSandboxLookup {
  /** The discovery file looked at; undefined when sharing is off. */
  file: string | undefined;
  /** The live shared sandbox, if any. */
  sandbox?: SharedSandbox | undefined;
  /** Why a discovery file that was there is not used (it is removed when it was stale). */
  ignored?: string | undefined;
}

/** An advertisement this process wrote; `withdraw()` removes it (once, and only if still ours). */
export interface SandboxAdvertisement {
  file: string;
  withdraw(): Promise<void>;
}

/** The file holds a few hundred bytes; more is not ours. */
const MAX_FILE_BYTES = 64 * 1024;
/** The admin answers are small lists; a bigger one is not a sandbox worth trusting. */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** A live sandbox on loopback answers at once; one that does not within this is not used. */
const PROBE_TIMEOUT_MS = 3_000;
/** Subscribing waits for the vendor's URL handshake against the listener. */
const SUBSCRIBE_TIMEOUT_MS = 30_000;

function userTag(): string {
  const uid = process.getuid?.();
  if (uid !== undefined) return String(uid);
  return userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_') || 'user';
}

/**
 * Where the shared sandbox is advertised for this environment, or undefined when sharing is off:
 * `ENGAGEKIT_SANDBOX_FILE=off`, or an environment with neither a home nor a temporary directory
 * (an embedder running the CLI in-process with a bare `env`, as tests do, shares nothing).
 */
export function sharedSandboxFile(env: Record<string, string | undefined>): string | undefined {
  const explicit = env[SANDBOX_FILE_ENV];
  if (explicit) return explicit === 'off' ? undefined : explicit;
  if (!env.HOME && !env.USERPROFILE && !env.TMPDIR) return undefined;
  return join(env.TMPDIR || tmpdir(), `engagekit-sandbox-${userTag()}.json`);
}

function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const host = url.hostname;
  return (
    url.protocol === 'http:' &&
    url.port !== '' &&
    url.pathname === '/' &&
    (host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host))
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(v: unknown, keys: readonly string[]): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = v[key];
    if (typeof value !== 'string' || value === '') return undefined;
    out[key] = value;
  }
  return out;
}

/** Checks a discovery file's text field by field; undefined names nothing it could use. */
function parseAdvert(text: string, file: string): SharedSandbox | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(json) || json.version !== 1) return undefined;
  const { pid, command, origin } = json;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (typeof command !== 'string' || !/^[a-z-]{1,32}$/.test(command)) return undefined;
  if (typeof origin !== 'string' || !isLoopbackOrigin(`${origin}/`)) return undefined;
  const options = isRecord(json.adapterOptions) ? json.adapterOptions : {};
  const devrev = strings(options.devrev, ['token', 'baseUrl']);
  const zoom = strings(options.zoom, [
    'accountId',
    'clientId',
    'clientSecret',
    'baseUrl',
    'oauthUrl',
  ]);
  const truto = strings(options.truto, ['token', 'integratedAccountId', 'baseUrl']);
  if (!devrev || !zoom || !truto) return undefined;
  // Every URL must be the sandbox's own: the file cannot send requests anywhere else.
  const urls: SandboxUrls = {
    devrev: devrev.baseUrl as string,
    zoom: zoom.baseUrl as string,
    zoomOAuth: zoom.oauthUrl as string,
    truto: truto.baseUrl as string,
  };
  if (!Object.values(urls).every((u) => u.startsWith(`${origin}/`))) return undefined;
  return {
    origin,
    urls,
    credentials: {
      devrev: { token: devrev.token as string },
      zoom: {
        accountId: zoom.accountId as string,
        clientId: zoom.clientId as string,
        clientSecret: zoom.clientSecret as string,
      },
      truto: {
        token: truto.token as string,
        integratedAccountId: truto.integratedAccountId as string,
      },
    },
    adapterOptions: {
      devrev: { token: devrev.token as string, baseUrl: urls.devrev },
      zoom: {
        accountId: zoom.accountId as string,
        clientId: zoom.clientId as string,
        clientSecret: zoom.clientSecret as string,
        baseUrl: urls.zoom,
        oauthUrl: urls.zoomOAuth,
      },
      truto: {
        token: truto.token as string,
        integratedAccountId: truto.integratedAccountId as string,
        baseUrl: urls.truto,
      },
    },
    pid,
    command,
    file,
  };
}

/**
 * Reads the discovery file, refusing what another user could have planted: a link, a file owned
 * by someone else, or one that others may write.
 */
async function readDiscoveryFile(
  file: string,
): Promise<{ text: string } | { missing: true } | { refused: string }> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { missing: true };
    return { refused: `cannot read it (${code ?? 'unreadable'})` };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { refused: 'it is not a regular file' };
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) return { refused: 'another user owns it' };
    if (process.platform !== 'win32' && (stat.mode & 0o022) !== 0) {
      return { refused: 'others may write it (it must be 0600)' };
    }
    if (stat.size > MAX_FILE_BYTES) return { refused: 'it is too large' };
    const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_FILE_BYTES) return { refused: 'it is too large' };
    return { text: buf.subarray(0, bytesRead).toString('utf8') };
  } finally {
    await handle.close().catch(() => {});
  }
}

/** A process of this user with that id runs (EPERM: the id now belongs to someone else's). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Answer {
  status: number;
  json: unknown;
}

/** One bounded JSON request to the sandbox: a size cap, a deadline, never a hang. */
function adminRequest(
  url: string,
  method: string,
  body: unknown,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, {
      method,
      agent: false,
      headers: payload
        ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
        : {},
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          req.destroy(new Error(`the answer of ${url} exceeds ${MAX_ANSWER_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', () => {}); // req's 'error' rejects
      res.on('end', () => {
        clearTimeout(timer);
        let json: unknown;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.end(payload);
  });
}

/** The sandbox's webhooks admin answers its list: it is a live engagekit sandbox. */
async function answers(origin: string): Promise<boolean> {
  try {
    const reply = await adminRequest(
      `${origin}/__admin/webhooks`,
      'GET',
      undefined,
      PROBE_TIMEOUT_MS,
    );
    return reply.status === 200 && Array.isArray(reply.json);
  } catch {
    return false;
  }
}

/** Removes the file only while it still holds `text`: a newer advertisement is left alone. */
async function removeIfUnchanged(file: string, text: string): Promise<void> {
  const now = await readFile(file, 'utf8').catch(() => undefined);
  if (now === text) await unlink(file).catch(() => {});
}

/**
 * Looks for a live shared sandbox: the discovery file is read (see {@link readDiscoveryFile}), its
 * process must run and its sandbox must answer `GET /__admin/webhooks`. A stale file (process
 * gone, port dead, unreadable content) is removed and reported in `ignored`.
 */
export async function findSharedSandbox(
  env: Record<string, string | undefined>,
): Promise<SharedSandboxLookup> {
  const file = sharedSandboxFile(env);
  if (!file) return { file };
  const read = await readDiscoveryFile(file);
  if ('missing' in read) return { file };
  if ('refused' in read) return { file, ignored: `not used: ${read.refused}` };
  const found = parseAdvert(read.text, file);
  let stale: string | undefined;
  if (!found) stale = 'it does not describe a sandbox';
  else if (!processRuns(found.pid)) stale = `process ${found.pid} is gone`;
  else if (!(await answers(found.origin))) stale = `nothing answers at ${found.origin}`;
  if (stale === undefined) return { file, sandbox: found };
  await removeIfUnchanged(file, read.text);
  return { file, ignored: `stale, removed: ${stale}` };
}

/**
 * Advertises a sandbox this process runs so the other engagekit `--sandbox` commands use it: a
 * 0600 discovery file, written whole (a temporary file renamed over it), removed by `withdraw()`
 * or when the process exits. Returns a reason instead when sharing is off or not possible.
 */
export async function advertiseSandbox(
  sandbox: Pick<Sandbox, 'origin' | 'adapterOptions'>,
  env: Record<string, string | undefined>,
  command: string,
): Promise<SandboxAdvertisement | { reason: string }> {
  const file = sharedSandboxFile(env);
  if (!file) return { reason: `sharing is off (${SANDBOX_FILE_ENV}=off)` };
  if (!isLoopbackOrigin(`${sandbox.origin}/`)) {
    return { reason: `it listens at ${sandbox.origin}, not on loopback` };
  }
  const text = `${JSON.stringify(
    {
      version: 1,
      pid: process.pid,
      command,
      origin: sandbox.origin,
      adapterOptions: sandbox.adapterOptions,
      startedAt: new Date().toISOString(),
    },
    null,
    2,
  )}\n`;
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // 'wx' creates a new file (never through a planted link); rename replaces the old one whole.
    await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    return { reason: `cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? error})` };
  }
  const onExit = () => {
    try {
      if (readFileSync(file, 'utf8') === text) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  process.once('exit', onExit);
  let withdrawn = false;
  return {
    file,
    withdraw: async () => {
      if (withdrawn) return;
      withdrawn = true;
      await removeIfUnchanged(file, text);
      // Kept until the file is gone: a second Ctrl+C exits in the middle of the removal.
      process.off('exit', onExit);
    },
  };
}

/** A shared sandbox refused or failed a request (exit code 1). */
export class SharedSandboxError extends Error {
  override readonly name = 'SharedSandboxError';
}

/** A webhook subscription made through a shared sandbox's admin API. */
export interface SharedSubscription {
  id: string;
  provider: string;
  /** Closes it (best effort: a sandbox that is gone delivers nothing anyway). */
  close(): Promise<void>;
}

/**
 * Subscribes `url` to a shared sandbox's webhooks (`POST /__admin/webhooks`); resolves once the
 * vendor's URL handshake passed.
 */
export async function subscribeShared(
  shared: Pick<SharedSandbox, 'origin'>,
  options: { provider: string; url: string; secret: string },
): Promise<SharedSubscription> {
  const base = `${shared.origin}/__admin/webhooks`;
  const reply = await adminRequest(base, 'POST', options, SUBSCRIBE_TIMEOUT_MS).catch(
    (error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      throw new SharedSandboxError(`the shared sandbox at ${shared.origin} is unreachable: ${why}`);
    },
  );
  const body = isRecord(reply.json) ? reply.json : {};
  if (reply.status !== 201 || typeof body.id !== 'string' || !/^[\w.-]{1,100}$/.test(body.id)) {
    const message = typeof body.message === 'string' ? `: ${body.message.slice(0, 300)}` : '';
    throw new SharedSandboxError(
      `the shared sandbox at ${shared.origin} refused the ${options.provider} webhook subscription (HTTP ${reply.status}${message})`,
    );
  }
  const id = body.id;
  return {
    id,
    provider: options.provider,
    close: async () => {
      await adminRequest(
        `${base}/${encodeURIComponent(id)}`,
        'DELETE',
        undefined,
        PROBE_TIMEOUT_MS,
      ).catch(() => {});
    },
  };
}
