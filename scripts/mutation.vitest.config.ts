import { fileURLToPath } from 'node:url';
import { definePackageProject } from '../vitest.shared';

// The vitest project Stryker runs for `pnpm mutation <package>` (set by scripts/mutation.mjs): the
// package's own tests minus those that only repeat them end to end. Those start the sandbox, spawn
// child processes under other time zones or time the whole listing, so they would make every
// mutant cost seconds and the initial run outlast Stryker's timeout on two cores; the mapping and
// query code they reach is covered by the unit tests kept here.
const name = process.env.ENGAGEKIT_MUTATION_PACKAGE;
if (!name) throw new Error('ENGAGEKIT_MUTATION_PACKAGE is not set (run `pnpm mutation <package>`)');

export default {
  ...definePackageProject(name, {
    exclude: [
      '**/node_modules/**',
      'test/**/*.integration.test.ts',
      'test/sandbox-*.test.ts',
      'test/tz-dates.test.ts',
      // A sandbox of 600,000 Truto records: the sandbox's seek, end to end.
      'test/changes-sparse.test.ts',
    ],
    // Loading each test file's imports afresh costs more than the tests themselves on two cores;
    // the tests reset their own nock scopes and mocks, so sharing modules changes no outcome.
    isolate: false,
  }),
  root: fileURLToPath(new URL(`../packages/${name}/`, import.meta.url)),
};
