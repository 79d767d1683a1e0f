import type { Collection } from './collection';
import type { Json, ZoomTraits } from './zoom';

/** Longest engagement the tracker looks back for when it starts (seeded emails last up to a day). */
const MAX_RUN_MS = 2 * 86_400_000;

/**
 * Tells when running Zoom engagements end as the sandbox clock moves, so the emulator can report
 * `engagement_ended` to webhook subscribers. Lazy: it advances when the emulator is used (each API
 * request, each test-control call), never on a timer. Memory is bounded by the engagements
 * running at once.
 */
export class ZoomProgress {
  /** id → the end_time it is expected to end at (a later write may change or remove it). */
  private readonly ends = new Map<string, number>();
  /** Pending ends, ascending. */
  private queue: { id: string; end: number }[] = [];
  private at: number | undefined;

  constructor(
    private readonly engagements: Collection<Json, ZoomTraits>,
    private readonly ended: (record: Json, end: number, now: number) => void,
  ) {}

  reset(): void {
    this.ends.clear();
    this.queue = [];
    this.at = undefined;
  }

  /** Reports every tracked engagement whose end the clock has passed since the last call. */
  advance(now: number): void {
    if (this.at === undefined) {
      this.at = now;
      for (const e of this.engagements.scan('start_time', 1, { k: now - MAX_RUN_MS, id: '' }))
        this.track(this.engagements.materialize(e));
      return;
    }
    if (now <= this.at) return;
    this.at = now;
    while (this.queue.length > 0 && (this.queue[0]?.end as number) <= now) {
      const { id, end } = this.queue.shift() as { id: string; end: number };
      if (this.ends.get(id) !== end) continue;
      this.ends.delete(id);
      const record = this.engagements.get(id);
      if (record && record.end_time === end) this.ended(record, end, now);
    }
  }

  /** Follows a written or inserted engagement that is still running at the last look. */
  track(record: Json): void {
    const id = record.engagement_id as string;
    const end = record.end_time;
    if (this.at === undefined || typeof end !== 'number' || end <= this.at) {
      this.ends.delete(id);
      return;
    }
    if (this.ends.get(id) === end) return;
    this.ends.set(id, end);
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1]?.end as number) > end) i--;
    this.queue.splice(i, 0, { id, end });
  }
}
