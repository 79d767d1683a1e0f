// The sorted runs' byte handling left untested by the client mutation run
// (`reports/mutation/core/client/survivors.jsonl`, `src/client/runs.ts`): which block of the arena
// a record's JSON goes to and when blocks go back to the pool; the run writer's buffer (its size,
// reuse, growth, `full`) and that a line longer than the room left is never cut; the run reader's
// first state, an empty line, a line without tabs after a good one, and a reader that compacts its
// buffer instead of growing it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Arena, Item, RunWriter } from '../src/client/runs';
import { engagement, T0 } from './client-fakes';
import { failure, runReader, spyFileHandle } from './spill-helpers';

const KIB64 = 64 * 1024;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engagekit-runs-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** `n` bytes of ASCII text. */
const ascii = (n: number) => 'x'.repeat(n);

/** Numbers the buffers it is shown, in order of first sight (compares identity without diffing bytes). */
function bufferIds() {
  const seen = new Map<Buffer | undefined, number>();
  return (b: Buffer | undefined) => {
    if (!seen.has(b)) seen.set(b, seen.size);
    return seen.get(b);
  };
}

describe('Arena', () => {
  it('puts small records one after the other in one shared block', () => {
    const pool: Buffer[] = [];
    const arena = new Arena(pool);
    const a = arena.add(1, 'a', '"first"');
    const b = arena.add(2, 'b', '"second"');
    const id = bufferIds();
    expect([id(a.buf), id(b.buf)]).toEqual([0, 0]);
    expect(a.buf?.length).toBe(KIB64);
    expect([a.off, a.len, b.off, b.len]).toEqual([0, 7, 7, 8]);
    expect(arena.value(a)).toBe('first');
    expect(arena.value(b)).toBe('second');
  });

  it('keeps using the block while the record fits, even when less than 3 bytes a char are left', () => {
    const arena = new Arena([]);
    const a = arena.add(1, 'a', ascii(KIB64 - 100));
    const b = arena.add(2, 'b', ascii(60)); // 100 left: not 180, but enough
    const c = arena.add(3, 'c', ascii(40)); // exactly the 40 left
    expect([b.off, c.off, c.off + c.len]).toEqual([KIB64 - 100, KIB64 - 40, KIB64]);
    const d = arena.add(4, 'd', 'y');
    const id = bufferIds();
    expect([id(a.buf), id(b.buf), id(c.buf), id(d.buf)]).toEqual([0, 0, 0, 1]);
    expect([d.off, d.len]).toEqual([0, 1]);
  });

  it('a record of exactly one block goes to a pooled block; a longer one gets its own', () => {
    const pool: Buffer[] = [];
    const arena = new Arena(pool);
    const exact = arena.add(1, 'a', `"${ascii(KIB64 - 2)}"`);
    expect(exact.len).toBe(KIB64);
    const longer = arena.add(2, 'b', `"${ascii(KIB64 - 1)}"`);
    expect(longer.len).toBe(KIB64 + 1);
    expect(longer.buf?.length).toBe(KIB64 + 1);
    expect(arena.value(longer)).toBe(ascii(KIB64 - 1));
    arena.clear();
    // Only the block is pooled, not the record's own buffer.
    const id = bufferIds();
    expect([id(exact.buf), id(longer.buf), ...pool.map(id)]).toEqual([0, 1, 0]);
  });

  it('gives its blocks back to the pool once, and reuses pooled blocks', () => {
    const pool: Buffer[] = [];
    const arena = new Arena(pool);
    const a = arena.add(1, 'a', '"x"');
    const id = bufferIds();
    id(a.buf);
    expect(pool).toHaveLength(0);
    arena.clear();
    expect(pool.map(id)).toEqual([0]);
    arena.clear();
    expect(pool.map(id)).toEqual([0]);
    const b = arena.add(2, 'b', '"y"');
    expect(id(b.buf)).toBe(0);
    expect(pool).toHaveLength(0);
  });
});

