/** Why a webhook subscription could not be made or used. */
export type SandboxWebhookErrorReason = 'invalid-input' | 'handshake-failed' | 'closed';

/**
 * A webhook subscription failed: bad options (`field` names the option, nothing was sent), a URL
 * handshake the endpoint did not pass, or a closed sandbox. Messages never carry the secret.
 */
export class SandboxWebhookError extends Error {
  override readonly name = 'SandboxWebhookError';
  constructor(
    readonly reason: SandboxWebhookErrorReason,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
