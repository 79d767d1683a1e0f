/**
 * Incremental sync: keep your own store in step with the vendors, run after run.
 *
 * `client.engagements.changes({ since })` gives what changed since the checkpoint the previous run
 * saved: new engagements, late-logged ones, edits to engagements of any age where the vendor has a
 * modified time (DevRev; Truto where the CRM has `updated_at`), Zoom engagements that change while
 * they run. No list API shows deletions, so a webhook receiver applies those to the same store.
 * Both give `EngagementChange`s to upsert or delete by id: a change that comes twice (only at a
 * resume boundary, or a redelivered webhook) is harmless. See docs/change-tracking.md.
 * Run: npx tsx examples/incremental-sync.ts
 */
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEngagementsClient,
  createWebhookReceiver,
  type Engagement,
  type EngagementChange,
  type EngagementsClient,
} from '@engagekit/core';
import { DAY, type ExampleOptions, isMain, sandboxAdapters, withSandbox } from './lib/sandbox';

/** Your database: engagements by id. */
type Store = Map<string, Engagement>;

function apply(store: Store, change: EngagementChange): void {
  if (change.type === 'delete') store.delete(change.id);
  else if (change.engagement) store.set(change.id, change.engagement); // webhooks may be partial
}

/** One run: the changes since the saved checkpoint, then the new checkpoint saved. */
export async function syncOnce(client: EngagementsClient, checkpointFile: string, store: Store) {
  const saved = await readFile(checkpointFile, 'utf8').catch(() => undefined);
  const feed = client.engagements.changes({ since: saved ?? new Date(Date.now() - 365 * DAY) });
  const changes: EngagementChange[] = [];
  try {
    for await (const change of feed) {
      apply(store, change);
      changes.push(change);
    }
  } finally {
    // Valid wherever the run stopped: a failed run resumes from here, losing nothing.
    await writeFile(checkpointFile, feed.checkpoint);
  }
  return changes;
}

export async function main({ sandbox, log = console.log }: ExampleOptions = {}) {
  return withSandbox(sandbox, async (sb) => {
    const { devrev, zoom, truto } = sandboxAdapters(sb);
    const client = createEngagementsClient({ adapters: [devrev, zoom, truto] });
    const store: Store = new Map();
    const checkpointFile = join(await mkdtemp(join(tmpdir(), 'engagekit-sync-')), 'checkpoint');

    // Deletions come by webhook. With real vendors the secret is the one they gave you.
    const secret = 'example-truto-webhook-secret';
    const receiver = createWebhookReceiver({
      sources: [truto.webhooks({ secret })],
      onChange: (changes) => {
        for (const change of changes) apply(store, change);
      },
    });
    const server = createServer(receiver.nodeListener).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const subscription = await sb.webhooks.subscribe({ provider: 'truto', url, secret });

    try {
      const first = await syncOnce(client, checkpointFile, store);
      log(`run 1: ${first.length} changes, the store holds ${store.size} engagements`);

      // Meanwhile: someone edits a call from 90 days ago, and deletes an engagement in the CRM.
      const old = [...store.values()].find(
        (e) => e.provider === 'devrev' && Date.parse(e.occurredAt) < Date.now() - 90 * DAY,
      ) as Engagement;
      const edited = await devrev.engagements.update(old.id, { subject: 'Edited 90 days later' });
      const doomed = [...store.values()].find((e) => e.provider === 'truto') as Engagement;
      await truto.engagements.delete(doomed.id);
      await subscription.idle(); // only so the output is predictable: a live receiver just runs

      const second = await syncOnce(client, checkpointFile, store);
      log(`run 2: ${second.map((c) => `${c.id} "${c.engagement?.subject}"`).join(', ')}`);
      log(`deleted by webhook: ${doomed.id} (in the store: ${store.has(doomed.id)})`);
      return { first, second, edited, deleted: doomed, store };
    } finally {
      await subscription.close();
      server.close();
    }
  });
}

if (isMain(import.meta.url)) await main();
