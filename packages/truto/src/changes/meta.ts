import { AbortError, type ListEngagementsParams } from '@engagekit/core';
import { raceAbort } from '@engagekit/core/adapter';
import { z } from 'zod';
import { PROVIDER } from '../map/engagement';

/** Where Truto describes what the list method accepts for one integrated account. */
export const LIST_META_PATH = '/unified/crm/engagements/meta/list';

/**
 * The part of Truto's method metadata engagekit reads: `query_schema` is a JSON-schema-style object
 * whose `properties` are the query parameters the account's integration accepts
 * (https://truto.one/docs/api-reference/unified-api/unified-model-docs/get). Everything else
 * (`schema`, `response_schema`, `default_query`…) is ignored. A body without a `query_schema`
 * object is not metadata, and fails as a `ResponseValidationError`.
 */
export const TrutoListMetaSchema = z.looseObject({
  query_schema: z.looseObject({
    properties: z.record(z.string(), z.unknown()).nullish(),
  }),
});
export type TrutoListMeta = z.infer<typeof TrutoListMetaSchema>;

/** Whether the metadata lists an `updated_at` query parameter (a schema object, not `false`/null). */
export function supportsUpdatedAt(meta: TrutoListMeta): boolean {
  const property = meta.query_schema.properties?.updated_at;
  return typeof property === 'object' && property !== null;
}

/** The per-call HTTP options of the feed that asks (its `beforeRequest`, headers, timeout…). */
export type MetaRequestOptions = ListEngagementsParams['request'];

/**
 * The answer to "does this integrated account filter by `updated_at`?", asked once and kept for
 * `ttlMs`. One entry (an adapter serves one account), so it is bounded; concurrent callers share one
 * request, sent with the per-call options of the caller that started it. A failed probe is not
 * kept: the next call asks again.
 */
export class UpdatedAtSupport {
  #value: { supported: boolean; expiresAt: number } | undefined;
  #pending: Promise<boolean> | undefined;

  constructor(
    private readonly probe: (request: MetaRequestOptions) => Promise<boolean>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached answer while it is fresh, else `undefined`. */
  peek(): boolean | undefined {
    const value = this.#value;
    return value && this.now() < value.expiresAt ? value.supported : undefined;
  }

  /**
   * The cached answer, or a probe (shared with concurrent callers) sent with `request`, so a
   * `beforeRequest` (a shared rate limit) holds it back like the feed's listings; a cached answer
   * sends nothing. `signal` abandons the wait.
   */
  get(signal?: AbortSignal, request?: MetaRequestOptions): Promise<boolean> {
    const known = this.peek();
    if (known !== undefined) return Promise.resolve(known);
    // The probe itself runs without the caller's signal: another caller may be waiting for it.
    this.#pending ??= this.probe(request)
      .then((supported) => {
        if (this.ttlMs > 0) this.#value = { supported, expiresAt: this.now() + this.ttlMs };
        return supported;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return raceAbort(
      this.#pending,
      signal,
      () => new AbortError('The change feed was aborted.', { provider: PROVIDER }),
    );
  }

  /** Forgets the answer (the account refused a filter it was said to support). */
  invalidate(): void {
    this.#value = undefined;
  }
}
