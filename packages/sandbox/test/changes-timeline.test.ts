import { describe, expect, it } from 'vitest';
import { Timeline } from '../src/data/timeline';
import { zoomTail } from '../src/data/zoom';

const END = Date.parse('2026-11-01T00:00:00.000Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('Timeline with a tail (Zoom: engagements near now)', () => {
  it.each([
    [10, 180],
    [60, 180],
    [500, 180],
    [500, 0.05],
    [50_000, 30],
  ])(
    'count %d over %d days: non-decreasing, inside [start, end), binary searches agree',
    (count, days) => {
      const start = END - days * DAY;
      const tail = zoomTail(count);
      const tl = new Timeline(7, count, start, END, 1000, tail);
      expect(tl.tailStart).toBe(count - Math.min(8, Math.floor(count / 25)));
      const bad: number[] = [];
      let previous = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < count; i++) {
        const t = tl.at(i);
        if (!(t >= previous && t >= start - 1000 && t < END && t % 1000 === 0)) bad.push(i);
        previous = t;
      }
      expect(bad).toEqual([]);
      for (const i of [0, Math.floor(count / 2), Math.min(tl.tailStart, count - 1), count - 1]) {
        const t = tl.at(i);
        expect(tl.at(tl.lowerBound(t))).toBe(t);
        expect(tl.lowerBound(t) <= i).toBe(true);
      }
      // Without a tail the body is what it was: the tail changes only its own records.
      const plain = new Timeline(7, count, start, END, 1000);
      const moved: number[] = [];
      for (let i = 0; i < tl.tailStart; i++) if (tl.at(i) !== plain.at(i)) moved.push(i);
      expect(moved).toEqual([]);
    },
  );

  it('puts sparse data’s last records in the two hours before the end, evenly', () => {
    const tl = new Timeline(7, 500, END - 180 * DAY, END, 1000, zoomTail(500));
    const times = Array.from({ length: 8 }, (_, k) => tl.at(492 + k));
    expect(times).toEqual(Array.from({ length: 8 }, (_, k) => END - 2 * HOUR + k * 15 * 60_000));
    expect(tl.at(491)).toBeLessThan(END - 2 * HOUR);
  });
});
