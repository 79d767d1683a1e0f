import { describe, expect, it } from 'vitest';
import { EarlyStop, firstSortKey } from '../src/early-stop';

const d = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`;
const dated = (day: number) => ({ scheduled_date: d(day) });
const undated = {};
const from = new Date(d(10));
const to = new Date(d(20));

describe('EarlyStop', () => {
  it('reads the first sort key only when it names a direction', () => {
    expect(firstSortKey(['scheduled_date:desc', 'created_date:asc'])).toEqual({
      field: 'scheduled_date',
      order: 'desc',
    });
    expect(firstSortKey('created_date')).toBeUndefined();
    expect(firstSortKey(undefined)).toBeUndefined();
  });

  it('never stops without a scheduled_date sort or without the bound of the travel direction', () => {
    const created = new EarlyStop('created_date:asc', from, to);
    expect(created.observe([undated, dated(25)], 'after', undefined, 'n')).toBe(false);
    const noTo = new EarlyStop('scheduled_date:asc', from, undefined);
    expect(noTo.observe([undated, dated(25)], 'after', undefined, 'n')).toBe(false);
  });

  it('stops past `to` once undated records are known to lead', () => {
    const s = new EarlyStop(['scheduled_date:asc'], from, to);
    expect(s.observe([undated, undated], 'after', undefined, 'p2')).toBe(false);
    expect(s.observe([dated(12), dated(21)], 'after', 'p2', 'p3')).toBe(true);
  });

  it('never stops once undated records were seen after dated ones (or interleaved)', () => {
    const s = new EarlyStop('scheduled_date:asc', from, to);
    expect(s.observe([undated, dated(12), undated, dated(25)], 'after', undefined, 'n')).toBe(
      false,
    );
    expect(s.observe([dated(26)], 'after', 'n', 'm')).toBe(false);
  });

  it('forgets the previous record across a discontinuity, but keeps what it learnt', () => {
    const s = new EarlyStop('scheduled_date:asc', from, to);
    expect(s.observe([undated, dated(11)], 'after', undefined, 'p2')).toBe(false);
    // A new iteration starts again from the first page: its first dated record past `to` is
    // enough, since undated records are known to sort first.
    expect(s.observe([dated(30)], 'after', undefined, 'x')).toBe(true);
    // Without the lead observation a fresh instance cannot tell.
    expect(
      new EarlyStop('scheduled_date:asc', from, to).observe([dated(30)], 'after', undefined, 'x'),
    ).toBe(false);
  });

  it('walks descending order forwards with `from` as the bound', () => {
    const s = new EarlyStop('scheduled_date:desc', from, to);
    expect(s.observe([undated, dated(15), dated(9)], 'after', undefined, 'n')).toBe(true);
  });
});
