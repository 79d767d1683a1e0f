import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Runs a TypeScript script (workspace packages from source) in a fresh `node` whose process time
 * zone is `timeZone`: vitest cannot change the zone of a process that has already used `Date`.
 * Resolves with the JSON the script printed on its last line.
 */
export function runInZone(timeZone: string, script: URL): Promise<unknown> {
  const path = fileURLToPath(script);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path],
      {
        cwd: root,
        env: { ...process.env, TZ: timeZone, TSX_TSCONFIG_PATH: `${root}tsconfig.json` },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${path} in ${timeZone} failed: ${stderr}`, { cause: error }));
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? 'null'));
      },
    );
  });
}
