import { definePackageProject } from '../../vitest.shared';

// PGlite's first open of a directory runs initdb: tens of seconds on a loaded machine.
export default definePackageProject('sync', { testTimeout: 120_000, hookTimeout: 180_000 });
