/**
 * `pnpm bench` (after `pnpm build`): runs every benchmark, or the ones named
 * (`tsx bench/run.ts normalisation memory --count 200000`). Each benchmark runs in its own Node
 * process against the BUILT packages (`bench/node_modules/@engagekit/*` → `dist`), prints a table
 * and writes `bench/results/<name>.json`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ROOT } from './lib';

const ALL = [
  'normalisation',
  'body-decoding',
  'listing',
  'merged',
  'memory',
  'memory-merged',
  'ratelimit',
  'ratelimit-truto',
  'webhooks',
  'sync',
  'sync-workers',
  'memory-sync',
] as const;
const args = process.argv.slice(2);
const names = args.filter((a) => (ALL as readonly string[]).includes(a));
const extra = args.filter((a) => !names.includes(a));
const unknown = extra.filter((a, i) => !a.startsWith('--') && !extra[i - 1]?.startsWith('--'));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${ALL.join(', ')}`);
  process.exit(2);
}
for (const pkg of ['core', 'devrev', 'zoom-contact-center', 'truto', 'sandbox']) {
  if (!existsSync(`${ROOT}packages/${pkg}/dist/index.js`)) {
    console.error(`packages/${pkg}/dist is missing: run \`pnpm build\` first (or \`pnpm bench\`).`);
    process.exit(2);
  }
}

let failed = 0;
for (const name of names.length > 0 ? names : ALL) {
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  // The root tsconfig maps @engagekit/* to source for tests; benchmarks must measure the build,
  // so children use the base tsconfig (no `paths`) and resolve through bench/node_modules.
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      `${ROOT}node_modules/tsx/dist/cli.mjs`,
      '--tsconfig',
      `${ROOT}tsconfig.base.json`,
      `${ROOT}bench/benches/${name}.ts`,
      ...extra,
    ],
    {
      stdio: 'inherit',
      cwd: `${ROOT}bench`,
      env: process.env,
    },
  );
  if (r.status !== 0) failed++;
  console.log(
    `(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s${r.status ? `, exit ${r.status}` : ''})`,
  );
}
process.exit(failed ? 1 : 0);
