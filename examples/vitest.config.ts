import { definePackageProject } from '../vitest.shared';

export default definePackageProject('examples', { include: ['test/**/*.test.ts'] });
