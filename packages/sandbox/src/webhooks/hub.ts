import type { VendorName } from '../types';

/** What kind of write happened to a vendor record. */
export type SandboxChangeAction = 'created' | 'updated' | 'deleted';

/**
 * One write to the sandbox's data, as a vendor emulator reports it (from its API handlers, its
 * test-control mutations or its simulated progression). Webhook subscriptions turn it into the
 * vendor's own event, or skip it when the vendor has no event for it.
 */
export interface SandboxChange {
  vendor: VendorName;
  /** DevRev: `conversation` or `engagement`; Zoom and Truto: `engagement`. */
  object: 'engagement' | 'conversation';
  action: SandboxChangeAction;
  /** The record as stored after the change (for deletes: as it was, or at least `{ id }`). */
  record: Record<string, unknown>;
  /** The record before an update, when the emulator has it. */
  previous?: Record<string, unknown> | undefined;
  /**
   * Zoom only: the lifecycle event to send (e.g. `contact_center.engagement_ended`), for changes
   * whose event cannot be told from the records alone (notes, a user answering…).
   */
  event?: string | undefined;
}

/** Receives the changes of one emulator. */
export type SandboxChangeListener = (change: SandboxChange) => void;

const listeners = new WeakMap<object, SandboxChangeListener>();

/**
 * Reports a write made by the emulator `owner` (a vendor instance) to whoever listens to it: the
 * sandbox's webhook subscriptions. A no-op when nothing listens; never throws into the handler.
 */
export function emitChange(owner: object, change: SandboxChange): void {
  const listener = listeners.get(owner);
  if (!listener) return;
  try {
    listener(change);
  } catch {
    // A webhook problem must never fail the API call that made the change.
  }
}

/** Makes `listener` receive the changes `owner` emits (one listener per emulator). */
export function listenToChanges(owner: object, listener: SandboxChangeListener): void {
  listeners.set(owner, listener);
}
