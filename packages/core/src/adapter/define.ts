import { z } from 'zod';
import { type ChangeFeedSource, createChangeFeed } from '../changes/feed';
import { CapabilityError, InputValidationError } from '../errors/errors';
import { parseInput } from '../errors/zod';
import type { RequestOptions } from '../http/types';
import {
  DirectionSchema,
  type Engagement,
  EngagementKindSchema,
  TagSchema,
} from '../model/engagement';
import { toIsoUtc } from '../model/time';
import { PageIterator } from '../pagination/page-iterator';
import { type NormalizedListParams, normalizeListParams } from './params';
import type {
  AdapterCapabilities,
  CreateEngagementInput,
  EngagementAdapter,
  EngagementsResource,
  ListEngagementsParams,
  UpdateEngagementInput,
} from './types';

const DateInput = z
  .union([z.instanceof(Date), z.string()])
  .refine((v) => (v instanceof Date ? !Number.isNaN(v.getTime()) : toIsoUtc(v) !== undefined), {
    message: 'not a valid date or ISO-8601 string',
    params: { rule: 'invalid_date' },
  });

/** The shape every create input must have; adapters add their vendor's rules on top. */
export const CreateEngagementInputSchema = z
  .object({
    kind: EngagementKindSchema.optional(),
    subject: z.string().optional(),
    body: z.string().optional(),
    direction: DirectionSchema.optional(),
    status: z.string().optional(),
    occurredAt: DateInput.optional(),
    startTime: DateInput.optional(),
    endTime: DateInput.optional(),
    durationSeconds: z.number().nonnegative().optional(),
    participantIds: z.array(z.string().min(1)).optional(),
    accountIds: z.array(z.string().min(1)).optional(),
    ownerId: z.string().min(1).optional(),
    externalRef: z.string().optional(),
    externalUrl: z.string().optional(),
    tags: z.array(TagSchema).optional(),
    native: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export const UpdateEngagementInputSchema = CreateEngagementInputSchema.partial();

const IdSchema = z.string().min(1, 'id must be a non-empty string');

/** What an adapter implements; `defineAdapter` adds validation and the unsupported-operation errors. */
export interface AdapterDefinition {
  id: string;
  /** Other names of the provider (see `EngagementAdapter.aliases`). */
  aliases?: readonly string[] | undefined;
  capabilities: AdapterCapabilities;
  /** Remote ids go into URL paths (`/engagements/{id}`): ids with `.`/`..` segments are refused. */
  remoteIdInPath?: boolean | undefined;
  engagements: {
    list(params: NormalizedListParams): PageIterator<Engagement>;
    get?(remoteId: string, options?: RequestOptions): Promise<Engagement>;
    create?(input: CreateEngagementInput, options?: RequestOptions): Promise<Engagement>;
    update?(
      remoteId: string,
      patch: UpdateEngagementInput,
      options?: RequestOptions,
    ): Promise<Engagement>;
    delete?(remoteId: string, options?: RequestOptions): Promise<void>;
    count?(params: NormalizedListParams): Promise<number>;
    /** The listing behind `changes()`; needs `capabilities.changes`. */
    changes?: ChangeFeedSource | undefined;
  };
}

/** How an adapter uses remote ids, so `toRemoteId` can refuse the ones that would misroute. */
export interface RemoteIdRules {
  /**
   * The id becomes a URL path segment: `a/..` is refused too, since a server that decodes `%2F`
   * before resolving dot segments would read it as the parent. Slashes alone are kept (Zoom's
   * base64 ids hold them).
   */
  pathSegment?: boolean | undefined;
}

const hasControlCharacter = (value: string) =>
  [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * The vendor id from a `provider:remoteId` or bare id. Refuses (with `InputValidationError` on
 * `id`) what would change the request's target instead of naming a record: empty ids, `.` and `..`
 * (a path resolves them to the parent collection), control characters, and with `pathSegment`
 * any `.`/`..` segment between slashes.
 */
export function toRemoteId(provider: string, id: unknown, rules: RemoteIdRules = {}): string {
  const raw = parseInput(IdSchema, id, { provider, prefix: 'id' });
  const prefix = `${provider}:`;
  const remoteId = raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
  const problem =
    remoteId.trim() === ''
      ? 'must not be empty'
      : remoteId === '.' || remoteId === '..'
        ? `"${remoteId}" is not a record id`
        : hasControlCharacter(remoteId)
          ? 'must not contain control characters'
          : rules.pathSegment && remoteId.split(/[/\\]/).some((s) => s === '.' || s === '..')
            ? 'must not contain "." or ".." segments (it is sent in a URL path)'
            : undefined;
  if (problem) {
    throw new InputValidationError([{ path: 'id', rule: 'invalid_id', message: problem }], {
      provider,
    });
  }
  return remoteId;
}

/**
 * Builds an `EngagementAdapter` from its vendor-specific parts: validates every input before the
 * network (`InputValidationError`, `CapabilityError`), accepts unified or vendor ids, and makes
 * operations the vendor lacks reject with `CapabilityError`. Extra namespaces (e.g. DevRev's
 * `conversations`) are passed in `extensions` and kept fully typed.
 */
export function defineAdapter<X extends object = {}>(
  definition: AdapterDefinition,
  extensions?: X,
): EngagementAdapter & X {
  const { id, capabilities, engagements: impl } = definition;
  const unsupported = (operation: string) =>
    Promise.reject(
      new CapabilityError(operation, `${id} does not support engagements.${operation}().`, {
        provider: id,
      }),
    );
  const remote = (value: unknown) =>
    toRemoteId(id, value, { pathSegment: definition.remoteIdInPath });

  const engagements: EngagementsResource = {
    list(params?: ListEngagementsParams) {
      try {
        return impl.list(normalizeListParams(id, capabilities, params));
      } catch (error) {
        return PageIterator.failing<Engagement>(error);
      }
    },
    async get(engagementId, options) {
      if (!impl.get || !capabilities.operations.get) return unsupported('get');
      return impl.get(remote(engagementId), options);
    },
    async create(input, options) {
      if (!impl.create || !capabilities.operations.create) return unsupported('create');
      const parsed = parseInput(CreateEngagementInputSchema, input, { provider: id });
      const kinds = capabilities.createKinds;
      if (parsed.kind !== undefined && kinds && !kinds.includes(parsed.kind)) {
        throw new CapabilityError(
          `create:${parsed.kind}`,
          `${id} cannot create engagements of kind "${parsed.kind}" (it can create: ${kinds.join(', ') || 'none'}).`,
          { provider: id },
        );
      }
      return impl.create(parsed as CreateEngagementInput, options);
    },
    async update(engagementId, patch, options) {
      if (!impl.update || !capabilities.operations.update) return unsupported('update');
      const remoteId = remote(engagementId);
      const parsed = parseInput(UpdateEngagementInputSchema, patch, { provider: id });
      return impl.update(remoteId, parsed as UpdateEngagementInput, options);
    },
    async delete(engagementId, options) {
      if (!impl.delete || !capabilities.operations.delete) return unsupported('delete');
      return impl.delete(remote(engagementId), options);
    },
    async count(params) {
      if (!impl.count || !capabilities.operations.count) return unsupported('count');
      return impl.count(normalizeListParams(id, capabilities, params));
    },
    changes(params) {
      if (!impl.changes || !capabilities.changes) {
        throw new CapabilityError('changes', `${id} does not support engagements.changes().`, {
          provider: id,
        });
      }
      return createChangeFeed(id, capabilities.changes, impl.changes, params);
    },
  };
  const aliases = definition.aliases ? { aliases: [...definition.aliases] } : {};
  return Object.assign(
    { id, ...aliases, capabilities, engagements },
    extensions,
  ) as EngagementAdapter & X;
}
