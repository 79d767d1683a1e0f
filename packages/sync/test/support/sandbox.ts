import { createEngagementsClient, type Engagement } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';

const DAY = 86_400_000;
/** The sandbox's data ends at the start of today (UTC): every run sees the same records. */
export const SANDBOX_NOW = new Date(Math.floor(Date.now() / DAY) * DAY);
/** The sync's backfill start: before the sandbox's first record. */
export const SYNC_FROM = new Date(SANDBOX_NOW.getTime() - 31 * DAY);

export function startSyncSandbox(): Promise<Sandbox> {
  return startSandbox({ seed: 7, count: 60, days: 30, now: SANDBOX_NOW });
}

export function sandboxClient(sb: Sandbox) {
  const o = sb.adapterOptions;
  const adapters = {
    devrev: createDevRevAdapter({ ...o.devrev }),
    zoom: createZoomContactCenterAdapter({ ...o.zoom }),
    truto: createTrutoAdapter({ ...o.truto }),
  };
  return { adapters, client: createEngagementsClient({ adapters: Object.values(adapters) }) };
}

/** What the sandbox holds from `from` on, read through each adapter on its own, by id. */
export async function sandboxData(
  adapters: ReturnType<typeof sandboxClient>['adapters'],
  from: Date,
  providers: readonly (keyof typeof adapters)[] = ['devrev', 'zoom', 'truto'],
): Promise<Map<string, Engagement>> {
  const out = new Map<string, Engagement>();
  for (const name of providers) {
    for await (const e of adapters[name].engagements.list({ from, to: new Date() }))
      out.set(e.id, e);
  }
  return out;
}
