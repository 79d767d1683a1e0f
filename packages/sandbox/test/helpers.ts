import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { z } from 'zod';
import { loadSpec } from '../../../specs/load';
import type { Sandbox } from '../src/index';

type Node = Record<string, unknown>;

/**
 * OpenAPI 3.0 discriminators with `mapping` over look-alike `oneOf` branches cannot be expressed
 * with ajv's `discriminator` keyword, so each mapping entry becomes an if/then on the property.
 * The mapped variant schemas are composed (allOf semantics), so their `additionalProperties: false`
 * (which DevRev uses to mean "no extra fields for this subtype") is dropped.
 */
function rewriteDiscriminators(node: unknown, variants: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteDiscriminators(n, variants));
  if (typeof node !== 'object' || node === null) return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) out[k] = rewriteDiscriminators(v, variants);
  const disc = out.discriminator as
    | { propertyName: string; mapping?: Record<string, string> }
    | undefined;
  if (!disc) return out;
  delete out.discriminator;
  if (disc.mapping && Array.isArray(out.oneOf)) {
    const prop = disc.propertyName;
    delete out.oneOf;
    out.allOf = [
      ...((out.allOf as unknown[]) ?? []),
      { properties: { [prop]: { enum: Object.keys(disc.mapping) } }, required: [prop] },
      ...Object.entries(disc.mapping).map(([value, ref]) => ({
        if: { properties: { [prop]: { const: value } }, required: [prop] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
        then: { $ref: ref },
      })),
    ];
  } else if (Array.isArray(out.oneOf)) {
    out.anyOf = out.oneOf;
    delete out.oneOf;
  }
  return out;
}

function prepareSpec(spec: Node): Node {
  const variants = new Set<string>();
  JSON.stringify(spec, (key, value) => {
    if (key === 'mapping' && typeof value === 'object')
      for (const ref of Object.values(value as Record<string, string>))
        variants.add(ref.split('/').pop() as string);
    return value;
  });
  const out = rewriteDiscriminators(spec, variants) as Node;
  const schemas = (out.components as Node | undefined)?.schemas as Record<string, Node> | undefined;
  for (const name of variants) {
    const schema = schemas?.[name];
    if (schema && schema.additionalProperties === false) delete schema.additionalProperties;
  }
  return out;
}

function makeAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  for (const f of ['id', 'text', 'sort-by', 'int32', 'int64']) ajv.addFormat(f, true);
  return ajv;
}

const ptr = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

class SpecValidator {
  private readonly ajv = makeAjv();
  private readonly cache = new Map<string, ValidateFunction | null>();
  constructor(
    private readonly id: string,
    private readonly spec: Node,
  ) {
    this.ajv.addSchema(prepareSpec(spec), id);
  }

  /** Validator of the JSON response for path+method+status, or null when the spec declares no body. */
  validator(path: string, method: string, status: number): ValidateFunction | null {
    const key = `${method} ${path} ${status}`;
    if (this.cache.has(key)) return this.cache.get(key) ?? null;
    const paths = this.spec.paths as Record<
      string,
      Record<string, { responses: Record<string, Node> }>
    >;
    const op = paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`spec has no ${method} ${path}`);
    const response = op.responses[String(status)];
    if (!response) throw new Error(`spec declares no ${status} for ${method} ${path}`);
    let pointer = `#/paths/${ptr(path)}/${method.toLowerCase()}/responses/${status}`;
    let resolved = response;
    if (typeof response.$ref === 'string') {
      pointer = response.$ref;
      const [, , name] = response.$ref.split('/').slice(1);
      resolved = ((this.spec.components as Node).responses as Record<string, Node>)[
        name as string
      ] as Node;
    }
    const content = (resolved.content as Record<string, Node> | undefined)?.['application/json'];
    const fn = content
      ? this.ajv.compile({ $ref: `${this.id}${pointer}/content/application~1json/schema` })
      : null;
    this.cache.set(key, fn);
    return fn;
  }
}

let devrev: SpecValidator | undefined;
let zoom: SpecValidator | undefined;
const devrevSpec = () => (devrev ??= new SpecValidator('devrev', loadSpec('devrev')));
const zoomSpec = () => (zoom ??= new SpecValidator('zoom', loadSpec('zoom')));

const zoomError = z.object({ code: z.number().int(), message: z.string() });
const zoomOAuthOk = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number(),
  scope: z.string(),
});
const zoomOAuthError = z.object({ reason: z.string(), error: z.string() });

