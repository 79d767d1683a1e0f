import type { EngagementAdapter, ListEngagementsParams } from '../adapter/types';
import type { Engagement } from '../model/engagement';
import type { OnInvalidRecord } from '../pagination/invalid-record';
import type { ListingSink, SourcePage } from '../pagination/page-iterator';
import type { ProviderFailure } from './client';
import { linkedAbort } from './linked-abort';
import { limiter, providerPageSize } from './merge';

/** What {@link unorderedPages} needs of the merged listing it serves. */
export interface UnorderedListing {
  adapters: readonly EngagementAdapter[];
  /** Each provider's list params but its cursor, signal and page size. */
  params: Omit<ListEngagementsParams, 'cursor' | 'signal' | 'maxPages'>;
  /** The merged page size: each provider reads pages of at most this (and its own maximum). */
  pageSize: number | undefined;
  /** Each provider's own cursor to resume from (absent: its start). Updated as pages are consumed. */
  positions: Record<string, string>;
  onInvalidRecord: OnInvalidRecord | undefined;
  concurrency: number;
  signal: AbortSignal | undefined;
  /** The provider failed: `'skip'` goes on without it, `'fail'` ends the listing with its error. */
  decide(failure: ProviderFailure): 'fail' | 'skip';
  failures: ProviderFailure[];
  /** The merged cursor that holds these providers' cursors. */
  encode(positions: Record<string, string>): string;
  /** The merged listing's terminal cursor. */
  terminal(): string;
}

/**
 * `order: 'none'`: every provider's pages as its adapter returns them, the providers read at once
 * and their pages yielded as they arrive. Nothing is sorted, held for a merge or spilled to disk, so
 * this is the cheapest way to read everything (a sync keys records by id and needs no order). A
 * cursor holds each provider's own cursor: after an item, that item's provider's cursor after it
 * and every other provider's after its last page consumed.
 */
export async function* unorderedPages(
  o: UnorderedListing,
  sink: ListingSink,
): AsyncGenerator<SourcePage<Engagement>> {
  const aborting = linkedAbort(o.signal, o.adapters.length);
  const run = limiter(o.concurrency);
  const positions = o.positions;

  const readers = o.adapters.map((adapter) => {
    const forward: ListingSink = {
      skipped: (record) => sink.skipped(record),
      // The provider's terminal cursor: resuming it reads nothing.
      finished: (cursor) => {
        if (cursor !== undefined) positions[adapter.id] = cursor;
      },
    };
    const listing = adapter.engagements.list({
      ...o.params,
      pageSize: providerPageSize(o.pageSize, adapter),
      cursor: positions[adapter.id],
      signal: aborting.signal,
      // The next page is fetched while this one is consumed.
      prefetch: true,
      ...(o.onInvalidRecord === undefined ? {} : { onInvalidRecord: o.onInvalidRecord }),
    });
    return { adapter, pages: listing.sourcePages(forward) };
  });
  type Reader = (typeof readers)[number];
  type Settled =
    | { reader: Reader; result: IteratorResult<SourcePage<Engagement>, void> }
    | { reader: Reader; error: unknown };
  const inFlight = new Map<Reader, Promise<Settled>>();
  const ask = (reader: Reader) => {
    inFlight.set(
      reader,
      run(() => reader.pages.next()).then(
        (result): Settled => ({ reader, result }),
        (error: unknown): Settled => ({ reader, error }),
      ),
    );
  };

  try {
    for (const reader of readers) ask(reader);
    while (inFlight.size > 0) {
      const settled = await Promise.race(inFlight.values());
      const { reader } = settled;
      inFlight.delete(reader);
      const id = reader.adapter.id;
      if ('error' in settled) {
        // The caller's abort ends the whole listing, whatever the policy: no provider failed.
        if (o.signal?.aborted) throw settled.error;
        const failure = { provider: id, error: settled.error };
        if (o.decide(failure) === 'fail') throw settled.error;
        o.failures.push(failure);
        continue;
      }
      if (settled.result.done) continue;
      const page = settled.result.value;
      const last = page.items.length - 1;
      if (last >= 0) {
        // What every other provider had consumed when this page came: its items resume from there.
        const others = { ...positions };
        const cursorAfter = (index: number): string | undefined => {
          const own = page.cursorAfter?.(index);
          return own === undefined ? undefined : o.encode({ ...others, [id]: own });
        };
        yield {
          items: page.items,
          // Built when asked for, like the engine's: an item iteration asks for none.
          get nextCursor() {
            return cursorAfter(last);
          },
          cursorAfter,
        };
        const consumed = page.cursorAfter?.(last);
        if (consumed !== undefined) positions[id] = consumed;
      } else if (page.nextCursor !== undefined) {
        positions[id] = page.nextCursor;
      }
      ask(reader);
    }
    // A provider skipped after failing was not read to its end: resuming must not claim it was.
    if (o.failures.length === 0) sink.finished(o.terminal());
  } finally {
    // Stops reads still in flight (e.g. after another provider failed), so returning does not wait.
    aborting.release();
    await Promise.allSettled(readers.map((r) => r.pages.return(undefined)));
  }
}
