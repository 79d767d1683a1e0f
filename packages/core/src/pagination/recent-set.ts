/**
 * How many keys one `Set` of a `RecentSet` holds at most. V8 keeps a `Set` of up to 4,096 entries
 * in one ordinary heap object; past that its table is a large object and every add costs about
 * five times as much (4,000 ids: ~40 ns an add; 5,000: ~250 ns, Node 20). A listing of thousands
 * of records paid that on each id.
 */
export const GENERATION_SIZE = 4000;

/**
 * A set that forgets its oldest keys beyond `capacity`. An array of the keys in insertion order
 * says which to forget: asking a `Set` for its first key after many deletions walks their tombstones.
 * The keys live in generations of at most `generationSize` (in insertion order, the oldest first),
 * so no `Set` grows past the size V8 handles cheaply; what it remembers is the same as one `Set`'s.
 */
export class RecentSet {
  /** The generations, oldest first; the last one takes new keys. */
  #generations: Set<string>[] = [new Set<string>()];
  /** The keys in insertion order from `#head` on; those before it are forgotten. */
  #order: string[] = [];
  #head = 0;
  constructor(
    private readonly capacity: number,
    private readonly generationSize = GENERATION_SIZE,
  ) {}
  has(key: string): boolean {
    const generations = this.#generations;
    for (let i = generations.length - 1; i >= 0; i--) {
      if ((generations[i] as Set<string>).has(key)) return true;
    }
    return false;
  }
  add(key: string): void {
    if (this.addNew(key)) this.trim();
  }
  /** Adds `key` and says whether it was new; forgets nothing until `trim()`. */
  addNew(key: string): boolean {
    const generations = this.#generations;
    const last = generations.length - 1;
    const current = generations[last] as Set<string>;
    for (let i = 0; i < last; i++) {
      if ((generations[i] as Set<string>).has(key)) return false;
    }
    const size = current.size;
    if (size >= this.generationSize) {
      if (current.has(key)) return false;
      generations.push(new Set<string>([key]));
    } else {
      current.add(key);
      if (current.size === size) return false;
    }
    this.#order.push(key);
    return true;
  }
  /** Forgets the oldest keys beyond `capacity`. */
  trim(): void {
    const order = this.#order;
    const generations = this.#generations;
    while (order.length - this.#head > this.capacity) {
      // The oldest key is in the oldest generation: keys enter generations in insertion order.
      const oldest = generations[0] as Set<string>;
      oldest.delete(order[this.#head++] as string);
      if (oldest.size === 0 && generations.length > 1) generations.shift();
    }
    if (this.#head >= this.capacity) {
      this.#order = order.slice(this.#head);
      this.#head = 0;
    }
  }
  /** How many generations hold the keys (for tests). */
  get generationCount(): number {
    return this.#generations.length;
  }
}
