import { definePackageProject } from '../../vitest.shared';

export default definePackageProject('sync', { testTimeout: 60_000, hookTimeout: 60_000 });
