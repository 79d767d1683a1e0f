import { unit } from './random';

const DAY = 86_400_000;

/** The last `count` records of a {@link Timeline} are spread over the `spanMs` before its end. */
export interface TimelineTail {
  count: number;
  spanMs: number;
}

/**
 * Monotonic timestamps for record i: slot i covers [a, b) and the record's time lies in it, so
 * time ranges map to index ranges by binary search. A slot containing a UTC midnight uses that
 * midnight exactly, which puts records on day and month boundaries. An optional tail puts the last
 * records close to the end (sparse data would otherwise leave hours between the last record and
 * `now`), so something is always happening "now".
 */
export class Timeline {
  private readonly startU: number;
  private readonly stepU: number;
  /** First index of the tail (count when there is none). */
  readonly tailStart: number;

  constructor(
    private readonly seed: number,
    readonly count: number,
    readonly startMs: number,
    readonly endMs: number,
    private readonly resolutionMs: number,
    private readonly tail?: TimelineTail,
  ) {
    this.startU = Math.ceil(startMs / resolutionMs);
    const endU = Math.floor(endMs / resolutionMs);
    this.stepU = count > 0 ? Math.max(0, endU - this.startU) / count : 0;
    this.tailStart = count - Math.min(count, Math.max(0, tail?.count ?? 0));
  }

  /** Timestamp (ms) of record i. Non-decreasing in i. */
  at(i: number): number {
    const body = this.bodyAt(i);
    if (i < this.tailStart || !this.tail) return body;
    // The max of two non-decreasing sequences is non-decreasing, and at the tail's first index it
    // is >= the body's previous value, so ordering and binary searches still hold.
    const n = this.count - this.tailStart;
    const span = Math.min(this.tail.spanMs, this.endMs - this.startMs);
    const t = this.endMs - span + Math.floor(((i - this.tailStart) * span) / n);
    const res = this.resolutionMs;
    return Math.max(body, Math.max(this.startU * res, Math.floor(t / res) * res));
  }

  private bodyAt(i: number): number {
    const a = this.startU + Math.floor(i * this.stepU);
    const b = this.startU + Math.floor((i + 1) * this.stepU);
    const res = this.resolutionMs;
    if (b <= a) return a * res;
    const dayU = DAY / res;
    const midnight = Math.ceil(a / dayU) * dayU;
    if (midnight < b) return midnight * res;
    return (a + Math.floor(unit(this.seed, i, 7) * (b - a))) * res;
  }

  /** First index whose time is >= t (count if none). */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
