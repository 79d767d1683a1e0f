// A Stryker reporter that appends each surviving (or uncovered) mutant to a JSON-lines file the
// moment it is tested, so tests can be written for survivors while a long run is still going.
// The HTML report only appears when the whole run ends. The file is named by STRYKER_SURVIVORS_FILE
// (set by scripts/mutation.mjs) and started empty by each run.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';

class SurvivorsReporter {
  static inject = [];
  #file = process.env.STRYKER_SURVIVORS_FILE;
  #sources = new Map();

  constructor() {
    if (this.#file) writeFileSync(this.#file, '');
  }

  #line(fileName, line) {
    let lines = this.#sources.get(fileName);
    if (!lines) {
      try {
        lines = readFileSync(fileName, 'utf8').split('\n');
      } catch {
        lines = [];
      }
      this.#sources.set(fileName, lines);
    }
    return (lines[line - 1] ?? '').trim();
  }

  onMutantTested(result) {
    if (!this.#file || (result.status !== 'Survived' && result.status !== 'NoCoverage')) return;
    const line = result.location.start.line;
    appendFileSync(
      this.#file,
      `${JSON.stringify({
        id: result.id,
        file: result.fileName.replace(`${process.cwd()}/`, ''),
        line,
        column: result.location.start.column,
        status: result.status,
        mutator: result.mutatorName,
        replacement: result.replacement,
        source: this.#line(result.fileName, line),
      })}\n`,
    );
  }
}

export const strykerPlugins = [
  { kind: 'Reporter', name: 'survivors', injectableClass: SurvivorsReporter },
];
