import { Prng } from './data/random';
import type { FailNextSpec, FaultConfig, FaultOptions, RetryAfterForm, VendorName } from './types';

/** What the server must do to a request before (or instead of) handling it. */
export interface FaultDecision {
  delayMs: number;
  reset: boolean;
  status?: number;
  retryAfter?: RetryAfterForm;
  retryAfterSeconds?: number;
}

const VENDORS: VendorName[] = ['devrev', 'zoom', 'truto'];

/**
 * Fault injection. Random faults use a seeded PRNG so runs are reproducible; `failNext` queues
 * deterministic failures, the most precise tool for tests.
 */
export class FaultController {
  private config: FaultOptions = {};
  private rng = new Prng(1);
  private queues = new Map<VendorName | '*', FailNextSpec[]>();
  private readonly hooks: { expireTokens: () => void; expirePageTokens: () => void };

  /** @internal */
  constructor(
    initial: FaultOptions | undefined,
    hooks: { expireTokens: () => void; expirePageTokens: () => void },
  ) {
    this.hooks = hooks;
    if (initial) this.set(initial);
  }

  /** Current configuration (a copy). */
  get current(): FaultOptions {
    return structuredClone(this.config);
  }

  /** Merges settings into the configuration (per-vendor objects are merged too). */
  set(options: FaultOptions): void {
    const next: FaultOptions = { ...this.config, ...options };
    for (const v of VENDORS) {
      const merged = { ...this.config[v], ...options[v] };
      if (Object.keys(merged).length > 0) next[v] = merged;
    }
    if (options.seed !== undefined) this.rng = new Prng(options.seed);
    this.config = next;
  }

  /** Removes every fault and queued failure. */
  clear(): void {
    this.config = {};
    this.rng = new Prng(1);
    this.queues.clear();
  }

  /** Makes the next `count` requests to `vendor` ('*' = any vendor) fail as given. */
  failNext(vendor: VendorName | '*', spec: FailNextSpec): void {
    const queue = this.queues.get(vendor) ?? [];
    queue.push({ ...spec, count: spec.count ?? 1 });
    this.queues.set(vendor, queue);
  }

  /** Revokes every Zoom access token now (the next call gets 401 code 124). */
  expireTokens(): void {
    this.hooks.expireTokens();
  }

  /** Invalidates every outstanding Zoom `next_page_token` now. */
  expirePageTokens(): void {
    this.hooks.expirePageTokens();
  }

  /** Effective settings for a vendor. */
  effective(vendor: VendorName): FaultConfig {
    const { devrev: _d, zoom: _z, truto: _t, seed: _s, ...global } = this.config;
    return { ...global, ...this.config[vendor] };
  }

  /** @internal Decides the fault for one request. */
  decide(vendor: VendorName, isOAuth: boolean): FaultDecision {
    const cfg = this.effective(vendor);
    const decision: FaultDecision = { delayMs: 0, reset: false };
    if (isOAuth && !cfg.oauth) return decision;
    decision.delayMs = (cfg.latencyMs ?? 0) + (cfg.jitterMs ? this.rng.next() * cfg.jitterMs : 0);
    const queued = this.takeQueued(vendor);
    if (queued) {
      if (queued.status === 'reset') decision.reset = true;
      else decision.status = queued.status;
      decision.retryAfter = queued.retryAfter ?? cfg.retryAfter;
      decision.retryAfterSeconds = queued.retryAfterSeconds ?? cfg.retryAfterSeconds;
      return decision;
    }
    decision.retryAfter = cfg.retryAfter;
    decision.retryAfterSeconds = cfg.retryAfterSeconds;
    if (cfg.resetRate && this.rng.next() < cfg.resetRate) {
      decision.reset = true;
      return decision;
    }
    for (const [status, rate] of [
      [429, cfg.rate429],
      [500, cfg.rate500],
      [502, cfg.rate502],
      [503, cfg.rate503],
    ] as const) {
      if (rate && this.rng.next() < rate) {
        decision.status = status;
        return decision;
      }
    }
    if (cfg.errorRate && this.rng.next() < cfg.errorRate) {
      decision.status = [429, 500, 502, 503][Math.floor(this.rng.next() * 4)];
    }
    return decision;
  }

  private takeQueued(vendor: VendorName): FailNextSpec | undefined {
    for (const key of [vendor, '*'] as const) {
      const queue = this.queues.get(key);
      const head = queue?.[0];
      if (!queue || !head) continue;
      head.count = (head.count ?? 1) - 1;
      if (head.count <= 0) queue.shift();
      return head;
    }
    return undefined;
  }
}
