import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const REPO_URL = 'https://github.com/engagekit/engagekit/blob/main/';
const SKIP = new Set([
  'node_modules',
  'dist',
  '.git',
  'api',
  'coverage',
  'reports',
  '.stryker-tmp',
  '.changeset',
]);

function markdownFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) markdownFiles(path, out);
    else if (name.endsWith('.md')) out.push(path);
  }
  return out;
}

/** `[text](target)` links, without images' and code spans' false positives. */
function links(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
}

describe('docs point only at files that exist', () => {
  const files = markdownFiles(repoRoot);

  it('finds the docs', () => {
    expect(files.map((f) => f.slice(repoRoot.length))).toEqual(
      expect.arrayContaining(['README.md', 'docs/unified-model.md', 'specs/README.md']),
    );
  });

  it('every relative link resolves to a file in the repository', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const target of links(readFileSync(file, 'utf8'))) {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = resolve(dirname(file), decodeURIComponent(target.split('#')[0] as string));
        if (!existsSync(path)) broken.push(`${file.slice(repoRoot.length)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("package READMEs link with absolute URLs (they are read on the registry's page) that name files in the repository", () => {
    const relative: string[] = [];
    const missing: string[] = [];
    for (const file of files.filter((f) => /packages\/[^/]+\/README\.md$/.test(f))) {
      for (const target of links(readFileSync(file, 'utf8'))) {
        if (target.startsWith('#')) continue;
        if (!/^[a-z]+:/i.test(target)) relative.push(`${file.slice(repoRoot.length)} → ${target}`);
        else if (target.startsWith(REPO_URL)) {
          const path = join(repoRoot, target.slice(REPO_URL.length).split('#')[0] as string);
          if (!existsSync(path)) missing.push(`${file.slice(repoRoot.length)} → ${target}`);
        }
      }
    }
    expect(relative).toEqual([]);
    expect(missing).toEqual([]);
  });
});
