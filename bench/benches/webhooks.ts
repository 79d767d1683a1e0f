/**
 * Webhook cost: per event, each adapter's webhook source verifying (constant-time HMAC on the raw
 * bytes, JSON parse, event id/time) and mapping it (`toChanges`, no hydration), as a multiple of
 * the floor every receiver pays: `JSON.parse` of the same body plus one HMAC-SHA256 of it.
 * Target ≤ 2×.
 *
 * Bodies are realistic single events: a DevRev `conversation_updated` carrying a conversation, a
 * Zoom `contact_center.engagement_started`, a Truto `record:updated` of `crm/engagements` carrying
 * the unified record. Each run alternates the two in batches of 100 events (`--batch`), in
 * rotating order, and sums each side, so both meet the same machine conditions; each ratio is the
 * median of the per-run ratios. Everything is timed twice: wall clock, and this process's CPU time
 * (`process.cpuUsage`, user + system, GC threads included). On a shared machine the wall clock also
 * counts the time other processes held the core, which lands on batches at random; CPU time does
 * not. The load average is recorded before and after.
 */
import { createHmac } from 'node:crypto';
import { loadavg } from 'node:os';
import type { WebhookSource } from '@engagekit/core';
import { createDevRevWebhookSource } from '@engagekit/devrev';
import { createTrutoWebhookSource } from '@engagekit/truto';
import { createZoomWebhookSource } from '@engagekit/zoom-contact-center';
import { flag, median, printTable, writeResult } from '../lib';

const COUNT = flag('count', 2000);
const RUNS = flag('runs', 21);
const BATCH = flag('batch', 100);
const SECRET = 'bench-webhook-secret-0123456789';
const NOW_MS = Date.parse('2026-11-30T12:00:00.000Z');
const ORG = 'don:core:dvrv-us-1:devo/1';
const user = (n: number) => ({
  type: 'dev_user',
  id: `don:identity:dvrv-us-1:devo/1:devu/${n}`,
  display_name: `User ${n}`,
  email: `user${n}@example.com`,
});

/** One signed webhook request. */
interface SignedRequest {
  body: Uint8Array;
  headers: Headers;
}

interface Vendor {
  name: string;
  source: WebhookSource;
  /** The signed request of event `i`. */
  request(i: number): SignedRequest;
}

const hex = (body: string | Buffer) => createHmac('sha256', SECRET).update(body).digest('hex');

const vendors: Vendor[] = [
  {
    name: 'devrev',
    source: createDevRevWebhookSource({ secret: SECRET }),
    request(i) {
      const body = JSON.stringify({
        id: `don:integration:dvrv-us-1:devo/1:webhook/9:event/${i}`,
        webhook_id: 'don:integration:dvrv-us-1:devo/1:webhook/9',
        timestamp: '2026-11-30T11:59:58.000Z',
        type: 'conversation_updated',
        conversation_updated: {
          conversation: {
            id: `${ORG}:conversation/${i}`,
            display_id: `CONV-${i}`,
            created_by: user(1),
            created_date: '2026-11-30T10:00:00Z',
            modified_date: '2026-11-30T11:59:58Z',
            title: `Conversation ${i}`,
            description: 'Customer cannot log in',
            members: [user(1), user(2)],
            owned_by: [user(2)],
            group: { id: `${ORG}:group/2`, display_id: 'GRP-2', name: 'Support' },
            source_channel: 'plug',
            stage: { name: 'waiting_on_user' },
            tags: [{ tag: { id: `${ORG}:tag/4`, name: 'login' } }],
          },
          old_conversation: { id: `${ORG}:conversation/${i}` },
        },
      });
      return {
        body: Buffer.from(body),
        headers: new Headers({ 'x-devrev-signature': hex(body) }),
      };
    },
  },
  {
    name: 'zoom-contact-center',
    source: createZoomWebhookSource({ secretToken: SECRET }),
    request(i) {
      const body = JSON.stringify({
        event: 'contact_center.engagement_started',
        event_ts: NOW_MS - 1000,
        payload: {
          account_id: 'acc-1',
          object: {
            engagement_id: `eng-${i}`,
            channel: 'voice',
            channel_source: 'web_video',
            direction: 'inbound',
            start_time: '2026-11-30T11:59:59Z',
            consumer_number: '+14155550100',
            flow_id: 'flow-1',
            flow_name: 'Support',
          },
        },
      });
      const timestamp = String(Math.floor(NOW_MS / 1000));
      return {
        body: Buffer.from(body),
        headers: new Headers({
          'x-zm-signature': `v0=${hex(`v0:${timestamp}:${body}`)}`,
          'x-zm-request-timestamp': timestamp,
        }),
      };
    },
  },
  {
    name: 'truto',
    source: createTrutoWebhookSource({ secret: SECRET }),
    request(i) {
      const body = JSON.stringify({
        id: `evt-${i}`,
        event: 'record:updated',
        payload: {
          resource: 'crm/engagements',
          method: 'update',
          integrated_account_id: '62f44730-dd91-461e-bd6a-aedd9e0ad79d',
          record: {
            id: String(1000 + i),
            engagement_type: 'call',
            subject: `Call ${i}`,
            content: 'Talked about pricing.',
            direction: 'INCOMING',
            start_time: '2026-11-30T11:00:00.000Z',
            end_time: '2026-11-30T11:30:00.000Z',
            duration: '1800',
            owner: { id: 'u-1' },
            contacts: [{ id: 'c-1' }, { id: 'c-2' }],
            created_at: '2026-11-30T10:55:00.000Z',
            updated_at: '2026-11-30T11:59:58.000Z',
            remote_data: { id: String(9000 + i), properties: { hs_call_duration: '1800000' } },
          },
        },
        environment_id: 'ac15abdc-b38e-47d0-97a2-69194017c177',
        webhook_id: 'b6d29b9b-3d9d-44fd-aa77-512fd83b28c1',
        created_at: '2026-11-30T11:59:58.000Z',
      });
      return {
        body: Buffer.from(body),
        headers: new Headers({ 'x-truto-signature': `format=sha256,v=${hex(body)}` }),
      };
    },
  },
];

