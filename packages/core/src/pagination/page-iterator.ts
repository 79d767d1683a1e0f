import { type InvalidRecord, MAX_KEPT_SKIPPED } from './invalid-record';

const noop = () => {};
/** What every async generator inherits: `[Symbol.asyncIterator]()` returning itself, and more. */
const AsyncIteratorPrototype: object = Object.getPrototypeOf(
  Object.getPrototypeOf(async function* () {}.prototype),
);

/** One page of results. Cursors are engagekit cursors: pass one back as `params.cursor` to resume. */
export interface Page<T> {
  items: T[];
  /**
   * Resumes after this page; absent on the last page, so `while (page.nextCursor)` loops end. To
   * remember that a listing is finished, keep `iterator.cursor` once `iterator.done` is true: it is a
   * terminal cursor that resumes to no items without a request.
   */
  nextCursor?: string | undefined;
  /** Pages backwards from this page, where the vendor supports it. */
  prevCursor?: string | undefined;
}

/** A page as a source produces it: it can also name a cursor that resumes after any of its items. */
export interface SourcePage<T> extends Page<T> {
  /**
   * A cursor that resumes right after `items[index]` (the terminal cursor after the last item of the
   * last page); `undefined` when the source cannot name one.
   */
  cursorAfter?(index: number): string | undefined;
}

/** What a source reports to the iterator that reads it, besides pages. */
export interface ListingSink {
  /** A record the listing skipped under `onInvalidRecord: 'skip'` or a function. */
  skipped(record: InvalidRecord): void;
  /** The listing is exhausted; `cursor` (when the source can write one) resumes to nothing. */
  finished(cursor: string | undefined): void;
}

/** Produces a listing's pages; reports skipped records and the end through `sink`. */
export type PageSource<T> = (sink: ListingSink) => AsyncIterator<SourcePage<T>>;

/**
 * What every `list()` returns, at once and without awaiting: iterate it for items, `.pages()` for
 * pages, or take `.firstPage()` / `.toArray({ max })`. Each iteration starts a fresh listing.
 */
export class PageIterator<T> implements AsyncIterable<T> {
  /** The page and index of the item iteration yielded last: its cursor is only built when asked for. */
  #lastPage: SourcePage<T> | undefined;
  #lastIndex = 0;
  #done = false;
  #terminalCursor: string | undefined;
  #skipped: InvalidRecord[] = [];
  #skippedCount = 0;
  readonly #sink: ListingSink = {
    skipped: (record) => {
      this.#skippedCount++;
      if (this.#skipped.length < MAX_KEPT_SKIPPED) this.#skipped.push(record);
    },
    finished: (cursor) => {
      this.#done = true;
      this.#terminalCursor = cursor;
    },
  };

  constructor(private readonly source: PageSource<T>) {}

