import {
  type ChangeCapabilities,
  type Engagement,
  type EngagementAdapter,
  PageIterator,
  ServerError,
} from '@engagekit/core';
import { defineAdapter, type SourcePage } from '@engagekit/core/adapter';

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
 * Shared by the core change-feed tests and the CLI's `changes` tests.
 */
export class FakeVendor {
  readonly records = new Map<string, FakeRecord>();
  clock = T0;
  requests = 0;
  nextId = 0;
  /** Called before each page is served (the test edits data between pages). */
  beforePage: (() => void) | undefined;
  /** Records served before the vendor answers 500 (once), for the failure tests. */
  failAfter: number | undefined;
  #served = 0;

  constructor(
    readonly provider = 'acme',
    readonly mode: 'modified' | 'window' = 'modified',
    /** Requests allowed before the fake throws, so a looping listing fails fast. */
    readonly maxRequests = 2000,
    /** Digits of the zero-padded ids (`r00000` with 5). */
    readonly idDigits = 5,
  ) {}

  tick(ms: number): number {
    this.clock += ms;
    return this.clock;
  }

  insert(startMs: number, kind: 'call' | 'email' = 'call'): FakeRecord {
    const id = `r${String(this.nextId++).padStart(this.idDigits, '0')}`;
    const record = { id, startMs, modifiedMs: this.tick(1000), version: 0, kind };
    this.records.set(id, record);
    return record;
  }

  edit(id: string): void {
    const record = this.records.get(id);
    if (!record) throw new Error(`fake vendor: no record ${id}`);
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
      subject: `${record.id} v${record.version}`,
      occurredAt: new Date(record.startMs).toISOString(),
      updatedAt: new Date(record.modifiedMs).toISOString(),
      participants: [],
      related: [],
      notes: [],
      dispositions: [],
      tags: [],
      // Differs on every read: a change feed must not take a re-read for a change because of it.
      raw: { vendor: record.id, fetchedAt: this.clock },
    };
  }

  /** Key-ordered listing from `fromMs`, resumable after any item by a `key|id` cursor. */
  list(fromMs: number, cursor: string | undefined, pageSize: number, kinds?: readonly string[]) {
    const vendor = this;
    const cursorOf = (r: FakeRecord) => `${vendor.key(r)}|${r.id}`;
    const page = (rows: FakeRecord[], last: boolean): SourcePage<Engagement> => ({
      items: rows.map((r) => vendor.engagement(r)),
      cursorAfter: (i) => {
        const r = rows[i] as FakeRecord;
        return last && i === rows.length - 1 ? 'end' : cursorOf(r);
      },
    });
    return new PageIterator<Engagement>(async function* (sink) {
      if (cursor === 'end') {
        sink.finished('end');
        return;
      }
      let after = cursor;
      while (true) {
        vendor.beforePage?.();
        if (++vendor.requests > vendor.maxRequests)
          throw new Error('fake vendor: too many requests');
        const [afterKey, afterId = ''] = after ? after.split('|') : [];
        const rows = [...vendor.records.values()]
          .filter((r) => vendor.key(r) >= fromMs && (!kinds || kinds.includes(r.kind)))
          .filter(
            (r) =>
              afterKey === undefined ||
              vendor.key(r) > Number(afterKey) ||
              (vendor.key(r) === Number(afterKey) && r.id > afterId),
          )
          .sort((a, b) => vendor.key(a) - vendor.key(b) || (a.id < b.id ? -1 : 1))
          .slice(0, pageSize);
        if (vendor.failAfter !== undefined && vendor.#served + rows.length > vendor.failAfter) {
          const keep = vendor.failAfter - vendor.#served;
          vendor.failAfter = undefined;
          if (keep > 0) {
            vendor.#served += keep;
            yield page(rows.slice(0, keep), false);
          }
          throw new ServerError(`${vendor.provider} is down`, {
            provider: vendor.provider,
            status: 500,
          });
        }
        vendor.#served += rows.length;
        const last = rows.length < pageSize;
        yield page(rows, last);
        // Like the real sources: the listing is over once its last page was read, not before.
        if (last) {
          sink.finished('end');
          return;
        }
        after = cursorOf(rows[rows.length - 1] as FakeRecord);
      }
    });
  }

  adapter(
    lookbackMs = 60_000,
    options: {
      maxRemembered?: number;
      pageSize?: number;
      deletes?: ChangeCapabilities['deletes'];
    } = {},
  ): EngagementAdapter {
    const capabilities: ChangeCapabilities = {
      mode: this.mode,
      deletes: options.deletes ?? 'none',
      lookbackMs,
    };
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
