/**
 * Webhook cost: per event, each adapter's webhook source verifying (constant-time HMAC on the raw
 * bytes, JSON parse, event id/time) and mapping it (`toChanges`, no hydration), as a multiple of
 * the floor every receiver pays: `JSON.parse` of the same body plus one HMAC-SHA256 of it.
 * Target ≤ 2×.
 *
 * Bodies are realistic single events: a DevRev `conversation_updated` carrying a conversation, a
 * Zoom `contact_center.engagement_started`, a Truto `record:updated` of `crm/engagements` carrying
 * the unified record. Runs are interleaved, in rotating order, and the ratio is the median of the
 * per-run ratios.
 */
import { createHmac } from 'node:crypto';
import type { WebhookSource } from '@engagekit/core';
import { createDevRevWebhookSource } from '@engagekit/devrev';
import { createTrutoWebhookSource } from '@engagekit/truto';
import { createZoomWebhookSource } from '@engagekit/zoom-contact-center';
import { flag, median, printTable, writeResult } from '../lib';

const COUNT = flag('count', 2000);
const RUNS = flag('runs', 15);
const SECRET = 'bench-webhook-secret-0123456789';
const NOW_MS = Date.parse('2026-11-30T12:00:00.000Z');
const ORG = 'don:core:dvrv-us-1:devo/1';
const user = (n: number) => ({
  type: 'dev_user',
  id: `don:identity:dvrv-us-1:devo/1:devu/${n}`,
  display_name: `User ${n}`,
  email: `user${n}@example.com`,
});

interface Vendor {
  name: string;
  source: WebhookSource;
  /** The signed request of event `i`. */
  request(i: number): { body: Uint8Array; headers: Headers };
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

function floorRun(requests: { body: Uint8Array }[]): number {
  const started = performance.now();
  for (const { body } of requests) {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as object;
    const mac = createHmac('sha256', SECRET).update(body).digest();
    sink += Object.keys(parsed).length + (mac[0] as number);
  }
  return performance.now() - started;
}

async function sourceRun(
  source: WebhookSource,
  requests: { body: Uint8Array; headers: Headers }[],
): Promise<number> {
  const started = performance.now();
  for (const { body, headers } of requests) {
    const result = source.verify(body, headers, NOW_MS);
    if (result.kind !== 'event') throw new Error('expected an event');
    const { changes } = await source.toChanges(result.event);
    if (changes.length !== 1) throw new Error(`expected one change, got ${changes.length}`);
    sink += changes.length;
  }
  return performance.now() - started;
}

const rows: (string | number)[][] = [];
const results: Record<string, unknown> = {};
for (const vendor of vendors) {
  const requests = Array.from({ length: COUNT }, (_, i) => vendor.request(i));
  const floorMs: number[] = [];
  const sourceMs: number[] = [];
  // Warm-up run, not counted.
  floorRun(requests);
  await sourceRun(vendor.source, requests);
  for (let run = 0; run < RUNS; run++) {
    if (run % 2 === 0) {
      floorMs.push(floorRun(requests));
      sourceMs.push(await sourceRun(vendor.source, requests));
    } else {
      sourceMs.push(await sourceRun(vendor.source, requests));
      floorMs.push(floorRun(requests));
    }
  }
  const ratio = median(sourceMs.map((s, i) => s / (floorMs[i] as number)));
  const bytes = median(requests.map((r) => r.body.byteLength));
  const perEventFloorUs = (median(floorMs) / COUNT) * 1000;
  const perEventSourceUs = (median(sourceMs) / COUNT) * 1000;
  rows.push([
    vendor.name,
    bytes,
    perEventFloorUs,
    perEventSourceUs,
    ratio,
    ratio <= 2 ? 'yes' : 'NO',
  ]);
  results[vendor.name] = {
    bodyBytes: bytes,
    runs: { floorMs, sourceMs },
    medians: { perEventFloorUs, perEventSourceUs },
    ratio,
    target: 2,
    met: ratio <= 2,
  };
}

printTable(
  `Webhook verify+map per event vs JSON.parse + one HMAC (median of ${RUNS} interleaved runs of ${COUNT} events)`,
  ['vendor', 'body bytes', 'floor µs/event', 'verify+map µs/event', 'ratio', '≤ 2×'],
  rows,
);
console.log(`(sink ${sink % 10})`);
console.log(writeResult('webhooks', { count: COUNT, runs: RUNS, vendors: results }));
