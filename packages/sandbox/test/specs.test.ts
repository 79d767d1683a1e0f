import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSpec, SPEC_FILES, specPath } from '../../../specs/load';
import { trutoValidator } from './helpers';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('the vendor specs live in the repository (specs/)', () => {
  it('loads each vendor spec from specs/', () => {
    expect(loadSpec('devrev').openapi).toBe('3.0.3');
    expect(Object.keys(loadSpec('devrev').paths as object)).toContain('/engagements.list');
    expect(loadSpec('zoom').openapi).toBe('3.0.0');
    expect(Object.keys(loadSpec('zoom').paths as object)).toContain('/contact_center/engagements');
    expect(loadSpec('truto').title).toBe('Truto unified CRM engagements');
    for (const name of Object.keys(SPEC_FILES) as (keyof typeof SPEC_FILES)[]) {
      expect(specPath(name)).toBe(join(repoRoot, 'specs', SPEC_FILES[name]));
    }
  });

  it('fails loudly, naming the file and specs/README.md, when a spec is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'engagekit-specs-'));
    try {
      expect(() => specPath('zoom', pathToFileURL(`${empty}/`))).toThrowError(
        /zoom spec is missing: expected .*zoom-contact-center-engagements\.openapi\.json.*specs\/README\.md/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("checks Truto records against the reference's fields: `contact` is an array of { id }, nothing undocumented", () => {
    const validate = trutoValidator('engagement');
    expect(validate({ id: 'e1', contact: [{ id: 'c1' }], duration: '60' })).toBe(true);
    expect(validate({ id: 'e1', contacts: [{ id: 'c1' }] })).toBe(false);
    expect(validate({ contact: [] })).toBe(false);
    expect(validate({ id: 'e1', start_time: 'yesterday' })).toBe(false);
  });

  it('no file in the repository reads the folder beside it', () => {
    const offenders: string[] = [];
    const skip = new Set([
      'node_modules',
      'dist',
      '.git',
      'docs/api',
      'coverage',
      'reports',
      '.stryker-tmp',
    ]);
    const self = fileURLToPath(import.meta.url);
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        const rel = path.slice(repoRoot.length);
        if (skip.has(name) || skip.has(rel)) continue;
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|js|mjs|json|md|yaml)$/.test(name) && path !== self) {
          // `../shared` the folder, not a module such as `../shared-sandbox`.
          if (/\.\.\/shared(?![\w-])/.test(readFileSync(path, 'utf8'))) offenders.push(rel);
        }
      }
    };
    walk(repoRoot);
    expect(offenders).toEqual([]);
  });
});
