import { definePackageProject } from '../vitest.shared';

export default definePackageProject('reliability', { testTimeout: 60_000 });
