/**
 * What every example shares: the three adapters pointed at a sandbox (the local emulators of
 * DevRev, Zoom Contact Center and Truto). With real accounts you would write instead:
 *
 *   createDevRevAdapter()             // DEVREV_TOKEN
 *   createZoomContactCenterAdapter()  // ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET
 *   createTrutoAdapter()              // TRUTO_TOKEN, TRUTO_INTEGRATED_ACCOUNT_ID
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HttpOptions } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { type Sandbox, type SandboxOptions, startSandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';

export type { Sandbox };

/** Options every example's `main()` takes: a running sandbox (tests share one) and a logger. */
export interface ExampleOptions {
  sandbox?: Sandbox;
  log?: (line: string) => void;
}

export const DAY = 86_400_000;

/** The sandbox's data ends at the start of today (UTC), so every run sees the same records. */
export const SANDBOX_NOW = new Date(Math.floor(Date.now() / DAY) * DAY);

export function startExampleSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ seed: 42, count: 300, now: SANDBOX_NOW, ...options });
}

/** Runs `fn` with the given sandbox, or with a fresh one that is stopped afterwards. */
export async function withSandbox<T>(
  sandbox: Sandbox | undefined,
  fn: (sb: Sandbox) => Promise<T>,
): Promise<T> {
  if (sandbox) return fn(sandbox);
  const sb = await startExampleSandbox();
  try {
    return await fn(sb);
  } finally {
    await sb.close();
  }
}

/** The three adapters, configured for the sandbox. */
export function sandboxAdapters(sb: Sandbox, http: HttpOptions = {}) {
  const o = sb.adapterOptions;
  return {
    devrev: createDevRevAdapter({ ...http, ...o.devrev }),
    zoom: createZoomContactCenterAdapter({ ...http, ...o.zoom }),
    truto: createTrutoAdapter({ ...http, ...o.truto }),
  };
}

/** True when the module is the script node/tsx was started with (`npx tsx examples/x.ts`). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
