import { lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';

/**
 * A new PGlite database runs initdb, which costs seconds of CPU (about three quarters of a first
 * `engagekit sync` over a few hundred records). Every new database starts as the same empty
 * cluster, so the first one made on a machine is saved, gzipped, in a per-user cache, and later
 * new databases are loaded from that copy instead.
 */

/** The per-user cache directory: `$XDG_CACHE_HOME/engagekit`, else `~/.cache/engagekit`. */
export function defaultTemplateCache(): string | undefined {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg?.startsWith('/')) return join(xdg, 'engagekit');
  const home = homedir();
  return home ? join(home, '.cache', 'engagekit') : undefined;
}

/**
 * The file of the installed `@electric-sql/pglite` (its CommonJS build), resolved from this
 * package: the worker thread loads PGlite from here, so it runs the copy this package depends on.
 */
export function pgliteModulePath(): string {
  // Both builds (ESM and CJS) of this file resolve from here.
  const here = typeof __filename === 'string' ? __filename : import.meta.url;
  return createRequire(here).resolve('@electric-sql/pglite');
}

let versionOnce: Promise<string | undefined> | undefined;

/** The installed `@electric-sql/pglite` version: a template is only used by the version that made it. */
function pgliteVersion(): Promise<string | undefined> {
  versionOnce ??= (async () => {
    try {
      const main = pgliteModulePath();
      const pkg = JSON.parse(await readFile(join(dirname(main), '..', 'package.json'), 'utf8'));
      return pkg?.name === '@electric-sql/pglite' && typeof pkg.version === 'string'
        ? pkg.version
        : undefined;
    } catch {
      return undefined;
    }
  })();
  return versionOnce;
}

/** Whether `dir` needs initdb: in memory, missing, or without a cluster in it. */
async function isNew(dir: string): Promise<boolean> {
  if (dir.startsWith('memory://')) return true;
  // Other schemes (file://, idb://) are PGlite's to interpret: never guessed at.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dir)) return false;
  try {
    await stat(join(dir, 'PG_VERSION'));
    return false;
  } catch {
    return true;
  }
}

/**
 * The cached template, when it is a regular file of this user's that no one else can write (a
 * planted template would become the user's database).
 */
async function readTemplate(file: string): Promise<Buffer | undefined> {
  try {
    const [info, parent] = await Promise.all([lstat(file), lstat(dirname(file))]);
    const uid = process.getuid?.();
    for (const s of [info, parent]) {
      if (uid !== undefined && s.uid !== uid) return undefined;
      if ((s.mode & 0o022) !== 0) return undefined;
    }
    if (!info.isFile() || !parent.isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  // Unpacked here, not by PGlite: its unpacking of a damaged file rejects a promise no one awaits.
  // gzip's checksum catches a damaged copy, the tar magic a file that is not one.
  try {
    const tar = gunzipSync(await readFile(file), { maxOutputLength: MAX_TEMPLATE_BYTES });
    if (tar.subarray(257, 262).toString('latin1') === 'ustar') return tar;
  } catch {
    // Damaged: dropped below, and the next new database runs initdb and writes a fresh one.
  }
  await rm(file, { force: true }).catch(() => {});
  return undefined;
}

/** An empty cluster unpacks to about 40 MB. */
const MAX_TEMPLATE_BYTES = 256 * 2 ** 20;

/** Saves a fresh cluster's gzipped dump as the template (best effort: callers ignore a failure). */
export async function saveTemplate(file: string, gzipped: Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Written aside and renamed: a process reading it never sees half a file.
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, gzipped, { mode: 0o600, flag: 'wx' });
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Drops a template this PGlite cannot start from: the next new database runs initdb. */
export async function dropTemplate(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => {});
}

/**
 * What opening `dir` does about the template: nothing (`file` undefined: an existing database, no
 * cache, or an unknown PGlite version), load `template` (the unpacked tar of `file`), or run
 * initdb and save the fresh cluster to `file`.
 */
export interface TemplatePlan {
  file?: string | undefined;
  template?: Buffer | undefined;
}

/** The {@link TemplatePlan} for opening `dir` with the template cache `cache`. */
export async function templatePlan(dir: string, cache: string | undefined): Promise<TemplatePlan> {
  if (!cache || !(await isNew(dir))) return {};
  const version = await pgliteVersion();
  if (!version) return {};
  const file = join(cache, `pglite-${version.replace(/[^0-9A-Za-z.-]/g, '_')}.tar.gz`);
  return { file, template: await readTemplate(file) };
}

/**
 * Opens PGlite at `dir` in this thread. A new database starts from the cached template when there
 * is one for this PGlite version; otherwise it runs initdb and, when `cache` is a directory, saves
 * the fresh cluster there for the next new database (best effort: a cache that cannot be written
 * is skipped).
 */
export async function openPglite(dir: string, cache: string | undefined): Promise<PGlite> {
  const { file, template } = await templatePlan(dir, cache);
  if (!file) return PGlite.create(dir);
  if (template) {
    try {
      return await PGlite.create(dir, {
        loadDataDir: new Blob([template], { type: 'application/x-tar' }),
      });
    } catch (error) {
      await dropTemplate(file);
      throw error;
    }
  }
  const db = await PGlite.create(dir);
  await db
    .dumpDataDir('gzip')
    .then(async (dump) => saveTemplate(file, new Uint8Array(await dump.arrayBuffer())))
    .catch(() => {});
  return db;
}
