/** Rejects with `make()` (an `AbortError`, say) as soon as `signal` fires, whatever `promise` is doing. */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  make: () => Error,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(make());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(make());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
