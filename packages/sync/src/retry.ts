/** Tries of work Postgres aborted as a deadlock or serialization failure. */
const MAX_ATTEMPTS = 5;

/** Whether Postgres rolled the transaction back as a deadlock victim or a serialization failure. */
function abortedByPostgres(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * Runs `work` again (up to 5 tries) when Postgres aborted it as a deadlock victim or a
 * serialization failure: the aborted transaction was rolled back, so running it again is safe.
 * `backoffMs` × the attempt is waited between tries.
 */
export async function retryAborted<T>(work: () => Promise<T>, backoffMs = 0): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !abortedByPostgres(error)) throw error;
      if (backoffMs > 0) await new Promise((resolve) => setTimeout(resolve, backoffMs * attempt));
    }
  }
}
