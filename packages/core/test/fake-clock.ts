/**
 * A fake clock whose sleep advances time instantly and records every wait. Sleeps are capped, so a
 * retry or limiter loop fails fast instead of spinning.
 */
export function fakeClock(start = 1_000_000, maxSleeps = 200) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number) => {
      if (sleeps.length > maxSleeps) throw new Error('fake clock: too many sleeps');
      sleeps.push(ms);
      t += ms;
    },
  };
}
