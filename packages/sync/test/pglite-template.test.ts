import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { InputValidationError } from '@engagekit/core';
import { afterAll, expect, it } from 'vitest';
import { pgliteStore } from '../src/pglite';

const dir = mkdtempSync(join(tmpdir(), 'engagekit-pglite-template-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The installed PGlite's version, read the way a user would (the package exports no package.json). */
const PGLITE_VERSION = (
  JSON.parse(
    readFileSync(
      join(
        dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')),
        '..',
        'package.json',
      ),
      'utf8',
    ),
  ) as { version: string }
).version;

let marked: Promise<Buffer> | undefined;

/** A template holding a marker table, so a database loaded from it is recognisable. */
async function plantTemplate(cache: string): Promise<string> {
  marked ??= (async () => {
    const db = await PGlite.create('memory://');
    await db.exec('CREATE TABLE from_template (x int)');
    const dump = await db.dumpDataDir('gzip');
    await db.close();
    return Buffer.from(await dump.arrayBuffer());
  })();
  const file = join(cache, `pglite-${version()}.tar.gz`);
  writeFileSync(file, await marked, { mode: 0o600 });
  return file;
}

function version(): string {
  expect(PGLITE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  return PGLITE_VERSION;
}

async function hasTable(store: ReturnType<typeof pgliteStore>, name: string): Promise<boolean> {
  const rows = await store.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = $1`,
    [name],
  );
  return rows[0]?.n === 1;
}

it('a new database is loaded from the cached template; an existing one is opened as it is', async () => {
  const cache = join(dir, 'cache');
  rmSync(cache, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(cache, { mode: 0o700 }));
  await plantTemplate(cache);
  const path = join(dir, 'a');
  const store = pgliteStore(path, { templateCache: cache });
  expect(await hasTable(store, 'from_template')).toBe(true);
  await store.query('DROP TABLE from_template');
  await store.writeBatch({ changes: [], checkpoint: { stream: 's', value: 'kept' } });
  await store.close();
  // Reopened: the directory's own data, not the template again.
  const again = pgliteStore(path, { templateCache: cache });
  expect(await hasTable(again, 'from_template')).toBe(false);
  expect(await again.getCheckpoint('s')).toBe('kept');
  await again.close();
  // In memory too.
  const memory = pgliteStore('memory://', { templateCache: cache });
  expect(await hasTable(memory, 'from_template')).toBe(true);
  await memory.close();
}, 180_000);

it('ignores a template others can write, and templateCache: false', async () => {
  const cache = join(dir, 'loose');
  rmSync(cache, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(cache, { mode: 0o700 }));
  const file = await plantTemplate(cache);
  chmodSync(file, 0o666);
  const loose = pgliteStore('memory://', { templateCache: cache });
  expect(await hasTable(loose, 'from_template')).toBe(false);
  await loose.close();
  chmodSync(file, 0o600);
  const off = pgliteStore('memory://', { templateCache: false });
  expect(await hasTable(off, 'from_template')).toBe(false);
  await off.close();
}, 180_000);

it('writes the template on the first new database, private to the user, then uses it', async () => {
  const cache = join(dir, 'fresh', 'engagekit');
  const store = pgliteStore(join(dir, 'b'), { templateCache: cache });
  await store.ready();
  await store.close();
  const file = join(cache, `pglite-${version()}.tar.gz`);
  expect(existsSync(file)).toBe(true);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(cache).mode & 0o777).toBe(0o700);
  // The template is the empty cluster: a database loaded from it holds none of b's tables.
  const next = pgliteStore(join(dir, 'c'), { templateCache: cache, schema: 'other' });
  await next.ready();
  expect(await hasTable(next, 'engagements')).toBe(true);
  const schemas = await next.query<{ s: string }>(
    `SELECT schemaname AS s FROM pg_tables WHERE tablename = 'engagements'`,
  );
  expect(schemas.map((r) => r.s)).toEqual(['other']);
  await next.close();
}, 180_000);

it('a damaged template is dropped: the database runs initdb and writes a fresh one', async () => {
  const cache = join(dir, 'corrupt');
  rmSync(cache, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(cache, { mode: 0o700 }));
  const file = join(cache, `pglite-${version()}.tar.gz`);
  writeFileSync(file, Buffer.from('not a gzipped cluster'), { mode: 0o600 });
  const store = pgliteStore('memory://', { templateCache: cache });
  await store.ready();
  expect(await hasTable(store, 'engagements')).toBe(true);
  await store.close();
  // Dropped, and replaced by the initdb that ran instead.
  const written = readFileSync(file);
  expect(written.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  expect(written.length).toBeGreaterThan(1_000_000);
}, 180_000);

it('refuses a bad templateCache, naming the field', () => {
  expect(() => pgliteStore('memory://', { templateCache: '' })).toThrow(InputValidationError);
  expect(() => pgliteStore('memory://', { templateCache: 3 as unknown as string })).toThrow(
    'templateCache: expected a directory path or false',
  );
});
