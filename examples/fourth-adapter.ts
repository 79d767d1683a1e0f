/**
 * A fourth adapter beside the built-in three. `acme-crm/adapter.ts` is an adapter for an imaginary
 * CRM with page-number pagination, written only with the public API of @engagekit/core (the worked
 * example of docs/adapter-authoring.md, checked by the conformance kit in test/acme-crm.test.ts).
 * Here a tiny local "Acme" server stands in for the vendor, and the multi-provider client merges
 * Acme with DevRev as if they were one system. Run: npx tsx examples/fourth-adapter.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngagementsClient, type Engagement } from '@engagekit/core';
import { createAcmeCrmAdapter } from './acme-crm/adapter';
import {
  DAY,
  type ExampleOptions,
  isMain,
  SANDBOX_NOW,
  sandboxAdapters,
  withSandbox,
} from './lib/sandbox';

/** Acme's API: `GET /activities?page=&per_page=` → `{ data, meta: { page, total_pages } }`, unordered. */
export async function startAcmeServer(activities: Array<Record<string, unknown>>) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://acme');
    if (req.headers.authorization !== 'Bearer acme-key') {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'bad key' } }));
    }
    const page = Number(url.searchParams.get('page') ?? 1);
    const perPage = Number(url.searchParams.get('per_page') ?? 50);
    const data = activities.slice((page - 1) * perPage, page * perPage);
    const total_pages = Math.max(1, Math.ceil(activities.length / perPage));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data, meta: { page, total_pages } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function main({ sandbox, log = console.log }: ExampleOptions = {}) {
  // 30 Acme activities over the last 10 days, deliberately not in time order.
  const types = ['phone_call', 'email', 'meeting', 'text', 'carrier_pigeon'];
  const activities = Array.from({ length: 30 }, (_, i) => ({
    id: 1000 + i,
    type: types[i % types.length],
    title: `Acme activity ${i}`,
    happened_at: new Date(
      SANDBOX_NOW.getTime() - ((i * 7) % 30) * (DAY / 3) - 60_000,
    ).toISOString(),
    contact_ids: [`c${i % 4}`],
  }));
  const acmeServer = await startAcmeServer(activities);
  try {
    return await withSandbox(sandbox, async (sb) => {
      const acme = createAcmeCrmAdapter({ apiKey: 'acme-key', baseUrl: acmeServer.baseUrl });
      const { devrev } = sandboxAdapters(sb);
      const client = createEngagementsClient({ adapters: [devrev, acme] });

      const from = new Date(SANDBOX_NOW.getTime() - 10 * DAY);
      const items: Engagement[] = await client.engagements
        .list({ from, to: SANDBOX_NOW, pageSize: 10 })
        .toArray();
      for (const e of items.slice(0, 6))
        log(`${e.occurredAt}  ${e.provider.padEnd(8)} ${e.kind.padEnd(6)} ${e.subject ?? ''}`);
      const acmeItems = items.filter((e) => e.provider === 'acme-crm');
      log(
        `${items.length} engagements, ${acmeItems.length} from Acme (unknown type → kind 'other': ${acmeItems.filter((e) => e.kind === 'other').length})`,
      );
      return { items, acmeItems };
    });
  } finally {
    await acmeServer.close();
  }
}

if (isMain(import.meta.url)) await main();
