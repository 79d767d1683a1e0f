import { definePackageBuild } from '../../tsup.preset';

// Splitting keeps one copy of the store code and error classes across the three entries.
export default definePackageBuild(
  {
    index: 'src/index.ts',
    pglite: 'src/pglite.ts',
    postgres: 'src/postgres.ts',
    workers: 'src/workers/index.ts',
  },
  { splitting: true },
);
