import { SandboxWebhookError } from './errors';
import type { WebhookProvider } from './schemes';

/** Seeded delivery faults of one subscription. */
export interface WebhookFaults {
  /** Probability (0..1) that an event is delivered twice (same body, same signature). */
  duplicateRate?: number;
  /** Probability (0..1) that an event is held back and sent after the next one. */
  reorderRate?: number;
  /** Seed of the PRNG deciding both (default 1): the same events get the same faults. */
  seed?: number;
}

/** Options of `sandbox.webhooks.subscribe()`. */
export interface WebhookSubscribeOptions {
  /** Whose webhooks: `devrev`, `zoom` (or `zoom-contact-center`), `truto`. */
  provider: WebhookProvider | 'zoom-contact-center';
  /** The endpoint (http or https) that receives the signed events. */
  url: string | URL;
  /** The signing secret (Zoom: the secret token); a random one in the vendor's form otherwise. */
  secret?: string | undefined;
  /**
   * Called with the secret (given or made) before the URL handshake, so a receiver can be set up
   * with a made secret in time to verify the handshake (as a user copies it from the vendor's UI).
   */
  onSecret?: ((secret: string) => void | Promise<void>) | undefined;
  /**
   * Delays before each retry, in ms; their count is the number of retries. Default: the vendor's
   * documented schedule (see the schemes), multiplied by `timeScale`.
   */
  retryDelaysMs?: readonly number[] | undefined;
  /** Multiplies the vendor's retry delays and the reorder hold time (e.g. 0.001 in tests). @default 1 */
  timeScale?: number | undefined;
  /** Per-attempt limit before it counts as failed. Default: the vendor's (Zoom 3 s, others 10 s). */
  timeoutMs?: number | undefined;
  faults?: WebhookFaults | undefined;
  /** Events held at once (queued, waiting to retry or in flight); more are dropped and counted. @default 1000 */
  maxQueue?: number | undefined;
  /** Log entries kept, oldest dropped first. @default 1000 */
  logLimit?: number | undefined;
  /** Attempts in flight at once; 1 keeps events in order unless faults or retries reorder them. @default 1 */
  concurrency?: number | undefined;
}

/** Options after validation, with the vendor's name resolved. */
export interface ResolvedSubscribeOptions {
  provider: WebhookProvider;
  url: URL;
  secret?: string | undefined;
  onSecret?: ((secret: string) => void | Promise<void>) | undefined;
  retryDelaysMs?: readonly number[] | undefined;
  timeScale: number;
  timeoutMs?: number | undefined;
  duplicateRate: number;
  reorderRate: number;
  seed: number;
  maxQueue: number;
  logLimit: number;
  concurrency: number;
}

const invalid = (field: string, rule: string) =>
  new SandboxWebhookError('invalid-input', `${field} ${rule}.`, field);

function number(
  value: unknown,
  field: string,
  min: number,
  max: number,
  integer = false,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw invalid(field, `must be ${integer ? 'an integer' : 'a finite number'}`);
  if (value < min || value > max) throw invalid(field, `must be between ${min} and ${max}`);
  return value;
}

/** Checks every option, naming the first bad one, before anything is sent. */
export function resolveSubscribeOptions(
  options: WebhookSubscribeOptions,
): ResolvedSubscribeOptions {
  if (options === null || typeof options !== 'object')
    throw invalid('options', 'must be an object');
  const provider = options.provider === 'zoom-contact-center' ? 'zoom' : options.provider;
  if (provider !== 'devrev' && provider !== 'zoom' && provider !== 'truto')
    throw invalid('provider', "must be 'devrev', 'zoom' or 'truto'");
  let url: URL;
  try {
    url = new URL(String(options.url));
  } catch {
    throw invalid('url', 'must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid('url', 'must be an absolute http or https URL');
  const secret = options.secret;
  if (secret !== undefined && (typeof secret !== 'string' || secret.trim() === ''))
    throw invalid('secret', 'must be a non-empty string');
  if (typeof secret === 'string' && secret.length > 512)
    throw invalid('secret', 'must be at most 512 characters');
  if (options.onSecret !== undefined && typeof options.onSecret !== 'function')
    throw invalid('onSecret', 'must be a function');
  const delays = options.retryDelaysMs;
  if (delays !== undefined) {
    if (!Array.isArray(delays) || delays.length > 20)
      throw invalid('retryDelaysMs', 'must be an array of at most 20 delays');
    for (const [i, d] of delays.entries()) number(d, `retryDelaysMs[${i}]`, 0, 86_400_000);
  }
  const faults = options.faults ?? {};
  return {
    provider,
    url,
    secret,
    onSecret: options.onSecret,
    retryDelaysMs: delays ? [...delays] : undefined,
    timeScale: number(options.timeScale, 'timeScale', 0, 1000) ?? 1,
    timeoutMs: number(options.timeoutMs, 'timeoutMs', 1, 600_000),
    duplicateRate: number(faults.duplicateRate, 'faults.duplicateRate', 0, 1) ?? 0,
    reorderRate: number(faults.reorderRate, 'faults.reorderRate', 0, 1) ?? 0,
    seed: number(faults.seed, 'faults.seed', 0, 2 ** 32 - 1, true) ?? 1,
    maxQueue: number(options.maxQueue, 'maxQueue', 1, 1_000_000, true) ?? 1000,
    logLimit: number(options.logLimit, 'logLimit', 1, 1_000_000, true) ?? 1000,
    concurrency: number(options.concurrency, 'concurrency', 1, 64, true) ?? 1,
  };
}
