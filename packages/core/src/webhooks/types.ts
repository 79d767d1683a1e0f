import type { Engagement } from '../model/engagement';

/**
 * One change to an engagement, from a change feed or a webhook: consumers upsert by `id` and
 * delete by `id`, so a change delivered twice (at a resume boundary, or a retried webhook) is harmless.
 */
export interface EngagementChange {
  type: 'upsert' | 'delete';
  /** `${provider}:${remoteId}`, the `Engagement.id`. */
  id: string;
  provider: string;
  remoteId: string;
  /** When the vendor changed it (ISO UTC ms): its updated/modified time, else the best it has. */
  changedAt: string;
  /** The engagement, for upserts (absent when `partial` and not hydrated). */
  engagement?: Engagement | undefined;
  source: 'feed' | 'webhook';
  /** The vendor's event id, for webhooks (the dedupe key). */
  eventId?: string | undefined;
  /** The webhook carried only part of the engagement and no adapter hydrated it with `get()`. */
  partial?: boolean | undefined;
}

/** Raw bytes and headers of one webhook request, as the vendor sent them. */
export interface WebhookRequest {
  body: string | Uint8Array;
  headers: Headers | Record<string, string | readonly string[] | undefined>;
}

/** A webhook event whose signature checked out. */
export interface VerifiedWebhookEvent {
  /** The vendor's event id (or a digest of the body where the vendor has none). */
  id: string;
  /** The vendor's event type, e.g. `contact_center.engagement_started`, `record:updated`. */
  type: string;
  /** The signed (or vendor-stated) time of the event, checked against `toleranceSeconds`. */
  timestampMs?: number | undefined;
  /** Whether the timestamp is covered by the signature (only signed times can reject replays). */
  timestampSigned: boolean;
  payload: unknown;
}

/** What a source made of a verified request: a vendor handshake to answer, or an event. */
export type WebhookVerification =
  | { kind: 'handshake'; status: number; body: unknown }
  | { kind: 'event'; event: VerifiedWebhookEvent };

/**
 * One vendor's webhooks, as an adapter's `webhooks(options)` returns them: how to tell its
 * requests, verify them on the raw bytes, and turn events into unified changes.
 */
export interface WebhookSource {
  readonly provider: string;
  /** Whether a request is this vendor's, by its signature header (whatever the URL path). */
  recognises(headers: Headers): boolean;
  /** Checks the signature in constant time and parses; throws `WebhookVerificationError`. */
  verify(body: Uint8Array, headers: Headers, nowMs: number): WebhookVerification;
  /**
   * The unified changes of a verified event; `ignored: true` for event types engagekit does not
   * map (counted, never an error).
   */
  toChanges(
    event: VerifiedWebhookEvent,
    signal?: AbortSignal,
  ): Promise<{ changes: EngagementChange[]; ignored: boolean }>;
}

/** What `onChange` learns about the delivery the changes came from. */
export interface WebhookDelivery {
  provider: string;
  eventId: string;
  eventType: string;
  receivedAt: string;
}
