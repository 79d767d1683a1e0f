import { EngagekitError, type EngagekitErrorOptions } from '../errors/errors';

/** Why a webhook request was refused. */
export type WebhookRejection =
  | 'unknown-source'
  | 'missing-signature'
  | 'bad-signature'
  | 'stale-timestamp'
  | 'malformed'
  | 'too-large'
  | 'unsupported-media-type'
  | 'method-not-allowed';

/**
 * A webhook request that is not a verified vendor event: `handle()` answers it with a 4xx (401 for
 * anything about the signature) and never passes it on. The message never holds the secret.
 */
export class WebhookVerificationError extends EngagekitError {
  readonly reason: WebhookRejection;
  constructor(reason: WebhookRejection, message: string, options: EngagekitErrorOptions = {}) {
    super(message, options);
    this.reason = reason;
  }

  /** The HTTP status `handle()` answers with. */
  get status(): number {
    switch (this.reason) {
      case 'too-large':
        return 413;
      case 'unsupported-media-type':
        return 415;
      case 'method-not-allowed':
        return 405;
      case 'malformed':
        return 400;
      default:
        return 401;
    }
  }
}
