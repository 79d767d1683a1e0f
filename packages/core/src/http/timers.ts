/** The longest delay Node's timers accept; anything above fires after 1 ms with a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `setTimeout` with the delay clamped to what Node honours, so no wait ever turns into a spin. */
export function setSafeTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const delay = Number.isFinite(ms) ? Math.min(MAX_TIMER_MS, Math.max(0, ms)) : MAX_TIMER_MS;
  return setTimeout(callback, delay);
}

/** Waits `ms` (clamped like `setSafeTimeout`); rejects with `makeAbortError()` when `signal` fires. */
export function sleepFor(
  ms: number,
  signal?: AbortSignal,
  makeAbortError?: () => Error,
): Promise<void> {
  const abortError = () => makeAbortError?.() ?? signal?.reason ?? new Error('aborted');
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setSafeTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
