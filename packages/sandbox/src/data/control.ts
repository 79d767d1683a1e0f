import { createHash } from 'node:crypto';
import type { VendorName } from '../types';
import type { DevRevVendor } from '../vendors/devrev';
import type { TrutoVendor } from '../vendors/truto';
import type { ZoomVendor } from '../vendors/zoom';
import { emitChange } from '../webhooks/hub';
import type { Collection } from './collection';
import { devrevEngagementId, devrevUser } from './devrev';
import { zoomAgents, zoomQueues } from './zoom';

/** A record as the vendor's wire format has it (field names and values as the API returns them). */
export type WireRecord = Record<string, unknown>;

/** A time as the test-control API takes it: a `Date`, epoch milliseconds or an ISO-8601 string. */
export type TimeInput = Date | number | string;

/** Thrown by the test-control API for an unknown id or a field the vendor sets itself. */
export class SandboxDataError extends Error {
  override readonly name = 'SandboxDataError';
}

/**
 * One resource's records, for tests that need the vendor to change between runs without going
 * through an adapter: edits, late inserts (an occurred/start time in the past, created now) and
 * deletions. Every write stamps the vendor's own modified time (DevRev `modified_date`, Truto
 * `updated_at`) with the sandbox clock, strictly increasing, as the vendor's API would; Zoom has no
 * modified time. Writes are reported to the sandbox's webhooks like API writes (as the record
 * is listed, so a Zoom engagement that is still running has no end yet).
 */
export interface SandboxRecords {
  /** Ids of every current record, in the listing's natural order (creation or start time); O(records). */
  ids(): string[];
  /** The record as the vendor's list endpoint shows it now (UTC, no schema drift), if it exists. */
  get(id: string): WireRecord | undefined;
  /**
   * Shallow-merges wire fields into the record (`undefined` removes a field; time fields also take
   * a `Date` or epoch ms) and stamps its modified time. Returns the record as listed.
   * @throws SandboxDataError for an unknown id, or a patch of the id or of the modified time.
   */
  update(id: string, patch: WireRecord): WireRecord;
  /**
   * Adds a record: the given wire fields over complete defaults, with a new id and the creation and
   * modified times of now. Give a past occurred/start time for a late insert. Returns it as listed.
   * @throws SandboxDataError when the fields carry an id or the modified time.
   */
  insert(fields?: WireRecord): WireRecord;
  /** Deletes the record. @throws SandboxDataError for an unknown id. */
  delete(id: string): void;
  /** Every current record: id → {@link recordFingerprint} of the record as listed now. */
  snapshot(): Map<string, string>;
}

/**
 * The sandbox's test-control API (`sandbox.data`): reads and writes the emulated vendors' records
 * directly. `reset()` undoes every write.
 */
export interface SandboxData {
  devrev: { engagements: SandboxRecords; conversations: SandboxRecords };
  zoom: { engagements: SandboxRecords };
  truto: { engagements: SandboxRecords };
  /** Ids of a vendor's current engagements (DevRev conversations: `devrev.conversations.ids()`). */
  ids(vendor: VendorName): string[];
  /** A vendor's current engagements, id → fingerprint (see {@link SandboxRecords.snapshot}). */
  snapshot(vendor: VendorName): Map<string, string>;
}

/**
 * A stable digest of a record's content: SHA-256 (hex) of its JSON with object keys sorted at
 * every level. Hash an adapter's `engagement.raw` with it to compare what a feed delivered with
 * {@link SandboxRecords.snapshot}.
 */
export function recordFingerprint(record: unknown): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as WireRecord)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function toMs(value: TimeInput, field: string): number {
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new SandboxDataError(`${field}: not a time: ${String(value)}`);
  return ms;
}

/** How one resource stores and shows its records. */
interface ResourceSpec {
  /** The emulator that reports the writes (see webhooks/hub). */
  owner: object;
  vendor: VendorName;
  object: 'engagement' | 'conversation';
  collection: Collection<WireRecord, unknown>;
  ordering: string;
  idField: string;
  /** Fields the vendor sets itself: a patch or insert carrying them is refused. */
  managed: readonly string[];
  /** Time fields and how they are stored. */
  times: Record<string, 'iso' | 'ms'>;
  /** The record as listed at `now`. */
  view(record: WireRecord, now: number): WireRecord;
  /** Stamps a write made at `now` (modified time, modified_by…). */
  stamp(record: WireRecord, now: number): void;
  /** The creation-time field an insert copies from the stamped modified time, unless given. */
  created?: { field: string; from: string };
  /** A complete new record at `now` (id included), before the caller's fields. */
  defaults(now: number): WireRecord;
  /** Lets the emulator catch up with the clock before a call (Zoom: engagements that ended). */
  touch?(now: number): void;
  /** Tells the emulator about a stored write (Zoom: a running engagement to watch). */
  written?(record: WireRecord): void;
  /** Fields derived from others (e.g. Zoom's end_time), recomputed after a write. */
  derive?(record: WireRecord, fields: WireRecord): void;
}

