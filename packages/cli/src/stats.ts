import {
  type Engagement,
  type EngagementAdapter,
  type ListEngagementsParams,
  PageIterator,
} from '@engagekit/core';
import { MultiBar, type SingleBar } from 'cli-progress';
import type { CliStream } from './io';

/** Counters of one provider during a listing. */
export interface ProviderStats {
  /** Vendor pages fetched. */
  pages: number;
  /** Records the vendor pages carried (after client-side filters). */
  fetched: number;
  /** Records the merged listing emitted. */
  emitted: number;
}

/** Counts pages and records per provider, and drives the progress display when there is one. */
export class ListingStats {
  readonly byProvider = new Map<string, ProviderStats>();
  readonly startedAt = performance.now();
  private progress: Progress | undefined;

  constructor(
    providers: readonly string[],
    private readonly stderr?: CliStream,
  ) {
    for (const p of providers) this.byProvider.set(p, { pages: 0, fetched: 0, emitted: 0 });
    if (stderr && isInteractive(stderr)) this.progress = new Progress(providers, stderr);
  }

  private of(provider: string): ProviderStats {
    let s = this.byProvider.get(provider);
    if (!s) {
      s = { pages: 0, fetched: 0, emitted: 0 };
      this.byProvider.set(provider, s);
    }
    return s;
  }

  page(provider: string, items: number): void {
    const s = this.of(provider);
    s.pages++;
    s.fetched += items;
    this.progress?.update(provider, s, this.elapsedMs());
  }

  emitted(e: Engagement): void {
    const s = this.of(e.provider);
    s.emitted++;
    this.progress?.update(e.provider, s, this.elapsedMs());
  }

  get records(): number {
    let n = 0;
    for (const s of this.byProvider.values()) n += s.emitted;
    return n;
  }

  get pages(): number {
    let n = 0;
    for (const s of this.byProvider.values()) n += s.pages;
    return n;
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** `1234 records, 17 pages (devrev 5, …), 0.84 s, 1469 records/s` */
  summary(): string {
    const ms = this.elapsedMs();
    const per = [...this.byProvider.entries()].map(([p, s]) => `${p} ${s.pages}`).join(', ');
    const rate = ms > 0 ? Math.round((this.records * 1000) / ms) : 0;
    return `${this.records} records, ${this.pages} pages (${per}), ${(ms / 1000).toFixed(2)} s wall, ${rate} records/s`;
  }

  /** Removes the progress display; on a terminal, leaves one summary line in its place. */
  stop(): void {
    if (!this.progress) return;
    this.progress.stop();
    this.progress = undefined;
    this.stderr?.write(`${this.summary()}\n`);
  }

  /** Wraps an adapter so every vendor page it yields is counted here (and `pageSize` fits it). */
  instrument(adapter: EngagementAdapter): EngagementAdapter {
    const stats = this;
    const inner = adapter.engagements;
    return {
      id: adapter.id,
      aliases: adapter.aliases,
      capabilities: adapter.capabilities,
      engagements: {
        list(params?: ListEngagementsParams) {
          // The merged client passes one pageSize to every adapter; cap it per vendor.
          const max = adapter.capabilities.maxPageSize;
          const capped =
            params?.pageSize !== undefined && params.pageSize > max
              ? { ...params, pageSize: max }
              : params;
          const it = inner.list(capped);
          // The sink carries skipped records and the end of the listing to the merged iterator.
          return new PageIterator<Engagement>(async function* (sink) {
            for await (const page of it.sourcePages(sink)) {
              stats.page(adapter.id, page.items.length);
              yield page;
            }
          });
        },
        get: (id, options) => inner.get(id, options),
        create: (input, options) => inner.create(input, options),
        update: (id, patch, options) => inner.update(id, patch, options),
        delete: (id, options) => inner.delete(id, options),
        count: (params) => inner.count(params),
        changes: (params) => inner.changes(params),
      },
    };
  }
}

/** Progress bars need a real terminal (cursor movement), not just `isTTY`. */
function isInteractive(stream: CliStream): boolean {
  return stream.isTTY === true && typeof (stream as { cursorTo?: unknown }).cursorTo === 'function';
}

/** One line per provider on stderr: records, pages, rate. */
class Progress {
  private readonly multibar: MultiBar;
  private readonly bars = new Map<string, SingleBar>();

  constructor(providers: readonly string[], stderr: CliStream) {
    this.multibar = new MultiBar({
      stream: stderr as NodeJS.WritableStream,
      format: '{provider} | {emitted} records out | {fetched} fetched | {pages} pages | {rate}/s',
      fps: 10,
      clearOnComplete: true,
      hideCursor: true,
    });
    const pad = Math.max(...providers.map((p) => p.length));
    for (const p of providers) {
      this.bars.set(
        p,
        this.multibar.create(0, 0, {
          provider: p.padEnd(pad),
          emitted: 0,
          fetched: 0,
          pages: 0,
          rate: 0,
        }),
      );
    }
  }

  update(provider: string, s: ProviderStats, elapsedMs: number): void {
    const rate = elapsedMs > 0 ? Math.round((s.fetched * 1000) / elapsedMs) : 0;
    this.bars.get(provider)?.update(s.emitted, { ...s, rate });
  }

  stop(): void {
    this.multibar.stop();
  }
}
