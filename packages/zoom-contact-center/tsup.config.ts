import { definePackageBuild } from '../../tsup.preset';

export default definePackageBuild({ index: 'src/index.ts' });
