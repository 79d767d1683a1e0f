import { defineAdapter } from '../src/adapter-kit';
import type { ChangeCapabilities, Engagement, EngagementAdapter } from '../src/index';
import { PageIterator, type SourcePage } from '../src/pagination/page-iterator';

export const T0 = Date.UTC(2026, 0, 1);

/** One record of the fake vendor: `modifiedMs` moves on every edit, `startMs` never does. */
export interface FakeRecord {
  id: string;
  startMs: number;
  modifiedMs: number;
  version: number;
  kind: 'call' | 'email';
}

/**
 * A vendor that lists records with key (modified or start time) ≥ from, in ascending key order,
 * re-reading its live data on every page like a real API: a record edited during a run moves.
 */
export class FakeVendor {
  readonly records = new Map<string, FakeRecord>();
  clock = T0;
  requests = 0;
  nextId = 0;
  /** Called before each page is served (the test edits data between pages). */
  beforePage: (() => void) | undefined;

  constructor(
    readonly provider: string,
    readonly mode: 'modified' | 'window',
    readonly maxRequests = 2000,
  ) {}

  tick(ms: number): number {
    this.clock += ms;
    return this.clock;
  }

  insert(startMs: number, kind: 'call' | 'email' = 'call'): FakeRecord {
    const id = `r${String(this.nextId++).padStart(5, '0')}`;
    const record = { id, startMs, modifiedMs: this.tick(1000), version: 0, kind };
    this.records.set(id, record);
    return record;
  }

  edit(id: string): void {
    const record = this.records.get(id);
    if (!record) return;
    record.version++;
    record.modifiedMs = this.tick(1000);
  }

  delete(id: string): void {
    this.records.delete(id);
    this.tick(1000);
  }

  key(record: FakeRecord): number {
    return this.mode === 'modified' ? record.modifiedMs : record.startMs;
  }

  engagement(record: FakeRecord): Engagement {
    return {
      id: `${this.provider}:${record.id}`,
      provider: this.provider,
      remoteId: record.id,
      kind: record.kind,
      subject: `v${record.version}`,
      occurredAt: new Date(record.startMs).toISOString(),
      updatedAt: new Date(record.modifiedMs).toISOString(),
      participants: [],
      related: [],
      notes: [],
      dispositions: [],
      tags: [],
      raw: { fetchedAt: this.clock },
    };
  }

  /** Key-ordered listing from `fromMs`, resumable after any item by a `key|id` cursor. */
  list(fromMs: number, cursor: string | undefined, pageSize: number, kinds?: readonly string[]) {
    const vendor = this;
    return new PageIterator<Engagement>(async function* (sink) {
      let after = cursor === 'end' ? undefined : cursor;
      if (cursor === 'end') {
        sink.finished('end');
        return;
      }
      while (true) {
        vendor.beforePage?.();
        if (++vendor.requests > vendor.maxRequests)
          throw new Error('fake vendor: too many requests');
        const [afterKey, afterId] = after
          ? [Number(after.split('|')[0]), after.split('|')[1] ?? '']
          : [];
        const rows = [...vendor.records.values()]
          .filter((r) => vendor.key(r) >= fromMs && (!kinds || kinds.includes(r.kind)))
          .filter(
            (r) =>
              afterKey === undefined ||
              vendor.key(r) > afterKey ||
              (vendor.key(r) === afterKey && r.id > (afterId as string)),
          )
          .sort((a, b) => vendor.key(a) - vendor.key(b) || (a.id < b.id ? -1 : 1))
          .slice(0, pageSize);
        const last = rows.length < pageSize;
        const page: SourcePage<Engagement> = {
          items: rows.map((r) => vendor.engagement(r)),
          cursorAfter: (i) => {
            const r = rows[i] as FakeRecord;
            return last && i === rows.length - 1 ? 'end' : `${vendor.key(r)}|${r.id}`;
          },
        };
        yield page;
        // Like the real sources: the listing is over once its last page was read, not before.
        if (last) {
          sink.finished('end');
          return;
        }
        const tail = rows[rows.length - 1] as FakeRecord;
        after = `${vendor.key(tail)}|${tail.id}`;
      }
    });
  }

  adapter(
    lookbackMs: number,
    options: { maxRemembered?: number; pageSize?: number } = {},
  ): EngagementAdapter {
    const capabilities: ChangeCapabilities = { mode: this.mode, deletes: 'none', lookbackMs };
    return defineAdapter({
      id: this.provider,
      capabilities: {
        operations: {
          list: true,
          get: false,
          create: false,
          update: false,
          delete: false,
          count: false,
        },
        filters: { from: 'server', to: 'server', kinds: 'server' },
        maxPageSize: 100,
        defaultPageSize: 10,
        backwardsPaging: false,
        ordering: 'asc',
        changes: capabilities,
      },
      engagements: {
        list: () => {
          throw new Error('not used');
        },
        changes: {
          list: (request) =>
            this.list(
              request.fromMs,
              request.cursor,
              request.pageSize ?? options.pageSize ?? 3,
              request.kinds,
            ),
          now: () => this.clock,
          maxRemembered: options.maxRemembered,
        },
      },
    });
  }
}
