import type { EngagementAdapter, HttpOptions } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import type { Sandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import {
  createZoomContactCenterAdapter,
  ZOOM_CONTACT_CENTER_ALIASES,
} from '@engagekit/zoom-contact-center';
import { MissingCredentialsError, UsageError } from './io';

/** The providers the CLI knows, in display order. */
export const PROVIDER_IDS = ['devrev', 'zoom-contact-center', 'truto'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

// Each id, and the aliases its adapter package declares (the client accepts the same ones).
const ALIASES: Record<string, ProviderId> = {
  devrev: 'devrev',
  'zoom-contact-center': 'zoom-contact-center',
  ...Object.fromEntries(ZOOM_CONTACT_CENTER_ALIASES.map((alias) => [alias, 'zoom-contact-center'])),
  truto: 'truto',
};

/** One credential or setting: its environment variable and its flag. */
export interface CredentialSpec {
  provider: ProviderId;
  /** Option key as commander camel-cases the flag. */
  key: string;
  env: string;
  flag: string;
  required: boolean;
  secret: boolean;
  description: string;
}

const spec = (
  provider: ProviderId,
  env: string,
  flag: string,
  required: boolean,
  secret: boolean,
  description: string,
): CredentialSpec => ({
  provider,
  env,
  flag,
  key: flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
  required,
  secret,
  description,
});

/** Every credential variable and flag, per provider. */
export const CREDENTIALS: readonly CredentialSpec[] = [
  spec('devrev', 'DEVREV_TOKEN', '--devrev-token', true, true, 'DevRev personal access token'),
  spec('devrev', 'DEVREV_BASE_URL', '--devrev-base-url', false, false, 'DevRev API root'),
  spec(
    'zoom-contact-center',
    'ZOOM_ACCOUNT_ID',
    '--zoom-account-id',
    true,
    false,
    'Zoom account id',
  ),
  spec(
    'zoom-contact-center',
    'ZOOM_CLIENT_ID',
    '--zoom-client-id',
    true,
    false,
    'Zoom S2S OAuth client id',
  ),
  spec(
    'zoom-contact-center',
    'ZOOM_CLIENT_SECRET',
    '--zoom-client-secret',
    true,
    true,
    'Zoom S2S OAuth client secret',
  ),
  spec('zoom-contact-center', 'ZOOM_BASE_URL', '--zoom-base-url', false, false, 'Zoom API root'),
  spec(
    'zoom-contact-center',
    'ZOOM_OAUTH_URL',
    '--zoom-oauth-url',
    false,
    false,
    'Zoom OAuth token URL',
  ),
  spec('truto', 'TRUTO_TOKEN', '--truto-token', true, true, 'Truto API token'),
  spec(
    'truto',
    'TRUTO_INTEGRATED_ACCOUNT_ID',
    '--truto-integrated-account-id',
    true,
    false,
    'Truto integrated account id',
  ),
  spec('truto', 'TRUTO_BASE_URL', '--truto-base-url', false, false, 'Truto API root'),
];

/** Parses `--provider a,b` (aliases: zoom, zcc). */
export function parseProviders(value: string | undefined): ProviderId[] | undefined {
  if (value === undefined) return undefined;
  const ids = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const out: ProviderId[] = [];
  for (const id of ids) {
    const known = ALIASES[id];
    if (!known) {
      throw new UsageError(`unknown provider "${id}" (known: ${PROVIDER_IDS.join(', ')})`);
    }
    if (!out.includes(known)) out.push(known);
  }
  if (out.length === 0) throw new UsageError('--provider needs at least one provider');
  return out;
}

export interface ResolveOptions {
  /** Providers the user asked for; `undefined` = every provider that has credentials. */
  providers: ProviderId[] | undefined;
  /** Parsed command options (flag values by camel-cased key). */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** When set, URLs and credentials come from the sandbox (this process's or a shared one). */
  sandbox?: Pick<Sandbox, 'urls' | 'credentials'> | undefined;
  http?: HttpOptions | undefined;
}

type Values = Record<string, string | undefined>;

function valuesFor(provider: ProviderId, o: ResolveOptions): Values {
  const values: Values = {};
  for (const c of CREDENTIALS) {
    if (c.provider !== provider) continue;
    const flag = o.flags[c.key];
    const value = typeof flag === 'string' && flag !== '' ? flag : o.env[c.env] || undefined;
    values[c.env] = value;
  }
  return values;
}

function sandboxValues(provider: ProviderId, sb: Pick<Sandbox, 'urls' | 'credentials'>): Values {
  const c = sb.credentials;
  switch (provider) {
    case 'devrev':
      return { DEVREV_TOKEN: c.devrev.token, DEVREV_BASE_URL: sb.urls.devrev };
    case 'zoom-contact-center':
      return {
        ZOOM_ACCOUNT_ID: c.zoom.accountId,
        ZOOM_CLIENT_ID: c.zoom.clientId,
        ZOOM_CLIENT_SECRET: c.zoom.clientSecret,
        ZOOM_BASE_URL: sb.urls.zoom,
        ZOOM_OAUTH_URL: sb.urls.zoomOAuth,
      };
    case 'truto':
      return {
        TRUTO_TOKEN: c.truto.token,
        TRUTO_INTEGRATED_ACCOUNT_ID: c.truto.integratedAccountId,
        TRUTO_BASE_URL: sb.urls.truto,
      };
  }
}

function build(provider: ProviderId, v: Values, http: HttpOptions): EngagementAdapter {
  const opt = (value: string | undefined) => (value ? value : undefined);
  switch (provider) {
    case 'devrev':
      return createDevRevAdapter({
        ...http,
        token: v.DEVREV_TOKEN as string,
        baseUrl: opt(v.DEVREV_BASE_URL),
      });
    case 'zoom-contact-center':
      return createZoomContactCenterAdapter({
        ...http,
        accountId: v.ZOOM_ACCOUNT_ID as string,
        clientId: v.ZOOM_CLIENT_ID as string,
        clientSecret: v.ZOOM_CLIENT_SECRET as string,
        baseUrl: opt(v.ZOOM_BASE_URL),
        oauthUrl: opt(v.ZOOM_OAUTH_URL),
      });
    case 'truto':
      return createTrutoAdapter({
        ...http,
        token: v.TRUTO_TOKEN as string,
        integratedAccountId: v.TRUTO_INTEGRATED_ACCOUNT_ID as string,
        baseUrl: opt(v.TRUTO_BASE_URL),
      });
  }
}

/**
 * Builds the adapters for a command. Without `--provider`, every provider with at least one
 * credential set is used; a provider that is asked for (or half configured) must be complete.
 * Throws `MissingCredentialsError` naming exactly the missing variables and flags.
 */
export function resolveAdapters(o: ResolveOptions): EngagementAdapter[] {
  const http = o.http ?? {};
  const wanted = o.providers ?? [...PROVIDER_IDS];
  const chosen: Array<{ provider: ProviderId; values: Values }> = [];
  const missing: Array<{ provider: string; items: string[] }> = [];
  for (const provider of wanted) {
    const values = o.sandbox ? sandboxValues(provider, o.sandbox) : valuesFor(provider, o);
    const required = CREDENTIALS.filter((c) => c.provider === provider && c.required);
    const absent = required.filter((c) => !values[c.env]);
    const anySet = required.some((c) => values[c.env]);
    if (absent.length === 0) chosen.push({ provider, values });
    else if (o.providers || anySet) {
      missing.push({ provider, items: absent.map((c) => `${c.env} (or ${c.flag})`) });
    }
  }
  if (missing.length > 0) throw new MissingCredentialsError(missing);
  if (chosen.length === 0) {
    // Nothing configured at all: name everything.
    throw new MissingCredentialsError(
      PROVIDER_IDS.map((provider) => ({
        provider,
        items: CREDENTIALS.filter((c) => c.provider === provider && c.required).map(
          (c) => `${c.env} (or ${c.flag})`,
        ),
      })),
    );
  }
  return chosen.map((c) => build(c.provider, c.values, http));
}

/** The provider an engagement id (`provider:remoteId`, or `alias:remoteId` like `zoom:…`) belongs to. */
export function providerOfId(id: string): ProviderId {
  const colon = id.indexOf(':');
  const match = colon > 0 ? ALIASES[id.slice(0, colon).toLowerCase()] : undefined;
  if (!match || colon === id.length - 1) {
    throw new UsageError(
      `expected an id like "<provider>:<remoteId>" with provider one of ${Object.keys(ALIASES).join(', ')}, got "${id}"`,
    );
  }
  return match;
}

/** The id with its provider spelled the canonical way (`zoom:7` → `zoom-contact-center:7`). */
export function canonicalId(id: string): string {
  return `${providerOfId(id)}${id.slice(id.indexOf(':'))}`;
}
