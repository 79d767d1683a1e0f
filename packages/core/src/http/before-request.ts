import { EngagekitError, type ErrorRequestInfo } from '../errors/errors';
import { raceAbort } from './abort';
import type { BeforeRequestHook, BeforeRequestInfo } from './types';

/**
 * Awaits the caller's `beforeRequest` hook for one attempt. The wait ends as soon as `info.signal`
 * fires, even when the hook ignores it, with `stopped()` (the abort or the timeout); any other
 * failure of the hook fails the request as an engagekit error.
 */
export async function awaitBeforeRequest(
  hook: BeforeRequestHook,
  info: BeforeRequestInfo,
  stopped: () => EngagekitError,
  request: ErrorRequestInfo,
): Promise<void> {
  try {
    await raceAbort(Promise.resolve(hook(info)), info.signal, stopped);
  } catch (error) {
    // A hook that gave up because the request did rejects with the signal's reason: same answer.
    if (info.signal.aborted) throw stopped();
    if (error instanceof EngagekitError) throw error;
    throw new EngagekitError(
      `${info.provider}: the beforeRequest hook failed (${info.method} ${request.url})`,
      { provider: info.provider, request, cause: error },
    );
  }
}
