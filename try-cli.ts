import { run } from './packages/cli/src/index.ts';
const code = await run(process.argv.slice(2));
console.error('exit', code);
