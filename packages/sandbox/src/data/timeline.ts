import { unit } from './random';

const DAY = 86_400_000;

/**
 * Monotonic timestamps for record i: slot i covers [a, b) and the record's time lies in it, so
 * time ranges map to index ranges by binary search. A slot containing a UTC midnight uses that
 * midnight exactly, which puts records on day and month boundaries.
 */
export class Timeline {
  private readonly startU: number;
  private readonly stepU: number;

  constructor(
    private readonly seed: number,
    readonly count: number,
    readonly startMs: number,
    readonly endMs: number,
    private readonly resolutionMs: number,
  ) {
    this.startU = Math.ceil(startMs / resolutionMs);
    const endU = Math.floor(endMs / resolutionMs);
    this.stepU = count > 0 ? Math.max(0, endU - this.startU) / count : 0;
  }

  /** Timestamp (ms) of record i. Non-decreasing in i. */
  at(i: number): number {
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
