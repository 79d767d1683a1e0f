import { defineConfig, type Options } from 'tsup';

/**
 * The one build preset every package uses: ESM + CJS, `.d.ts` + `.d.cts`, Node 20.
 * `entry` names each public entry point, matching the package's `exports` map.
 */
export function definePackageBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    tsconfig: '../../tsconfig.build.json',
    ...overrides,
  });
}
