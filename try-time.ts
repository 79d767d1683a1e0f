import { createEngagementsClient } from '@engagekit/core';
import { resolveAdapters } from './packages/cli/src/credentials';
import { startCliSandbox, sandboxNow } from './packages/cli/src/context';
let t = performance.now();
const lap = (s: string) => { const n = performance.now(); console.log(s, (n - t).toFixed(0)); t = n; };
const sb = await startCliSandbox({ count: 300 });
lap('start');
const adapters = resolveAdapters({ providers: undefined, flags: {}, env: {}, sandbox: sb });
for (const w of [7, 27, 27, 60]) {
  const client = createEngagementsClient({ adapters, windowMs: w * 86400000 });
  const to = sandboxNow(); const from = new Date(to.getTime() - 90 * 86400000);
  const n = (await client.engagements.list({ from, to, includeRaw: false, pageSize: 100 }).toArray()).length;
  lap(`list w=${w} n=${n}`);
  for (const a of adapters) { await a.engagements.list({ from, to, includeRaw: false, pageSize: 100 }).toArray(); lap(`  ${a.id}`); }
}
await sb.close();
