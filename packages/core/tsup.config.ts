import { definePackageBuild } from '../../tsup.preset';

// Splitting keeps one copy of each class across the entries, so an error thrown through
// `@engagekit/core/adapter` is `instanceof` the class a user imports from `@engagekit/core` (CJS too).
export default definePackageBuild(
  { index: 'src/index.ts', adapter: 'src/adapter-kit.ts', testing: 'src/testing/index.ts' },
  { splitting: true },
);