function records(spec: ResourceSpec, clock: () => number): SandboxRecords {
  const { collection } = spec;
  const normalise = (fields: WireRecord, what: string): WireRecord => {
    const out: WireRecord = {};
    for (const [key, value] of Object.entries(fields)) {
      if (key === spec.idField || spec.managed.includes(key))
        throw new SandboxDataError(`${what}: ${key} is set by the vendor`);
      const kind = spec.times[key];
      if (kind && value !== undefined && value !== null) {
        const ms = toMs(value as TimeInput, key);
        out[key] = kind === 'ms' ? ms : new Date(ms).toISOString();
      } else out[key] = value;
    }
    return out;
  };
  const report = (
    action: 'created' | 'updated' | 'deleted',
    record: WireRecord,
    previous?: WireRecord,
  ) =>
    emitChange(spec.owner, { vendor: spec.vendor, object: spec.object, action, record, previous });
  const write = (record: WireRecord, fields: WireRecord, now: number, previous?: WireRecord) => {
    const inserting = previous === undefined;
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) delete record[key];
      else record[key] = value;
    }
    spec.derive?.(record, fields);
    spec.stamp(record, now);
    if (inserting && spec.created && fields[spec.created.field] === undefined)
      record[spec.created.field] = record[spec.created.from];
    collection.put(record);
    spec.written?.(record);
    const listed = spec.view(record, now);
    if (previous) report('updated', structuredClone(listed), previous);
    else report('created', structuredClone(listed));
    return listed;
  };
  const now = () => {
    const at = clock();
    spec.touch?.(at);
    return at;
  };
  const existing = (id: string) => {
    const record = collection.get(id);
    if (!record) throw new SandboxDataError(`no record ${id}`);
    return record;
  };
  return {
    ids: () => [...collection.scan(spec.ordering, 1)].map((e) => e.pos.id),
    get: (id) => {
      const at = now();
      const record = collection.get(id);
      return record ? spec.view(record, at) : undefined;
    },
    update: (id, patch) => {
      const fields = normalise(patch, 'update');
      const at = now();
      const current = existing(id);
      return write(structuredClone(current), fields, at, spec.view(current, at));
    },
    insert: (fields = {}) => {
      const given = normalise(fields, 'insert');
      const at = now();
      return write(spec.defaults(at), given, at);
    },
    delete: (id) => {
      const at = now();
      const current = existing(id);
      collection.delete(id);
      report('deleted', spec.view(current, at));
    },
    snapshot: () => {
      const at = now();
      const out = new Map<string, string>();
      for (const e of collection.scan(spec.ordering, 1))
        out.set(e.pos.id, recordFingerprint(spec.view(collection.materialize(e), at)));
      return out;
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const same = (record: WireRecord) => structuredClone(record);

/** Builds `sandbox.data` over the running vendors. */
export function createSandboxData(
  vendors: { devrev: DevRevVendor; zoom: ZoomVendor; truto: TrutoVendor },
  clock: () => number,
  seed: number,
): SandboxData {
  const { devrev, zoom, truto } = vendors;
  const devrevStamp = (record: WireRecord, now: number) => {
    record.modified_date = iso(devrev.stamps.next(now));
    record.modified_by = devrevUser(seed, 0);
  };
  const agent = zoomAgents(seed)[0];
  const queue = zoomQueues(seed)[0];
  const data = {
    devrev: {
      engagements: records(
        {
          owner: devrev,
          vendor: 'devrev',
          object: 'engagement',
          collection: devrev.engagements as Collection<WireRecord, unknown>,
          ordering: 'created_date',
          idField: 'id',
          managed: ['display_id', 'modified_date'],
          times: { created_date: 'iso', scheduled_date: 'iso' },
          view: same,
          stamp: devrevStamp,
          created: { field: 'created_date', from: 'modified_date' },
          defaults: () => {
            const index = devrev.newEngagementIndex();
            return {
              id: devrevEngagementId(index),
              display_id: `ENG-${index + 1}`,
              created_by: devrevUser(seed, 0),
              title: 'Sandbox engagement',
              engagement_type: 'call',
              members: [devrevUser(seed, 0)],
            };
          },
        },
        clock,
      ),
      conversations: records(
        {
          owner: devrev,
          vendor: 'devrev',
          object: 'conversation',
          collection: devrev.conversations as Collection<WireRecord, unknown>,
          ordering: 'created_date',
          idField: 'id',
          managed: ['display_id', 'modified_date'],
          times: { created_date: 'iso', actual_close_date: 'iso' },
          view: same,
          stamp: devrevStamp,
          created: { field: 'created_date', from: 'modified_date' },
          defaults: () => {
            const id = devrev.newConversationId();
            return {
              id,
              display_id: `CONV-${Number.parseInt(id.slice(-8), 36) + 1}`,
              created_by: devrevUser(seed, 0),
              members: [devrevUser(seed, 0)],
              owned_by: [devrevUser(seed, 0)],
              title: 'Sandbox conversation',
              source_channel: 'plug',
              stage: { name: 'waiting_on_user' },
            };
          },
        },
        clock,
      ),
    },
    zoom: {
      engagements: records(
        {
          owner: zoom,
          vendor: 'zoom',
          object: 'engagement',
          collection: zoom.engagements as Collection<WireRecord, unknown>,
          ordering: 'start_time',
          idField: 'engagement_id',
          managed: [],
          times: { start_time: 'ms', end_time: 'ms' },
          view: (record, now) => zoom.listView(record, now),
          touch: (now) => zoom.progress.advance(now),
          written: (record) => zoom.progress.track(record),
          // Zoom keeps no modified time; a note written now is stamped with the clock.
          stamp: (record, now) => {
            if (!Array.isArray(record.notes)) return;
            for (const note of record.notes as WireRecord[])
              if (note.last_modified_time === undefined) note.last_modified_time = now;
              else note.last_modified_time = toMs(note.last_modified_time as TimeInput, 'note');
          },
          defaults: (now) => ({
            engagement_id: zoom.newEngagementId(),
            start_time: Math.floor((now - 600_000) / 1000) * 1000,
            channels: [{ channel: 'voice' }],
            direction: 'inbound',
            duration: 300,
            consumers: [
              {
                consumer_id: 'sandbox-consumer',
                consumer_display_name: 'Sandbox Consumer',
                consumer_number: '+15550100000',
              },
            ],
            queues: queue ? [queue] : [],
            agents: agent ? [agent] : [],
          }),
          // end_time follows a written start_time or duration; a written end_time sets the
          // duration (unless given too); removing both leaves an engagement that never ends.
          derive: (record, fields) => {
            const start = record.start_time as number;
            const touches = (key: string) => Object.hasOwn(fields, key);
            if (touches('end_time')) {
              if (!touches('duration') && typeof record.end_time === 'number')
                record.duration = Math.round((record.end_time - start) / 1000);
            } else if (
              (touches('start_time') || touches('duration') || record.end_time === undefined) &&
              typeof record.duration === 'number'
            ) {
              record.end_time = start + record.duration * 1000;
            }
          },
        },
        clock,
      ),
    },
    truto: {
      engagements: records(
        {
          owner: truto,
          vendor: 'truto',
          object: 'engagement',
          collection: truto.engagements as Collection<WireRecord, unknown>,
          ordering: 'start_time',
          idField: 'id',
          managed: ['updated_at'],
          times: { start_time: 'iso', end_time: 'iso', created_at: 'iso' },
          view: same,
          stamp: (record, now) => {
            record.updated_at = iso(truto.stamps.next(now));
          },
          created: { field: 'created_at', from: 'updated_at' },
          defaults: (now) => {
            const id = truto.newEngagementId();
            return {
              id,
              engagement_type: 'call',
              subject: 'Sandbox engagement',
              start_time: iso(now),
              contact: [],
              custom_fields: {},
              remote_data: { id, created_via: 'engagekit-sandbox' },
            };
          },
        },
        clock,
      ),
    },
  };
  return {
    ...data,
    ids: (vendor) => data[vendor].engagements.ids(),
    snapshot: (vendor) => data[vendor].engagements.snapshot(),
  };
}
