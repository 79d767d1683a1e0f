import nock from 'nock';
import { loadSpec } from '../../../specs/load';

export const BASE = 'https://zoom.test/v2';
export const OAUTH = 'https://oauth.zoom.test/oauth/token';
export const LIST_PATH = '/v2/contact_center/engagements';
export const CREDENTIALS = {
  accountId: 'acct-123456',
  clientId: 'client-id-abcdef',
  clientSecret: 'super-secret-client-value-42',
};

// biome-ignore lint/suspicious/noExplicitAny: the spec is walked by literal paths below.
const SPEC = loadSpec('zoom') as any;

type Schema = {
  type?: string;
  example?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
};

/** An instance of a spec schema built from its `example` values (arrays get one item). */
export function exampleOf(schema: Schema): unknown {
  if (schema.type === 'object' || schema.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema.properties ?? {})) out[k] = exampleOf(v);
    return out;
  }
  if (schema.type === 'array') return schema.items ? [exampleOf(schema.items)] : [];
  return schema.example;
}

const ok200 = (path: string) =>
  SPEC.paths[path].get.responses['200'].content['application/json'].schema as Schema;

/** The spec's `listEngagements` 200 body, built from its examples. */
export function specListResponse(): Record<string, unknown> {
  return exampleOf(ok200('/contact_center/engagements')) as Record<string, unknown>;
}
/** The spec's `getEngagement` 200 body, built from its examples. */
export function specGetResponse(): Record<string, unknown> {
  return exampleOf(ok200('/contact_center/engagements/{engagementId}')) as Record<string, unknown>;
}
/** The `listEngagements` query parameter names the spec defines. */
export const SPEC_LIST_PARAMS: string[] = SPEC.paths[
  '/contact_center/engagements'
].get.parameters.map((p: { name: string }) => p.name);

export function setupNock(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
}

/** A spec-shaped record with the given id and start time (UTC seconds). */
export function record(id: string, startMs: number, extra: Record<string, unknown> = {}) {
  return {
    engagement_id: id,
    start_time: `${new Date(startMs).toISOString().slice(0, 19)}Z`,
    channels: [{ channel: 'voice' }],
    direction: 'inbound',
    ...extra,
  };
}

/** Serves a token from the OAuth endpoint (`times` times). */
export function tokenScope(token = 'access-token-one-xyz', expiresIn = 3600, times = 1) {
  return nock('https://oauth.zoom.test')
    .post('/oauth/token')
    .query({ grant_type: 'account_credentials', account_id: CREDENTIALS.accountId })
    .times(times)
    .reply(200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: expiresIn,
      scope: 'contact_center_report:read:admin',
    });
}

/** Reads the `from`/`to` query of a Zoom list request (`yyyy-MM-ddTHH:mm:ssZ`, UTC) as epoch ms. */
export function parseZoomQueryTime(value: string): number {
  return Date.parse(value);
}
