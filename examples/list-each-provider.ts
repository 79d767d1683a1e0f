/**
 * List engagements from each provider on its own: items with `for await`, pages with `.pages()`.
 * Run: npx tsx examples/list-each-provider.ts
 */
import type { Engagement } from '@engagekit/core';
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
    const to = SANDBOX_NOW;
    const from = new Date(to.getTime() - 30 * DAY);
    const result: Record<string, { records: number; pages: number; first?: Engagement }> = {};

    for (const adapter of [devrev, zoom, truto]) {
      let records = 0;
      let pages = 0;
      let first: Engagement | undefined;
      // Page by page: each page is one vendor response (empty pages are skipped for you).
      for await (const page of adapter.engagements.list({ from, to, pageSize: 50 }).pages()) {
        pages++;
        records += page.items.length;
        first ??= page.items[0];
      }
      result[adapter.id] = { records, pages, first };
      log(`${adapter.id.padEnd(20)} ${records} engagements in ${pages} pages (last 30 days)`);
      if (first)
        log(`  first: ${first.occurredAt} ${first.kind} ${first.subject ?? ''} (${first.id})`);
    }

    // Item by item, with a cap: DevRev conversations come out as engagements of kind 'chat'.
    const chats = await devrev.conversations.list({ pageSize: 20 }).toArray({ max: 5 });
    log(`devrev conversations: ${chats.map((c) => c.id).join(', ')}`);
    return { providers: result, conversations: chats };
  });
}

if (isMain(import.meta.url)) await main();
