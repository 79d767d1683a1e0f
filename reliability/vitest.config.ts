import { definePackageProject } from '../vitest.shared';

export default definePackageProject('reliability', {
  include: ['*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 15_000,
  // The suites wait on real (short) retry delays; run their tests side by side.
  maxConcurrency: 16,
});
