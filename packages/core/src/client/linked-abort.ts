import { setMaxListeners } from 'node:events';

/** Abort listeners one listing may hold at once: engine and transport, for a page and its prefetch. */
export const LISTENERS_PER_READER = 6;

/**
 * One listener on `parent` (the caller's signal) for a whole listing, whatever its `readers`
 * listings do with the signal they are given (up to {@link LISTENERS_PER_READER} each, without a
 * MaxListeners warning). `release()` removes that listener and aborts what is still in flight, so
 * returning does not wait for it.
 */
export function linkedAbort(
  parent: AbortSignal | undefined,
  readers: number,
): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  setMaxListeners(Math.max(10, readers * LISTENERS_PER_READER), controller.signal);
  const stop = () => controller.abort(parent?.reason);
  if (parent?.aborted) stop();
  parent?.addEventListener('abort', stop, { once: true });
  return {
    signal: controller.signal,
    release() {
      parent?.removeEventListener('abort', stop);
      controller.abort();
    },
  };
}
