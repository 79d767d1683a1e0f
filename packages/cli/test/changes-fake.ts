import {
  type Engagement,
  type EngagementAdapter,
  PageIterator,
  ServerError,
} from '@engagekit/core';
import { defineAdapter, type SourcePage } from '@engagekit/core/adapter';

export const T0 = Date.UTC(2026, 0, 1);

interface FakeRecord {
  id: string;
  startMs: number;
  modifiedMs: number;
  version: number;
}

/**
 * A vendor with a modified-time filter: lists records whose modified time is ≥ from, in that order,
 * resumable after any record by a `modified|id` cursor, reading its live data on every page.
 */
export class FakeVendor {
  readonly records = new Map<string, FakeRecord>();
  clock = T0;
  requests = 0;
  /** Records served before the vendor answers 500 (once), for the failure tests. */
  failAfter: number | undefined;
  #served = 0;

  constructor(
    readonly provider = 'acme',
    readonly maxRequests = 500,
  ) {}

  insert(startMs: number): FakeRecord {
    const id = `r${String(this.records.size).padStart(3, '0')}`;
    this.clock += 1000;
    const record = { id, startMs, modifiedMs: this.clock, version: 0 };
    this.records.set(id, record);
    return record;
  }

  edit(id: string): void {
    const record = this.records.get(id);
    if (!record) throw new Error(`no record ${id}`);
    this.clock += 1000;
    record.version++;
    record.modifiedMs = this.clock;
  }

  engagement(r: FakeRecord): Engagement {
    return {
      id: `${this.provider}:${r.id}`,
      provider: this.provider,
      remoteId: r.id,
      kind: 'call',
      subject: `${r.id} v${r.version}`,
      occurredAt: new Date(r.startMs).toISOString(),
      updatedAt: new Date(r.modifiedMs).toISOString(),
      participants: [],
      related: [],
      notes: [],
      dispositions: [],
      tags: [],
      raw: { vendor: r.id },
    };
  }

  list(fromMs: number, cursor: string | undefined, pageSize: number): PageIterator<Engagement> {
    const vendor = this;
    return new PageIterator<Engagement>(async function* (sink) {
      if (cursor === 'end') return sink.finished('end');
      let after = cursor;
      while (true) {
        if (++vendor.requests > vendor.maxRequests) throw new Error('fake vendor: too many calls');
        const [afterKey, afterId = ''] = after ? after.split('|') : [];
        const rows = [...vendor.records.values()]
          .filter((r) => r.modifiedMs >= fromMs)
          .filter(
            (r) =>
              afterKey === undefined ||
              r.modifiedMs > Number(afterKey) ||
              (r.modifiedMs === Number(afterKey) && r.id > afterId),
          )
          .sort((a, b) => a.modifiedMs - b.modifiedMs || (a.id < b.id ? -1 : 1))
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
        if (last) sink.finished('end');
        yield page(rows, last);
        if (last) return;
        const tail = rows[rows.length - 1] as FakeRecord;
        after = `${tail.modifiedMs}|${tail.id}`;
      }
    });
    function page(rows: FakeRecord[], last: boolean): SourcePage<Engagement> {
      return {
        items: rows.map((r) => vendor.engagement(r)),
        cursorAfter: (i) => {
          const r = rows[i] as FakeRecord;
          return last && i === rows.length - 1 ? 'end' : `${r.modifiedMs}|${r.id}`;
        },
      };
    }
  }

  adapter(): EngagementAdapter {
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
        changes: { mode: 'modified', deletes: 'webhook', lookbackMs: 60_000 },
      },
      engagements: {
        list: () => {
          throw new Error('not used');
        },
        changes: {
          list: (request) => this.list(request.fromMs, request.cursor, request.pageSize ?? 3),
          now: () => this.clock,
        },
      },
    });
  }
}
