/**
 * A vendor's modification clock: every write gets a time that is the sandbox clock, or 1 ms after
 * the previous write's time when the clock has not moved past it. So modified times only grow and
 * an edit is always newer than every seeded record (their times end at `now`), as on a real server
 * whose clock moves forward; a frozen test clock cannot make two writes tie.
 */
export class ChangeStamps {
  private last: number;

  /** @param floorMs the latest modification time the seeded data holds (the data's `now`). */
  constructor(private readonly floorMs: number) {
    this.last = floorMs;
  }

  reset(): void {
    this.last = this.floorMs;
  }

  /** The modification time of a write made when the sandbox clock reads `nowMs`. */
  next(nowMs: number): number {
    this.last = Math.max(nowMs, this.last + 1);
    return this.last;
  }
}