let sink = 0;

/** Wall and CPU milliseconds of one run. */
interface Timing {
  wall: number;
  cpu: number;
}
function clock(): Timing {
  const { user, system } = process.cpuUsage();
  return { wall: performance.now(), cpu: (user + system) / 1000 };
}
function since(start: Timing, total: Timing): void {
  const end = clock();
  total.wall += end.wall - start.wall;
  total.cpu += end.cpu - start.cpu;
}

function floorBatch(requests: SignedRequest[], from: number, to: number, total: Timing): void {
  const started = clock();
  for (let i = from; i < to; i++) {
    const { body } = requests[i] as SignedRequest;
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as object;
    const mac = createHmac('sha256', SECRET).update(body).digest();
    sink += Object.keys(parsed).length + (mac[0] as number);
  }
  since(started, total);
}

async function sourceBatch(
  source: WebhookSource,
  requests: SignedRequest[],
  from: number,
  to: number,
  total: Timing,
): Promise<void> {
  const started = clock();
  for (let i = from; i < to; i++) {
    const { body, headers } = requests[i] as SignedRequest;
    const result = source.verify(body, headers, NOW_MS);
    if (result.kind !== 'event') throw new Error('expected an event');
    const { changes } = await source.toChanges(result.event);
    if (changes.length !== 1) throw new Error(`expected one change, got ${changes.length}`);
    sink += changes.length;
  }
  since(started, total);
}

/** One run over all requests: floor and source alternate batch by batch, starting with `first`. */
async function run(
  source: WebhookSource,
  requests: SignedRequest[],
  first: 'floor' | 'source',
): Promise<{ floor: Timing; source: Timing }> {
  const floor = { wall: 0, cpu: 0 };
  const mapped = { wall: 0, cpu: 0 };
  for (let from = 0, b = 0; from < requests.length; from += BATCH, b++) {
    const to = Math.min(from + BATCH, requests.length);
    if ((b % 2 === 0) === (first === 'floor')) {
      floorBatch(requests, from, to, floor);
      await sourceBatch(source, requests, from, to, mapped);
    } else {
      await sourceBatch(source, requests, from, to, mapped);
      floorBatch(requests, from, to, floor);
    }
  }
  return { floor, source: mapped };
}

const perEventUs = (runs: Timing[], key: keyof Timing) =>
  (median(runs.map((r) => r[key])) / COUNT) * 1000;
const ratioOf = (source: Timing[], floor: Timing[], key: keyof Timing) =>
  median(source.map((s, i) => s[key] / (floor[i] as Timing)[key]));

const loadBefore = loadavg();
const rows: (string | number)[][] = [];
const results: Record<string, unknown> = {};
for (const vendor of vendors) {
  const requests = Array.from({ length: COUNT }, (_, i) => vendor.request(i));
  const floor: Timing[] = [];
  const source: Timing[] = [];
  // Warm-up runs, not counted.
  for (let i = 0; i < 3; i++) await run(vendor.source, requests, 'floor');
  for (let r = 0; r < RUNS; r++) {
    const timed = await run(vendor.source, requests, r % 2 === 0 ? 'floor' : 'source');
    floor.push(timed.floor);
    source.push(timed.source);
  }
  const wallRatio = ratioOf(source, floor, 'wall');
  const cpuRatio = ratioOf(source, floor, 'cpu');
  const bytes = median(requests.map((r) => r.body.byteLength));
  const met = wallRatio <= 2 && cpuRatio <= 2;
  rows.push([
    vendor.name,
    bytes,
    perEventUs(floor, 'wall'),
    perEventUs(source, 'wall'),
    wallRatio,
    perEventUs(floor, 'cpu'),
    perEventUs(source, 'cpu'),
    cpuRatio,
    met ? 'yes' : 'NO',
  ]);
  results[vendor.name] = {
    bodyBytes: bytes,
    runs: {
      floorWallMs: floor.map((r) => r.wall),
      sourceWallMs: source.map((r) => r.wall),
      floorCpuMs: floor.map((r) => r.cpu),
      sourceCpuMs: source.map((r) => r.cpu),
    },
    medians: {
      perEventFloorUs: perEventUs(floor, 'wall'),
      perEventSourceUs: perEventUs(source, 'wall'),
      perEventFloorCpuUs: perEventUs(floor, 'cpu'),
      perEventSourceCpuUs: perEventUs(source, 'cpu'),
    },
    ratio: wallRatio,
    cpuRatio,
    target: 2,
    met,
  };
}
const loadAfter = loadavg();

printTable(
  `Webhook verify+map per event vs JSON.parse + one HMAC (median of ${RUNS} runs of ${COUNT} events, interleaved in batches of ${BATCH})`,
  [
    'vendor',
    'body bytes',
    'floor µs/event',
    'verify+map µs/event',
    'ratio',
    'floor CPU µs',
    'verify+map CPU µs',
    'CPU ratio',
    '≤ 2×',
  ],
  rows,
);
const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
console.log(
  `load average before ${load(loadBefore)}, after ${load(loadAfter)} (sink ${sink % 10})`,
);
console.log(
  writeResult('webhooks', {
    count: COUNT,
    runs: RUNS,
    batch: BATCH,
    loadAverage: { before: loadBefore, after: loadAfter },
    vendors: results,
  }),
);
