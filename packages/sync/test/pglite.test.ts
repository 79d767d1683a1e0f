import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { InputValidationError } from '@engagekit/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pgliteStore } from '../src/pglite';
import { minimalEngagement, upsert } from './support/fixtures';
import { describeStore } from './support/store-suite';

const dir = mkdtempSync(join(tmpdir(), 'engagekit-pglite-'));
// One database for the suite (each test has its own schema): opening PGlite takes seconds.
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create(join(dir, 'db'));
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describeStore('pglite (shared instance)', () => (options) => pgliteStore(db, options));

it('opens a directory of its own, and finds its data there again after close()', async () => {
  const path = join(dir, 'own');
  const first = pgliteStore(path);
  await first.writeBatch({
    changes: [upsert(minimalEngagement(1), '2026-11-01T00:00:00.000Z')],
    checkpoint: { stream: 's', value: 'v1' },
  });
  await first.close();
  await expect(first.getCheckpoint('s')).rejects.toThrow('The store is closed.');
  const second = pgliteStore(path);
  expect(await second.getCheckpoint('s')).toBe('v1');
  expect((await second.get('truto:M-1'))?.engagement).toEqual(minimalEngagement(1));
  await second.close();
});

it('refuses an empty directory, naming the field', () => {
  expect(() => pgliteStore('')).toThrow(InputValidationError);
  expect(() => pgliteStore('')).toThrow('dir: expected a directory path');
});
