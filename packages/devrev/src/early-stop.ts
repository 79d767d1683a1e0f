import { toIsoUtc } from '@engagekit/core';

/** The first `sort_by` key, when it names an explicit direction (`field:asc` / `field:desc`). */
export function firstSortKey(
  sortBy: unknown,
): { field: string; order: 'asc' | 'desc' } | undefined {
  const first = Array.isArray(sortBy) ? sortBy[0] : sortBy;
  if (typeof first !== 'string') return undefined;
  const m = /^\s*([a-z_.]+)\s*:\s*(asc|desc)\s*$/i.exec(first);
  if (!m) return undefined;
  return { field: m[1] as string, order: (m[2] as string).toLowerCase() as 'asc' | 'desc' };
}

type Seen = 'null' | 'value';
type Lead = boolean | 'conflict' | undefined;

/**
 * Decides when a listing sorted by date may stop before the vendor's last page, because no later
 * record can fall in `[from, to)` of `occurredAt` (= `scheduled_date`, else `created_date`).
 *
 * - Sorted by `created_date` or `modified_date`: never. A later record can carry any
 *   `scheduled_date`, and then that is its `occurredAt`.
 * - Sorted by `scheduled_date`: records with a `scheduled_date` come in `occurredAt` order, but
 *   where records without one sort is undocumented. Stopping is safe only once the listing has
 *   itself seen such a record come *before* a dated one (so they all lead, none can follow), and a
 *   dated record lies past the bound in the direction of travel (`to` going forwards through
 *   ascending order or backwards through descending; `from` otherwise).
 */
export class EarlyStop {
  readonly #increasing: { after: boolean; before: boolean } | undefined;
  readonly #from: number | undefined;
  readonly #to: number | undefined;
  readonly #lead: Record<'after' | 'before', Lead> = { after: undefined, before: undefined };
  readonly #last: Record<'after' | 'before', Seen | undefined> = {
    after: undefined,
    before: undefined,
  };
  readonly #expected: Record<'after' | 'before', string | undefined> = {
    after: undefined,
    before: undefined,
  };

  constructor(sortBy: unknown, from: Date | undefined, to: Date | undefined) {
    const key = firstSortKey(sortBy);
    this.#from = from?.getTime();
    this.#to = to?.getTime();
    if (key?.field === 'scheduled_date') {
      this.#increasing = { after: key.order === 'asc', before: key.order === 'desc' };
    }
  }

  /**
   * Reads one page (in the vendor's order) and says whether the listing can end after it.
   * `token` is the page's request token, `continuation` the token that follows it.
   */
  observe(
    page: readonly { scheduled_date?: string | null | undefined }[],
    direction: 'after' | 'before',
    token: string | undefined,
    continuation: string | null | undefined,
  ): boolean {
    if (!this.#increasing) return false;
    const increasing = this.#increasing[direction];
    const bound = increasing ? this.#to : this.#from;
    if (bound === undefined) return false;
    // A page that does not follow the previous one (a new iteration, a resume): what came before
    // it is unknown, so the record-order observation restarts (what was learnt about the sort stays).
    if (token !== this.#expected[direction]) this.#last[direction] = undefined;
    this.#expected[direction] = continuation ?? undefined;
    // Pages go backwards in `before` mode, but each page is still in sort order.
    const travel = direction === 'after' ? page : [...page].reverse();
    let past = false;
    for (const record of travel) {
      const iso = toIsoUtc(record.scheduled_date);
      const seen: Seen = iso === undefined ? 'null' : 'value';
      const last = this.#last[direction];
      const lead = this.#lead[direction];
      if (last === 'null' && seen === 'value') {
        this.#lead[direction] = lead === false || lead === 'conflict' ? 'conflict' : true;
      } else if (last === 'value' && seen === 'null') {
        this.#lead[direction] = lead === true || lead === 'conflict' ? 'conflict' : false;
      }
      this.#last[direction] = seen;
      if (iso !== undefined) {
        const t = Date.parse(iso);
        if (increasing ? t >= bound : t < bound) past = true;
      }
    }
    return past && this.#lead[direction] === true;
  }
}
