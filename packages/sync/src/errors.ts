import { EngagekitError } from '@engagekit/core';

/**
 * The sync cannot go on: a database whose schema is newer than this package knows, a stored
 * checkpoint it cannot read, a closed store, or a listing that did not reach its end.
 */
export class SyncError extends EngagekitError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}