  /**
   * A cursor that resumes right after the last item the most recent item iteration yielded
   * (`undefined` before any item). Once the listing is `done`, a terminal cursor: resuming from it
   * yields nothing and sends no request.
   */
  get cursor(): string | undefined {
    if (this.#done) return this.#terminalCursor;
    const page = this.#lastPage;
    if (!page) return undefined;
    const index = this.#lastIndex;
    if (page.cursorAfter) return page.cursorAfter(index);
    return index === page.items.length - 1 ? page.nextCursor : undefined;
  }

  /**
   * `true` once the most recent iteration read the listing to its end (not when it stopped at
   * `maxPages`, broke early or failed). Each new iteration starts over at `false`.
   */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Records the most recent iteration skipped (`onInvalidRecord: 'skip'` or a function), in order:
   * the first {@link MAX_KEPT_SKIPPED}; `skippedCount` counts them all.
   */
  get skipped(): readonly InvalidRecord[] {
    return this.#skipped;
  }

  /** How many records the most recent iteration skipped. */
  get skippedCount(): number {
    return this.#skippedCount;
  }

  /** Pages, in order. Empty vendor pages in the middle are skipped, never ending the listing. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    for await (const page of this.sourcePages()) {
      yield { items: page.items, nextCursor: page.nextCursor, prevCursor: page.prevCursor };
    }
  }

  /**
   * The raw source pages (with `cursorAfter`), for composing iterators. Skipped records and the end
   * of the listing are reported to `sink` (by default this iterator's own `skipped`/`done`/`cursor`).
   */
  async *sourcePages(sink?: ListingSink): AsyncGenerator<SourcePage<T>, void, undefined> {
    if (!sink) {
      this.#done = false;
      this.#terminalCursor = undefined;
      this.#skipped = [];
      this.#skippedCount = 0;
    }
    const it = this.source(sink ?? this.#sink);
    try {
      while (true) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await it.return?.();
    }
  }

  /**
   * Items, in order. Written out instead of as an async generator: an item of a page already read
   * is handed over in one settled promise, where each `yield` of a generator takes several turns of
   * the microtask queue (a listing's largest cost per item after validation and mapping). It acts as
   * the generator did: it starts on the first `next()`, calls made before one settles wait their
   * turn, and `return()` / `throw()` end the listing (its source's `return()` runs).
   */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    let pages: AsyncGenerator<SourcePage<T>, void, undefined> | undefined;
    let page: SourcePage<T> | undefined;
    let index = 0;
    let finished = false;
    /** Calls queued and not yet settled; `tail` settles after the last of them. */
    let pending = 0;
    let tail: Promise<void> = Promise.resolve();
    const deliver = (p: SourcePage<T>, i: number): IteratorResult<T, void> => {
      this.#lastPage = p;
      this.#lastIndex = i;
      return { done: false, value: p.items[i] as T };
    };
    const advance = async (): Promise<IteratorResult<T, void>> => {
      while (!finished) {
        if (page && index < page.items.length) return deliver(page, index++);
        if (!pages) {
          this.#lastPage = undefined;
          pages = this.sourcePages();
        }
        let next: IteratorResult<SourcePage<T>, void>;
        try {
          next = await pages.next();
        } catch (error) {
          finished = true;
          page = undefined;
          throw error;
        }
        if (next.done) break;
        page = next.value;
        index = 0;
      }
      finished = true;
      page = undefined;
      return { done: true, value: undefined };
    };
    const end = async (): Promise<void> => {
      const open = pages !== undefined && !finished;
      finished = true;
      page = undefined;
      if (open) await pages?.return(undefined);
    };
    const queued = <R>(op: () => Promise<R>): Promise<R> => {
      const started = pending++ === 0 ? op() : tail.then(op);
      // Counted down before the caller sees the result, so its next call can take the fast path.
      const result = started.finally(() => {
        pending--;
      });
      tail = result.then(noop, noop);
      return result;
    };
    const iterator = Object.create(AsyncIteratorPrototype) as AsyncGenerator<T, void, undefined>;
    iterator.next = () => {
      if (pending === 0 && !finished && page && index < page.items.length) {
        return Promise.resolve(deliver(page, index++));
      }
      return queued(advance);
    };
    iterator.return = (value) =>
      queued(async () => {
        await end();
        return { done: true, value: await value };
      });
    iterator.throw = (error) =>
      queued(async () => {
        await end();
        throw error;
      });
    return iterator;
  }

  /** The first page (which may be empty when nothing matches). */
  async firstPage(): Promise<Page<T>> {
    for await (const page of this.pages()) return page;
    return { items: [] };
  }

  /** Every item, up to `max` (stops fetching once reached). */
  async toArray(options: { max?: number } = {}): Promise<T[]> {
    const max = options.max ?? Number.POSITIVE_INFINITY;
    const out: T[] = [];
    if (max <= 0) return out;
    for await (const item of this) {
      out.push(item);
      if (out.length >= max) break;
    }
    return out;
  }

  /** A new iterator whose items are `fn(item)`; cursors are unchanged. */
  map<U>(fn: (item: T) => U): PageIterator<U> {
    return new PageIterator<U>((sink) => {
      const pages = this.sourcePages(sink);
      return {
        async next() {
          const r = await pages.next();
          if (r.done) return { done: true, value: undefined };
          return { done: false, value: { ...r.value, items: r.value.items.map(fn) } };
        },
        async return() {
          await pages.return(undefined);
          return { done: true, value: undefined };
        },
      };
    });
  }

  /** An iterator that throws `error` when iterated: how lazy validation failures surface. */
  static failing<T>(error: unknown): PageIterator<T> {
    return new PageIterator<T>(() => ({
      next: () => Promise.reject(error),
    }));
  }
}
