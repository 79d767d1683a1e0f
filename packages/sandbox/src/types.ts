/** The emulated vendors. */
export type VendorName = 'devrev' | 'zoom' | 'truto';

/** How an injected 429 tells the client when to retry. */
export type RetryAfterForm = 'seconds' | 'http-date' | 'iso' | 'body' | 'none';

/** Fault settings for one vendor (or for all, at the top level of {@link FaultOptions}). */
export interface FaultConfig {
  /** Fixed delay added to each response, in ms. */
  latencyMs?: number;
  /** Extra random delay in [0, jitterMs) ms. */
  jitterMs?: number;
  /** Probability (0..1) of each injected outcome per request. */
  rate429?: number;
  rate500?: number;
  rate502?: number;
  rate503?: number;
  /** Probability of destroying the socket without a response. */
  resetRate?: number;
  /** Probability of a failure drawn evenly from 429/500/502/503 (the CLI's `--fault-rate`). */
  errorRate?: number;
  /** Retry-After form on injected 429s. Defaults: DevRev 'seconds' (+ body), Zoom 'none', Truto 'seconds'. */
  retryAfter?: RetryAfterForm;
  /** Seconds to advertise on injected 429s (default 1; Truto 10). */
  retryAfterSeconds?: number;
  /** Adds unknown fields and unknown enum values to returned records. */
  schemaDrift?: boolean;
  /** Also apply faults to the Zoom OAuth token endpoint (never by default). */
  oauth?: boolean;
}

/** Global fault settings, per-vendor overrides and the PRNG seed. */
export interface FaultOptions extends FaultConfig {
  /** Seed of the PRNG that decides random faults (default 1). */
  seed?: number;
  devrev?: FaultConfig;
  zoom?: FaultConfig;
  truto?: FaultConfig;
}

/** One queued deterministic failure (see {@link FaultController.failNext}). */
export interface FailNextSpec {
  /** HTTP status to answer with, or 'reset' to destroy the connection. */
  status: number | 'reset';
  /** How many consecutive requests fail (default 1). */
  count?: number;
  /** Retry-After form for a queued 429 (vendor default otherwise). */
  retryAfter?: RetryAfterForm;
  retryAfterSeconds?: number;
}

/** Options of {@link startSandbox}. Everything is optional. */
export interface SandboxOptions {
  /** TCP port (default 0: ephemeral). */
  port?: number;
  /** Bind address (default 127.0.0.1). */
  host?: string;
  /** Data seed (default 42). */
  seed?: number;
  /** Seeded records per vendor (default 500). */
  count?: number | Partial<Record<VendorName, number>>;
  /** End of the seeded time span (default: now). */
  now?: Date | string | number;
  /** Length of the seeded time span in days, ending at `now` (default 180). */
  days?: number;
  /**
   * Clock for token and page-token expiry and for "now" in defaults (default Date.now).
   * It also stamps writes (DevRev `modified_date`, Truto `updated_at`) and decides which Zoom
   * engagements are still running, so moving it in a test moves the vendors' data along.
   */
  clock?: () => number;
  /** `false` disables every rate limit. */
  rateLimits?: false;
  devrev?: {
    /** Enforced window limit (default 100000 per 300 s); `false` disables it. */
    rateLimit?: { limit: number; windowSeconds: number } | false;
  };
  zoom?: {
    /** Access-token lifetime (default 3600). */
    tokenTtlSeconds?: number;
    /** `next_page_token` lifetime (default 900). */
    pageTokenTtlSeconds?: number;
    /** QPS limit of the MEDIUM label (default 10); `false` disables it. */
    rateLimitPerSecond?: number | false;
  };
  truto?: {
    /** Per-integrated-account limit (off by default; Truto's real one is 50 per 10 s). */
    rateLimit?: { perAccountPer10s?: number } | false;
    /** List filters the "connected CRM" rejects with a 400. */
    unsupportedFilters?: string[];
    /** Every call fails with 401 + `truto_is_remote_error` (provider credentials dead). */
    remoteAuthDead?: boolean;
  };
  /** Initial fault configuration. */
  faults?: FaultOptions;
  /** Maximum request-log entries kept (default 10000). */
  logLimit?: number;
}
