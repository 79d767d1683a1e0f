/** Stateless 32-bit hash of (seed, index, salt): the basis of lazily generated records. */
export function hash32(seed: number, index: number, salt: number): number {
  let h =
    Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^
    Math.imul((index + 0x632be5ab) >>> 0, 0xc2b2ae35) ^
    Math.imul((salt + 0x165667b1) >>> 0, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) derived from (seed, index, salt). */
export function unit(seed: number, index: number, salt: number): number {
  return hash32(seed, index, salt) / 4294967296;
}

/** Record-local random source: every draw uses a new salt, so values are a pure function of (seed, index). */
export class Draw {
  private salt = 0;
  constructor(
    private readonly seed: number,
    private readonly index: number,
  ) {}
  next(): number {
    this.salt += 1;
    return unit(this.seed, this.index, this.salt);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  hex(length: number): string {
    let out = '';
    while (out.length < length)
      out += hash32(this.seed, this.index, 1000 + ++this.salt)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, length);
  }
  token(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
    let out = '';
    for (let k = 0; k < length; k++) out += alphabet[Math.floor(this.next() * 64)];
    return out;
  }
}

/** Sequential seeded PRNG (mulberry32) for fault decisions. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
