import type { VendorName } from './types';

/** One request as the sandbox saw it. */
export interface LogEntry {
  vendor: VendorName | 'admin' | 'unknown';
  method: string;
  /** Path below the vendor prefix, e.g. `/engagements.list` or `/contact_center/engagements`. */
  path: string;
  query: Record<string, string | string[]>;
  body: unknown;
  status: number;
  /** ISO time the request arrived (sandbox clock). */
  at: string;
}

/** Filter for {@link RequestLog.entries}; every given field must match. */
export interface LogFilter {
  vendor?: LogEntry['vendor'];
  method?: string;
  path?: string | RegExp;
  status?: number;
}

/** Bounded in-memory request log (oldest entries are dropped beyond `limit`). */
export class RequestLog {
  private items: LogEntry[] = [];

  constructor(private readonly limit = 10_000) {}

  /** @internal */
  add(entry: LogEntry): void {
    this.items.push(entry);
    if (this.items.length > this.limit) this.items.splice(0, this.items.length - this.limit);
  }

  /** Logged requests, oldest first, optionally filtered. */
  entries(filter: LogFilter = {}): LogEntry[] {
    return this.items.filter(
      (e) =>
        (filter.vendor === undefined || e.vendor === filter.vendor) &&
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.path === undefined ||
          (typeof filter.path === 'string' ? e.path === filter.path : filter.path.test(e.path))),
    );
  }

  /** Forgets every entry. */
  clear(): void {
    this.items = [];
  }
}

export function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const all = query.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}
