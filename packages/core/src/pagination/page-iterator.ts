/** One page of results. Cursors are engagekit cursors: pass one back as `params.cursor` to resume. */
export interface Page<T> {
  items: T[];
  /** Resumes after this page; absent on the last page. */
  nextCursor?: string | undefined;
  /** Pages backwards from this page, where the vendor supports it. */
  prevCursor?: string | undefined;
}

/** A page as a source produces it: it can also name a cursor that resumes after any of its items. */
export interface SourcePage<T> extends Page<T> {
  /** A cursor that resumes right after `items[index]`; `undefined` when nothing follows it. */
  cursorAfter?(index: number): string | undefined;
}

export type PageSource<T> = () => AsyncIterator<SourcePage<T>>;

/**
 * What every `list()` returns, at once and without awaiting: iterate it for items, `.pages()` for
 * pages, or take `.firstPage()` / `.toArray({ max })`. Each iteration starts a fresh listing.
 */
export class PageIterator<T> implements AsyncIterable<T> {
  #lastCursor: (() => string | undefined) | undefined;
  #done = false;

  constructor(private readonly source: PageSource<T>) {}

  /**
   * A cursor that resumes right after the last item the most recent item iteration yielded
   * (`undefined` before any item, or once the listing is complete).
   */
  get cursor(): string | undefined {
    return this.#done ? undefined : this.#lastCursor?.();
  }

  /** Pages, in order. Empty vendor pages in the middle are skipped, never ending the listing. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    for await (const page of this.sourcePages()) {
      yield { items: page.items, nextCursor: page.nextCursor, prevCursor: page.prevCursor };
    }
  }

  /** The raw source pages (with `cursorAfter`), for composing iterators. */
  async *sourcePages(): AsyncGenerator<SourcePage<T>, void, undefined> {
    const it = this.source();
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

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    this.#done = false;
    this.#lastCursor = undefined;
    for await (const page of this.sourcePages()) {
      for (let i = 0; i < page.items.length; i++) {
        const index = i;
        this.#lastCursor = () =>
          page.cursorAfter
            ? page.cursorAfter(index)
            : index === page.items.length - 1
              ? page.nextCursor
              : undefined;
        yield page.items[i] as T;
      }
    }
    this.#done = true;
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
    return new PageIterator<U>(() => {
      const pages = this.sourcePages();
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