describe('RunWriter', () => {
  const file = () => join(dir, 'run.ndjson');

  it('writes through a fresh buffer of two flushes, or the one it is given', async () => {
    const w = await RunWriter.create(file());
    expect(w.buffer.length).toBe(2 * KIB64);
    await w.close();
    const mine = Buffer.alloc(100);
    const w2 = await RunWriter.create(file(), mine);
    expect(w2.buffer === mine).toBe(true);
    await w2.close();
  });

  it('is full from 64 KiB held, and empty again after a flush', async () => {
    const w = await RunWriter.create(file());
    const src = Buffer.alloc(KIB64, 'a');
    expect(w.full).toBe(false);
    w.bytes(src, 0, KIB64 - 1);
    expect(w.full).toBe(false);
    w.bytes(src, 0, 1);
    expect(w.full).toBe(true);
    w.bytes(src, 0, 1);
    expect(w.full).toBe(true);
    await w.flush();
    expect(w.full).toBe(false);
    await w.close();
    expect((await readFile(file())).length).toBe(KIB64 + 1);
  });

  it('grows its buffer only when the bytes do not fit, to at least twice its size', async () => {
    const mine = Buffer.alloc(64);
    const w = await RunWriter.create(file(), mine);
    const src = Buffer.alloc(200, 'b');
    w.bytes(src, 150, 200); // 50 bytes, from an offset past the buffer's size
    expect(w.buffer === mine).toBe(true);
    w.bytes(src, 0, 14); // exactly the 14 left
    expect(w.buffer === mine).toBe(true);
    w.bytes(src, 0, 1);
    expect(w.buffer.length).toBe(128);
    await w.close();
    expect(await readFile(file(), 'latin1')).toBe('b'.repeat(65));
  });

  it('never cuts a line that does not fit in the room left', async () => {
    // 14 bytes left: less than the key's 23 bytes, more than a third of its 22 chars.
    const w = await RunWriter.create(file(), Buffer.alloc(64));
    w.bytes(Buffer.alloc(50, 'z'), 0, 50);
    const e = engagement('p', 'é1', T0);
    w.item(new Item(T0, e.id, e, undefined, 0, 0));
    const arena = new Arena([]);
    w.item(arena.add(T0 + 1, 'p:2', JSON.stringify({ n: 'ü'.repeat(30) })));
    await w.close();
    const text = await readFile(file(), 'utf8');
    expect(text).toBe(
      `${'z'.repeat(50)}${T0}\t"p:é1"\t${JSON.stringify(e)}\n` +
        `${T0 + 1}\t"p:2"\t${JSON.stringify({ n: 'ü'.repeat(30) })}\n`,
    );
  });
});

describe('RunReader', () => {
  const reader = (text: string | Buffer) => runReader(dir, text);
  /** Sizes of the buffers `FileHandle.read` fills meanwhile; more than `cap` reads fail fast. */
  const spyReads = (cap: number) =>
    spyFileHandle(dir, 'read', cap, (args) => (args[0] as Buffer).length);

  it('has no key before its first line', async () => {
    const r = await reader(`5\t"a"\t1\n`);
    expect([r.t, r.id]).toEqual([0, '']);
    expect(await r.next()).toBe(true);
    expect([r.t, r.id, r.value()]).toEqual([5, 'a', 1]);
    expect(await r.next()).toBe(false);
    await r.close();
  });

  it('an empty first line is malformed, not a line cut short', async () => {
    const r = await reader(`\n5\t"a"\t1\n`);
    expect(await failure(r.next())).toBe('engagekit: a spilled run has a malformed line');
    await r.close();
  });

  it('a line without a tab after a good line is malformed', async () => {
    const r = await reader(`1\t"a"\t2\nxyz\n`);
    expect(await r.next()).toBe(true);
    expect(await failure(r.next())).toBe('engagekit: a spilled run has a malformed line');
    await r.close();
  });

  it('reads a run far longer than its buffer through a buffer it compacts, not grows', async () => {
    const sizes = await spyReads(1_000);
    const lines = Array.from({ length: 200 }, (_, i) => `${i}\t"id-${i}"\t"${ascii(1_000)}"\n`);
    const r = await reader(lines.join(''));
    const ids: string[] = [];
    while (await r.next()) {
      ids.push(r.id);
      expect(r.value()).toBe(ascii(1_000));
    }
    await r.close();
    expect(ids).toEqual(lines.map((_, i) => `id-${i}`));
    expect(sizes.length).toBeGreaterThan(12);
    expect(new Set(sizes)).toEqual(new Set([16 * 1024]));
  });

  it('grows its buffer for a line longer than it', async () => {
    const sizes = await spyReads(100);
    const long = ascii(40_000);
    const r = await reader(`1\t"a"\t"${long}"\n2\t"b"\t3\n`);
    expect(await r.next()).toBe(true);
    expect(r.value()).toBe(long);
    expect(await r.next()).toBe(true);
    expect([r.t, r.id, r.value()]).toEqual([2, 'b', 3]);
    expect(await r.next()).toBe(false);
    await r.close();
    expect(sizes).toEqual([16_384, 32_768, 65_536, 65_536]);
  });
});
