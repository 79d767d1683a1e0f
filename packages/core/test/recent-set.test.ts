// Issue 14: the never-twice id window keeps its keys in generations of bounded `Set`s.
import { describe, expect, it } from 'vitest';
import { GENERATION_SIZE, RecentSet } from '../src/pagination/recent-set';

const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('RecentSet generations', () => {
  it('stays under the size V8 keeps a Set cheap at', () => {
    expect(GENERATION_SIZE).toBe(4000);
    const set = new RecentSet(10_000);
    for (const key of keys('k', 4000)) set.addNew(key);
    expect(set.generationCount).toBe(1);
    expect(set.addNew('k4000')).toBe(true);
    expect(set.generationCount).toBe(2);
  });

  it('knows a key of every generation, and says a repeat is not new', () => {
    const set = new RecentSet(100, 3);
    for (const key of keys('a', 8)) expect(set.addNew(key)).toBe(true);
    expect(set.generationCount).toBe(3);
    for (const key of keys('a', 8)) {
      expect(set.has(key)).toBe(true);
      expect(set.addNew(key)).toBe(false);
    }
    expect(set.has('a8')).toBe(false);
    // A repeat met when the newest generation is full is not new either, and opens none.
    expect(set.addNew('a6')).toBe(false);
    expect(set.addNew('a7')).toBe(false);
    expect(set.generationCount).toBe(3);
    expect(set.addNew('a8')).toBe(true);
    expect(set.generationCount).toBe(3);
    expect(set.addNew('a9')).toBe(true);
    expect(set.generationCount).toBe(4);
  });

  it('forgets exactly the oldest keys beyond capacity, across generations, and drops emptied ones', () => {
    const set = new RecentSet(5, 2);
    for (const key of keys('b', 7)) set.add(key);
    // b0, b1 forgotten; b2..b6 kept (b2 alone in what is left of its generation).
    expect(keys('b', 7).map((k) => set.has(k))).toEqual([
      false,
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(set.generationCount).toBe(3);
    set.add('b7');
    expect(set.has('b2')).toBe(false);
    expect(set.has('b3')).toBe(true);
    expect(set.generationCount).toBe(3);
    // A forgotten key is new again.
    expect(set.addNew('b0')).toBe(true);
  });

  it('addNew forgets nothing until trim', () => {
    const set = new RecentSet(2, 2);
    for (const key of keys('c', 5)) expect(set.addNew(key)).toBe(true);
    expect(keys('c', 5).every((k) => set.has(k))).toBe(true);
    set.trim();
    expect(keys('c', 5).map((k) => set.has(k))).toEqual([false, false, false, true, true]);
    expect(set.generationCount).toBe(2);
  });

  it('a window smaller than a generation keeps one generation', () => {
    const set = new RecentSet(3, 10);
    for (const key of keys('d', 20)) set.add(key);
    expect(keys('d', 20).filter((k) => set.has(k))).toEqual(['d17', 'd18', 'd19']);
    expect(set.generationCount).toBe(1);
  });

  it('a listing longer than several generations still never re-adds an old id', () => {
    const set = new RecentSet(10_000);
    for (const key of keys('e', 9000)) set.add(key);
    expect(set.generationCount).toBe(3);
    expect(set.addNew('e0')).toBe(false);
    expect(set.addNew('e3999')).toBe(false);
    expect(set.addNew('e4000')).toBe(false);
    expect(set.addNew('e8999')).toBe(false);
  });

  it('a window of 0 forgets each key at once and keeps taking new ones', () => {
    const set = new RecentSet(0, 2);
    set.add('f0');
    expect(set.has('f0')).toBe(false);
    expect(set.generationCount).toBe(1);
    set.add('f1');
    expect(set.has('f1')).toBe(false);
    expect(set.addNew('f1')).toBe(true);
    expect(set.has('f1')).toBe(true);
  });
});
