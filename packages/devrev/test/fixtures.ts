import { Ajv, type ValidateFunction } from 'ajv';
import { loadSpec } from '../../../specs/load';

type Json = Record<string, unknown>;

/** OpenAPI 3.0 schema → JSON Schema ajv reads: `nullable`, and `oneOf`+`discriminator` as `anyOf`. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === 'discriminator' || key === 'example' || key.startsWith('x-')) continue;
    // The spec's discriminated unions have look-alike members (dev_user vs sys_user), so "exactly
    // one" cannot hold; the discriminator is what picks the member.
    out[key === 'oneOf' ? 'anyOf' : key] = toJsonSchema(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  delete out.nullable;
  return out;
}

let ajv: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

/** A validator for one `components.schemas` entry of the DevRev spec extract. */
export function specValidator(name: string): ValidateFunction {
  if (!ajv) {
    const doc = loadSpec('devrev') as { components: Json };
    ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ $id: 'devrev', components: toJsonSchema(doc.components) });
  }
  let fn = cache.get(name);
  if (!fn) {
    fn = ajv.compile({ $ref: `devrev#/components/schemas/${name}` });
    cache.set(name, fn);
  }
  return fn;
}

/** Asserts a payload is valid per the spec schema `name` (throws with ajv's errors otherwise). */
export function assertSpecValid(name: string, payload: unknown): void {
  const validate = specValidator(name);
  if (!validate(payload)) {
    throw new Error(`${name} payload breaks the spec: ${JSON.stringify(validate.errors, null, 1)}`);
  }
}

const ORG = 'don:core:dvrv-us-1:devo/0';
const IDENTITY = 'don:identity:dvrv-us-1:devo/0';

export const devUser = {
  type: 'dev_user',
  id: `${IDENTITY}:devu/1`,
  display_id: 'DEVU-1',
  display_name: 'ada',
  full_name: 'Ada Lovelace',
  email: 'ada@example.com',
  state: 'active',
  display_picture: { id: `${ORG}:artifact/9`, display_id: 'ARTIFACT-9' },
};
export const revUser = {
  type: 'rev_user',
  id: `${IDENTITY}:revu/7`,
  display_id: 'REVU-7',
  full_name: 'Grace Hopper',
  email: 'grace@customer.example',
  external_ref: 'crm-contact-7',
  rev_org: { type: 'rev_org', id: `${ORG}:revo/1`, display_id: 'REV-1', display_name: 'Customer' },
};
export const serviceAccount = {
  type: 'service_account',
  id: `${IDENTITY}:svcacc/3`,
  display_id: 'SVCACC-3',
  display_name: 'Calendar sync',
};
export const sysUser = { type: 'sys_user', id: `${IDENTITY}:sysu/1`, display_name: 'DevRev Bot' };

export const ACCOUNT = { id: `${ORG}:account/12`, display_id: 'ACC-12', display_name: 'Acme' };
export const OPPORTUNITY = { id: `${ORG}:opportunity/3`, display_id: 'OPP-3' };

export const engagementId = (n: number | string) => `${ORG}:engagement/${n}`;

/** A full engagement: every field create/update accept, plus fields the spec does not list. */
export function fullEngagement(overrides: Json = {}): Json {
  return {
    id: engagementId(1),
    display_id: 'ENG-1',
    created_by: devUser,
    created_date: '2026-03-01T09:00:00Z',
    modified_by: serviceAccount,
    modified_date: '2026-03-02T10:00:00.5Z',
    description: 'Quarterly business review',
    title: 'QBR with Acme',
    engagement_type: 'offline',
    members: [devUser, revUser, serviceAccount, sysUser],
    parents: [ACCOUNT, OPPORTUNITY],
    scheduled_date: '2026-03-05T15:30:00+02:00',
    external_ref: 'cal-1',
    external_url: 'https://calendar.example/1',
    tags: [{ tag: { id: `${ORG}:tag/1`, name: 'vip' }, value: 'high' }],
    artifacts: [{ id: `${ORG}:artifact/1` }],
    x_future_field: { nested: true },
    ...overrides,
  };
}

/** A small engagement with the given id and dates. */
export function engagement(
  n: number | string,
  dates: { scheduled?: string; created?: string; modified?: string } = {},
  extra: Json = {},
): Json {
  return {
    id: engagementId(n),
    display_id: `ENG-${n}`,
    title: `Engagement ${n}`,
    engagement_type: 'call',
    members: [devUser],
    created_date: dates.created ?? '2026-01-01T00:00:00.000Z',
    ...(dates.scheduled ? { scheduled_date: dates.scheduled } : {}),
    ...(dates.modified ? { modified_date: dates.modified } : {}),
    ...extra,
  };
}

export function conversation(overrides: Json = {}): Json {
  return {
    id: `${ORG}:conversation/1`,
    display_id: 'CONV-1',
    created_by: revUser,
    created_date: '2026-02-01T08:00:00Z',
    modified_date: '2026-02-03T08:00:00Z',
    title: 'Cannot log in',
    description: 'Customer reports a login loop',
    members: [revUser, devUser],
    owned_by: [devUser],
    channels: [{ id: `${ORG}:channel/5`, display_id: 'CHAN-5' }],
    group: { id: `${ORG}:group/2`, display_id: 'GRP-2', name: 'Support' },
    source_channel: 'plug',
    stage: { name: 'waiting_on_user' },
    tags: [{ tag: { id: `${ORG}:tag/4`, name: 'login' } }],
    messages: [
      {
        type: 'timeline_comment',
        id: `${ORG}:comment/1`,
        object: `${ORG}:conversation/1`,
        object_display_id: 'CONV-1',
        created_by: revUser,
        created_date: '2026-02-01T08:00:00Z',
        body: 'I keep getting logged out',
        body_type: 'text',
      },
      {
        type: 'timeline_change_event',
        id: `${ORG}:change/1`,
        object: `${ORG}:conversation/1`,
        object_display_id: 'CONV-1',
        created_date: '2026-02-01T08:01:00Z',
      },
      {
        type: 'timeline_comment',
        id: `${ORG}:comment/2`,
        object: `${ORG}:conversation/1`,
        object_display_id: 'CONV-1',
        created_by: devUser,
        created_date: '2026-02-02T08:00:00Z',
        modified_date: '2026-02-02T09:00:00Z',
        body: 'Looking into it',
      },
    ],
    metadata: { url_context: 'https://app.example/login' },
    ...overrides,
  };
}
