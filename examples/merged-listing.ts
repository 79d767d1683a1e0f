/**
 * One client over DevRev, Zoom Contact Center and Truto: a single stream in `occurredAt` order
 * (ties by id). Zoom only accepts one-month ranges; the client slices the 90 days for you.
 * Run: npx tsx examples/merged-listing.ts
 */
import { createEngagementsClient, type Engagement } from '@engagekit/core';
import {
  DAY,
  type ExampleOptions,
  isMain,
  SANDBOX_NOW,
  sandboxAdapters,
  withSandbox,
} from './lib/sandbox';

export async function main({ sandbox, log = console.log }: ExampleOptions = {}) {
  return withSandbox(sandbox, async (sb) => {
    const { devrev, zoom, truto } = sandboxAdapters(sb);
    const client = createEngagementsClient({ adapters: [devrev, zoom, truto] });

    const to = SANDBOX_NOW;
    const from = new Date(to.getTime() - 90 * DAY);
    const items: Engagement[] = [];
    const perProvider: Record<string, number> = {};
    for await (const e of client.engagements.list({ from, to, kinds: ['call', 'email', 'chat'] })) {
      items.push(e);
      perProvider[e.provider] = (perProvider[e.provider] ?? 0) + 1;
    }

    for (const e of items.slice(0, 8)) {
      log(`${e.occurredAt}  ${e.provider.padEnd(20)} ${e.kind.padEnd(6)} ${e.subject ?? ''}`);
    }
    log(`… ${items.length} calls, emails and chats in 90 days:`);
    for (const [provider, n] of Object.entries(perProvider)) log(`  ${provider}: ${n}`);

    // Newest first is one option away.
    const latest = await client.engagements.list({ from, to, order: 'desc' }).toArray({ max: 3 });
    log(`latest: ${latest.map((e) => `${e.occurredAt} ${e.id}`).join(' | ')}`);
    return { items, perProvider, latest };
  });
}

if (isMain(import.meta.url)) await main();
