/** A half-open time window `[from, to)` in epoch milliseconds. */
export interface TimeWindow {
  from: number;
  to: number;
}

/**
 * Splits `[from, to)` into consecutive windows no longer than `maxWindowMs`. The windows tile the
 * range exactly: each starts where the previous one ends, so no instant is in two windows.
 */
export function sliceWindows(from: number, to: number, maxWindowMs: number): TimeWindow[] {
  if (!(maxWindowMs > 0)) throw new RangeError('maxWindowMs must be positive');
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new RangeError('sliceWindows needs a finite range');
  }
  const out: TimeWindow[] = [];
  for (let start = from; start < to; ) {
    const end = Math.min(start + maxWindowMs, to);
    // A window too small to move a float this large would loop forever: take the rest at once.
    if (end <= start) {
      out.push({ from: start, to });
      break;
    }
    out.push({ from: start, to: end });
    start = end;
  }
  return out;
}

/** The window that follows the one starting at `start` within `[.., to)`, or `undefined`. */
export function nextWindow(start: number, to: number, maxWindowMs: number): TimeWindow | undefined {
  const from = Math.min(start + maxWindowMs, to);
  if (from >= to) return undefined;
  return { from, to: Math.min(from + maxWindowMs, to) };
}

/** Whether an instant belongs to the half-open window. */
export function inWindow(ms: number, window: TimeWindow): boolean {
  return ms >= window.from && ms < window.to;
}
