import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The spec files the repository keeps in `specs/` (see `specs/README.md`). */
export const SPEC_FILES = {
  devrev: 'devrev-engagements.openapi.yaml',
  zoom: 'zoom-contact-center-engagements.openapi.json',
  truto: 'truto-unified-crm-engagements.schema.json',
} as const;
export type SpecName = keyof typeof SPEC_FILES;

/** Absolute path of a vendor spec; throws (never skips) when the file is missing. */
export function specPath(name: SpecName, dir: URL = new URL('.', import.meta.url)): string {
  const path = fileURLToPath(new URL(SPEC_FILES[name], dir));
  if (!existsSync(path)) {
    throw new Error(
      `The ${name} spec is missing: expected ${path}. The repository keeps the vendor specs in specs/ (see specs/README.md); restore the file from git.`,
    );
  }
  return path;
}

/** A vendor spec, parsed (YAML or JSON by extension). */
export function loadSpec(name: SpecName): Record<string, unknown> {
  const path = specPath(name);
  const text = readFileSync(path, 'utf8');
  return (path.endsWith('.yaml') ? parseYaml(text) : JSON.parse(text)) as Record<string, unknown>;
}
