import { createEngagementsClient } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { startSandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { it } from 'vitest';

it('smoke', async () => {
  const sb = await startSandbox({ seed: 7, count: 3000, now: '2026-06-01T00:00:00Z', days: 365, rateLimits: false });
  const devrev = createDevRevAdapter({ baseUrl: sb.urls.devrev, ...sb.credentials.devrev, rateLimit: false });
  const zoom = createZoomContactCenterAdapter({ baseUrl: sb.urls.zoom, oauthUrl: sb.urls.zoomOAuth, ...sb.credentials.zoom, rateLimit: false });
  const truto = createTrutoAdapter({ baseUrl: sb.urls.truto, ...sb.credentials.truto, rateLimit: false });
  const params = { from: '2025-06-01T00:00:00Z', to: '2026-06-02T00:00:00Z' };
  for (const a of [devrev, zoom, truto]) {
    const t = Date.now();
    const items = await a.engagements.list({ ...params, pageSize: a.capabilities.maxPageSize }).toArray();
    console.log(a.id, items.length, new Set(items.map((e) => e.id)).size, Date.now() - t, 'ms', a.capabilities);
  }
  const t = Date.now();
  const client = createEngagementsClient({ adapters: [devrev, zoom, truto] });
  const all = await client.engagements.list(params).toArray();
  console.log('merged', all.length, Date.now() - t);
  console.log(sb.log.entries().length, sb.log.entries().slice(0, 3));
  await sb.close();
}, 60000);
