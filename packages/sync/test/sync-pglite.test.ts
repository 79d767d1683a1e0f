import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { pgliteStore } from '../src/pglite';
import { describeSync } from './support/sync-suite';

const dir = mkdtempSync(join(tmpdir(), 'engagekit-pglite-sync-'));
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create(join(dir, 'db'));
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describeSync('PGlite', () => (options) => pgliteStore(db, options));
