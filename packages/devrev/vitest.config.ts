import { definePackageProject } from '../../vitest.shared';

export default definePackageProject('devrev', {
  typecheck: {
    enabled: true,
    include: ['test/**/*.test-d.ts'],
    tsconfig: './tsconfig.typetest.json',
  },
});
