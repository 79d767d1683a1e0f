import { definePackageProject } from '../../vitest.shared';

export default definePackageProject('cli', { globalSetup: ['./test/global-setup.ts'] });
