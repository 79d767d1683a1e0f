#!/usr/bin/env node
// `pnpm mutation [package…]`: StrykerJS on the parts whose tests must catch one-line mistakes, one
// package at a time with that package's vitest project. Incremental (a rerun tests only mutants in
// code or tests that changed), an HTML report under reports/ (not committed), and the scores in
// bench/results/mutation.json. Not part of .ci/run: a full run takes long on two cores.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Stryker } from '@stryker-mutator/core';

/** What each package mutates, grouped as the targets in docs/testing.md are stated. */
const TARGETS = {
  core: {
    target: 0.9,
    groups: {
      pagination: 'packages/core/src/pagination/**/*.ts',
      http: 'packages/core/src/http/**/*.ts',
      errors: 'packages/core/src/errors/**/*.ts',
      client: 'packages/core/src/client/**/*.ts',
    },
  },
  devrev: {
    target: 0.8,
    groups: { map: 'packages/devrev/src/map/**/*.ts', query: 'packages/devrev/src/query.ts' },
  },
  'zoom-contact-center': {
    target: 0.8,
    groups: {
      map: 'packages/zoom-contact-center/src/map/**/*.ts',
      query: 'packages/zoom-contact-center/src/query.ts',
    },
  },
  truto: {
    target: 0.8,
    groups: { map: 'packages/truto/src/map/**/*.ts', query: 'packages/truto/src/query.ts' },
  },
};

const RESULTS = 'bench/results/mutation.json';
const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = requested.filter((p) => !(p in TARGETS));
if (unknown.length > 0) {
  console.error(
    `unknown package: ${unknown.join(', ')} (one of: ${Object.keys(TARGETS).join(', ')})`,
  );
  process.exit(2);
}
const packages = requested.length > 0 ? requested : Object.keys(TARGETS);

const globToRegExp = (glob) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '(?:.*/)?')
      .replace(/\*/g, '[^/]*')}$`,
  );

let previous = {};
try {
  previous = JSON.parse(readFileSync(RESULTS, 'utf8'));
} catch {}
const results = { ...previous };
let failed = false;

for (const pkg of packages) {
  const { target, groups: allGroups } = TARGETS[pkg];
  // MUTATE_GROUPS=pagination,client narrows a run to some groups (a full core run is long).
  const only = process.env.MUTATE_GROUPS?.split(',').filter(Boolean);
  const groups = Object.fromEntries(
    Object.entries(allGroups).filter(([name]) => !only || only.includes(name)),
  );
  const mutateGlobs = Object.values(groups);
  if (mutateGlobs.length === 0) {
    console.error(`MUTATE_GROUPS names no group of ${pkg} (${Object.keys(allGroups).join(', ')})`);
    process.exit(2);
  }
  process.env.ENGAGEKIT_MUTATION_PACKAGE = pkg;
  // A group run keeps its own incremental file and sandbox, so runs of different groups of one
  // package can go on side by side without overwriting each other's state.
  const runName = only ? `${pkg}/${[...only].sort().join('+')}` : pkg;
  mkdirSync(`reports/mutation/${runName}`, { recursive: true });
  process.env.STRYKER_SURVIVORS_FILE = `reports/mutation/${runName}/survivors.jsonl`;
  const stryker = new Stryker({
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner', './scripts/mutation-survivors-reporter.mjs'],
    vitest: {
      configFile: 'scripts/mutation.vitest.config.ts',
      dir: `packages/${pkg}`,
      related: false,
    },
    mutate: [...mutateGlobs, '!**/index.ts'],
    // Build output is not needed (tests import sources) and another build may delete it mid-copy;
    // another run's sandbox (.stryker-tmp) and reports change under the copy while that run goes on.
    ignorePatterns: ['dist', 'bench/.prof', '.stryker-tmp', 'reports'],
    // The first run, which records which test covers which mutant, is long on a loaded machine.
    dryRunTimeoutMinutes: 30,
    coverageAnalysis: 'perTest',
    incremental: true,
    incrementalFile: `reports/mutation/${runName}/incremental.json`,
    reporters: ['html', 'clear-text', 'progress', 'survivors'],
    htmlReporter: { fileName: `reports/mutation/${runName}/index.html` },
    concurrency: 2,
    timeoutMS: 20_000,
    ignoreStatic: true,
    tempDirName: `.stryker-tmp/${runName.replace('/', '-')}`,
    cleanTempDir: 'always',
  });
  let mutants;
  try {
    mutants = await stryker.runMutationTest();
  } catch (error) {
    // One package's broken run (e.g. a red suite) must not lose the scores of the others.
    console.error(`${pkg}: mutation run failed: ${error instanceof Error ? error.message : error}`);
    failed = true;
    continue;
  }
  const byGroup = {};
  for (const [name, glob] of Object.entries(groups)) {
    const re = globToRegExp(glob);
    const counts = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, excluded: 0 };
    for (const m of mutants.filter((m) =>
      re.test(m.fileName.replaceAll('\\', '/').replace(`${process.cwd()}/`, '')),
    )) {
      if (m.status === 'Killed') counts.killed++;
      else if (m.status === 'Timeout') counts.timeout++;
      else if (m.status === 'Survived') counts.survived++;
      else if (m.status === 'NoCoverage') counts.noCoverage++;
      else counts.excluded++;
    }
    const detected = counts.killed + counts.timeout;
    const valid = detected + counts.survived + counts.noCoverage;
    const score = valid === 0 ? null : Math.round((detected / valid) * 1000) / 10;
    byGroup[name] = { ...counts, score, target: target * 100 };
    if (score !== null && score < target * 100) failed = true;
  }
  // Another package's run may have written the file since this one started (runs take long and
  // engineers run packages in parallel): merge into the file as it is now, not as it was then.
  let current = {};
  try {
    current = JSON.parse(readFileSync(RESULTS, 'utf8'));
  } catch {}
  const kept = only ? (current[pkg]?.groups ?? previous[pkg]?.groups ?? {}) : {};
  results[pkg] = { date: new Date().toISOString(), groups: { ...kept, ...byGroup } };
  console.log(`\n${pkg}:`, JSON.stringify(byGroup, null, 2));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify({ ...current, [pkg]: results[pkg] }, null, 2)}\n`);
}

console.log(`scores written to ${RESULTS}; HTML reports under reports/mutation/`);
process.exit(failed ? 1 : 0);
