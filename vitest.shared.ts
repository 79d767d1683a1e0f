import { fileURLToPath } from 'node:url';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Tests import workspace packages from source, so no build is needed between edits. */
export const workspaceAliases = [
  { find: '@engagekit/core/testing', replacement: `${root}packages/core/src/testing/index.ts` },
  { find: '@engagekit/core/adapter', replacement: `${root}packages/core/src/adapter-kit.ts` },
  { find: /^@engagekit\/core$/, replacement: `${root}packages/core/src/index.ts` },
  { find: /^@engagekit\/devrev$/, replacement: `${root}packages/devrev/src/index.ts` },
  {
    find: /^@engagekit\/zoom-contact-center$/,
    replacement: `${root}packages/zoom-contact-center/src/index.ts`,
  },
  { find: /^@engagekit\/truto$/, replacement: `${root}packages/truto/src/index.ts` },
  { find: /^@engagekit\/sandbox$/, replacement: `${root}packages/sandbox/src/index.ts` },
  { find: /^@engagekit\/sync$/, replacement: `${root}packages/sync/src/index.ts` },
  { find: /^@engagekit\/sync\/pglite$/, replacement: `${root}packages/sync/src/pglite.ts` },
  { find: /^@engagekit\/sync\/postgres$/, replacement: `${root}packages/sync/src/postgres.ts` },
  { find: /^@engagekit\/sync\/workers$/, replacement: `${root}packages/sync/src/workers/index.ts` },
  { find: /^@engagekit\/cli$/, replacement: `${root}packages/cli/src/index.ts` },
];

/** A package's vitest project: its name, its tests, the workspace aliases. */
export function definePackageProject(name: string, test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { alias: workspaceAliases },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: 20_000,
      ...test,
    },
  });
}
