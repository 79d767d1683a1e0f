import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputValidationError } from '../errors/errors';

const PREFIX = 'ekc1';

/**
 * The longest checkpoint accepted: two remembered sets of at most `MAX_REMEMBERED` entries
 * (18 bytes each, base64url) plus a listing cursor (≤ 512 KiB) and a little JSON.
 */
export const MAX_CHECKPOINT_LENGTH = 6 * 1024 * 1024;
/** The most entries a checkpoint remembers per set, whatever `maxRemembered` asks. */
export const MAX_REMEMBERED = 100_000;

const ENTRY_BYTES = 18;

/** What a checkpoint remembers of one engagement read within the lookback. */
export interface SeenEntry {
  /** 48 bits of SHA-256 of the content (raw left out), as a number. */
  version: number;
  /** The engagement's key (modified or start time), in whole seconds. */
  keySec: number;
}

/** Remembered engagements by the first 8 bytes of SHA-256 of their id, as hex. */
export type SeenSet = Map<string, SeenEntry>;

const StateSchema = z
  .object({
    /** Provider id. */
    p: z.string().min(1),
    /** Mode the checkpoint was made in. */
    m: z.enum(['modified', 'window']),
    /** Kinds the feed was restricted to, sorted. */
    k: z.array(z.string()).optional(),
    /** Where the next run reads from (epoch ms, on the key). */
    h: z.number().int(),
    /** A run in progress: its start, where it reads from and the listing's cursor. */
    r: z
      .object({
        s: z.number().int(),
        f: z.number().int(),
        c: z.string().max(MAX_CHECKPOINT_LENGTH).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The state of an adapter's change feed, as a checkpoint carries it. */
export interface CheckpointState {
  provider: string;
  mode: 'modified' | 'window';
  kinds?: string[] | undefined;
  /** Where the next run reads from. */
  readFromMs: number;
  /** Engagements the previous completed run saw at or after `readFromMs`. */
  seen: SeenSet;
  run?:
    | {
        startMs: number;
        fromMs: number;
        cursor?: string | undefined;
        /** Engagements this run has read so far that the next run will read again. */
        seen: SeenSet;
      }
    | undefined;
}

function pack(seen: SeenSet): string {
  const buffer = Buffer.alloc(seen.size * ENTRY_BYTES);
  let offset = 0;
  for (const [idHash, entry] of seen) {
    buffer.write(idHash, offset, 8, 'hex');
    buffer.writeUIntBE(entry.version, offset + 8, 6);
    buffer.writeUInt32BE(entry.keySec >>> 0, offset + 14);
    offset += ENTRY_BYTES;
  }
  return buffer.toString('base64url');
}

function unpack(text: string): SeenSet | undefined {
  const buffer = Buffer.from(text, 'base64url');
  if (buffer.length % ENTRY_BYTES !== 0 || buffer.length / ENTRY_BYTES > MAX_REMEMBERED) {
    return undefined;
  }
  const seen: SeenSet = new Map();
  for (let offset = 0; offset < buffer.length; offset += ENTRY_BYTES) {
    seen.set(buffer.toString('hex', offset, offset + 8), {
      version: buffer.readUIntBE(offset + 8, 6),
      keySec: buffer.readUInt32BE(offset + 14),
    });
  }
  return seen;
}

function checksum(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('.');
  return hash.digest('base64url').slice(0, 12);
}

/** Writes a checkpoint: `ekc1.<state>.<seen>.<run seen>.<checksum>`, URL-safe. */
export function encodeCheckpoint(state: CheckpointState): string {
  const json = {
    p: state.provider,
    m: state.mode,
    ...(state.kinds ? { k: state.kinds } : {}),
    h: state.readFromMs,
    ...(state.run
      ? {
          r: {
            s: state.run.startMs,
            f: state.run.fromMs,
            ...(state.run.cursor ? { c: state.run.cursor } : {}),
          },
        }
      : {}),
  };
  const parts = [
    Buffer.from(JSON.stringify(json)).toString('base64url'),
    pack(state.seen),
    state.run ? pack(state.run.seen) : '',
  ];
  return [PREFIX, ...parts, checksum(parts)].join('.');
}

/** Refuses a bad `since` with `InputValidationError` naming the rule. */
export function refuseSince(rule: string, message: string): never {
  throw new InputValidationError([{ path: 'since', rule, message }]);
}

/** The JSON of a checkpoint's base64url payload, checked against `schema` (refusals on `since`). */
export function readPayload<S extends z.ZodType>(payload: string, schema: S): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    refuseSince('checkpoint_format', 'checkpoint payload is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) refuseSince('checkpoint_format', 'checkpoint payload has an invalid shape');
  return parsed.data;
}

/** Whether `since` looks like a checkpoint rather than a date. */
export function isCheckpoint(since: string): boolean {
  return /^ek[a-z]*\d+\./.test(since);
}

/**
 * Reads a checkpoint of `provider`'s feed. Every failure is an `InputValidationError` on `since`
 * naming the rule: malformed, another version, corrupted, another provider, another mode.
 */
export function decodeCheckpoint(
  text: string,
  expected: { provider: string; mode: 'modified' | 'window' },
): CheckpointState {
  if (text.length > MAX_CHECKPOINT_LENGTH) {
    refuseSince('checkpoint_size', `checkpoint is longer than ${MAX_CHECKPOINT_LENGTH} characters`);
  }
  const parts = text.trim().split('.');
  const [version, payload = '', seen = '', runSeen = '', sum = ''] = parts;
  if (version !== PREFIX) {
    refuseSince(
      'checkpoint_version',
      `checkpoint version "${String(version).slice(0, 16)}" is not supported (expects "${PREFIX}")`,
    );
  }
  if (parts.length !== 5)
    refuseSince('checkpoint_format', 'not an engagekit change-feed checkpoint');
  if (checksum([payload, seen, runSeen]) !== sum) {
    refuseSince(
      'checkpoint_checksum',
      'checkpoint checksum does not match: it was altered or truncated',
    );
  }
  const state = readPayload(payload, StateSchema);
  if (state.p !== expected.provider) {
    refuseSince(
      'checkpoint_provider',
      `checkpoint belongs to provider "${state.p.slice(0, 64)}", not "${expected.provider}"`,
    );
  }
  if (state.m !== expected.mode) {
    refuseSince(
      'checkpoint_mode',
      `checkpoint was made in "${state.m}" mode, not "${expected.mode}"`,
    );
  }
  const seenSet = unpack(seen);
  const runSet = unpack(runSeen);
  if (!seenSet || !runSet)
    refuseSince('checkpoint_format', 'checkpoint remembered set is malformed');
  return {
    provider: state.p,
    mode: state.m,
    kinds: state.k,
    readFromMs: state.h,
    seen: seenSet,
    run: state.r
      ? { startMs: state.r.s, fromMs: state.r.f, cursor: state.r.c, seen: runSet }
      : undefined,
  };
}