/** Fetches JSON and checks the body against the DevRev spec for the path+method+status. */
export async function devrevCall(
  sb: Sandbox,
  path: string,
  init: { method?: string; body?: unknown; query?: string; token?: string | null } = {},
) {
  const method = init.method ?? (init.body !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { 'X-Devrev-Scope': 'beta' };
  if (init.token !== null)
    headers.authorization = `Bearer ${init.token ?? sb.credentials.devrev.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sb.urls.devrev}${path}${init.query ? `?${init.query}` : ''}`, {
    method,
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const body = (await res.json()) as Record<string, unknown>;
  const validate = devrevSpec().validator(path, method, res.status);
  if (validate && !validate(body))
    throw new Error(
      `${method} ${path} ${res.status} breaks the spec: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
    );
  return { status: res.status, headers: res.headers, body };
}

export async function zoomToken(sb: Sandbox): Promise<string> {
  const c = sb.credentials.zoom;
  const res = await fetch(
    `${sb.urls.zoomOAuth}?grant_type=account_credentials&account_id=${c.accountId}`,
    {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
      },
    },
  );
  const body = zoomOAuthOk.parse(await res.json());
  return body.access_token;
}

export function checkZoomOAuth(status: number, body: unknown): void {
  if (status === 200) zoomOAuthOk.parse(body);
  else zoomOAuthError.parse(body);
}

/** Fetches a Zoom API path (below /v2) and validates the body (spec for 200, {code,message} otherwise). */
export async function zoomCall(sb: Sandbox, path: string, token: string | null, query = '') {
  const res = await fetch(`${sb.urls.zoom}${path}${query ? `?${query}` : ''}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) zoomError.parse(body);
  const specPath = path.startsWith('/contact_center/engagements/')
    ? '/contact_center/engagements/{engagementId}'
    : path;
  // Zoom declares no body for its error responses; those are checked against {code, message} above.
  const validate = res.status === 200 ? zoomSpec().validator(specPath, 'GET', res.status) : null;
  if (validate && !validate(body))
    throw new Error(
      `GET ${path} ${res.status} breaks the spec: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
    );
  return { status: res.status, headers: res.headers, body };
}

let truto: Ajv | undefined;
/** Validator of one definition of Truto's engagement schema in `specs/` (object, envelopes, error). */
export function trutoValidator(
  definition: 'engagement' | 'listResponse' | 'deleteResponse' | 'error',
): ValidateFunction {
  truto ??= (() => {
    const ajv = makeAjv();
    ajv.addSchema(loadSpec('truto'), 'truto');
    return ajv;
  })();
  const validate = truto.getSchema(`truto#/definitions/${definition}`);
  if (!validate) throw new Error(`specs/ Truto schema has no definition ${definition}`);
  return validate;
}

function checkTruto(
  definition: Parameters<typeof trutoValidator>[0],
  label: string,
  body: unknown,
): void {
  const validate = trutoValidator(definition);
  if (!validate(body))
    throw new Error(
      `${label} breaks the Truto schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
    );
}

export async function trutoCall(
  sb: Sandbox,
  path: string,
  init: {
    method?: string;
    body?: unknown;
    query?: string;
    headers?: Record<string, string>;
    account?: string | null;
  } = {},
) {
  const method = init.method ?? 'GET';
  const params = new URLSearchParams(init.query ?? '');
  if (init.account !== null)
    params.set('integrated_account_id', init.account ?? sb.credentials.truto.integratedAccountId);
  const res = await fetch(`${sb.urls.truto}${path}?${params}`, {
    method,
    headers: {
      authorization: `Bearer ${sb.credentials.truto.token}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const body = (await res.json()) as Record<string, unknown>;
  const label = `${method} ${path} ${res.status}`;
  if (res.status >= 400) checkTruto('error', label, body);
  else if (path === '/unified/crm/engagements' && method === 'GET')
    checkTruto('listResponse', label, body);
  else if (method === 'DELETE') checkTruto('deleteResponse', label, body);
  else checkTruto('engagement', label, body);
  return { status: res.status, headers: res.headers, body };
}

export function ids(list: unknown, key = 'id'): string[] {
  return (list as Record<string, unknown>[]).map((e) => e[key] as string);
}

export { expect };

/**
 * Waits until the clock is at least `marginMs` clear of the next edge of a fixed `windowMs` window
 * aligned to it (the sandbox's DevRev and Truto limits): a few requests that straddle the edge
 * would count in two windows (a CI run saw it).
 */
export async function clearOfWindowEdge(windowMs: number, marginMs = 2_000): Promise<void> {
  const toEdge = windowMs - (Date.now() % windowMs);
  if (toEdge < marginMs) await new Promise((r) => setTimeout(r, toEdge + 50));
}
