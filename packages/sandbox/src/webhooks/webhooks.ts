import { randomUUID } from 'node:crypto';
import { SandboxWebhookError } from './errors';
import type { SandboxChange } from './hub';
import { resolveSubscribeOptions, type WebhookSubscribeOptions } from './options';
import { SCHEMES, type SchemeContext } from './schemes';
import { WebhookSubscription } from './subscription';

/** Subscriptions held at once: each holds a bounded queue, so the sandbox's memory stays bounded. */
const MAX_SUBSCRIPTIONS = 100;

/** Who the sandbox's events come from (the accounts its credentials name). */
export interface SandboxWebhooksContext {
  zoomAccountId: string;
  trutoAccountId: string;
}

/**
 * The sandbox's webhooks (`sandbox.webhooks`): subscriptions per vendor, fed with every write the
 * emulators report.
 */
export class SandboxWebhooks {
  readonly #subscriptions = new Set<WebhookSubscription>();
  readonly #context: SandboxWebhooksContext;
  #count = 0;
  #closed = false;

  constructor(context: SandboxWebhooksContext) {
    this.#context = context;
  }

  /**
   * Subscribes `url` to one vendor's events: validates the options (a bad one is a
   * `SandboxWebhookError` naming it, before anything is sent), performs the vendor's URL handshake
   * (Zoom `endpoint.url_validation`, DevRev `verify`; Truto has none) and resolves once it passed,
   * with the subscription and its `secret`. From then on, creates, updates and deletes made through
   * the sandbox arrive signed, with the vendor's retry schedule.
   */
  async subscribe(options: WebhookSubscribeOptions): Promise<WebhookSubscription> {
    const resolved = resolveSubscribeOptions(options);
    if (this.#closed) throw new SandboxWebhookError('closed', 'The sandbox is closed.');
    if (this.#subscriptions.size >= MAX_SUBSCRIPTIONS) {
      throw new SandboxWebhookError(
        'invalid-input',
        `At most ${MAX_SUBSCRIPTIONS} webhook subscriptions at once; close one first.`,
      );
    }
    const n = ++this.#count;
    const context: SchemeContext = {
      ...this.#context,
      webhookId:
        resolved.provider === 'devrev'
          ? `don:integration:dvrv-us-1:devo/7Sx0sb:webhook/${n}`
          : randomUUID(),
    };
    const subscription = new WebhookSubscription({
      id: `${resolved.provider}-webhook-${n}`,
      scheme: SCHEMES[resolved.provider],
      options: resolved,
      context,
      onClose: () => this.#subscriptions.delete(subscription),
    });
    this.#subscriptions.add(subscription);
    try {
      await subscription.handshake();
    } catch (error) {
      await subscription.close();
      throw error;
    }
    return subscription;
  }

  /**
   * Sends a change to every subscription of its vendor. The emulators call it for their writes;
   * tests may call it to play a vendor change the emulated API cannot make (e.g. a DevRev
   * conversation update).
   */
  emit(change: SandboxChange): void {
    for (const subscription of this.#subscriptions) {
      if (subscription.provider === change.vendor) subscription.deliver(change);
    }
  }

  /** The open subscriptions. */
  get subscriptions(): readonly WebhookSubscription[] {
    return [...this.#subscriptions];
  }

  /** Closes every subscription (timers stopped, requests aborted); later subscribes fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
  }
}
