import { RateLimitError } from '@engagekit/core';
import type { SyncWorkerEvent } from '@engagekit/sync/workers';
import { expect, it } from 'vitest';
import { workerEventLine } from '../src/commands/sync';

it("prints a shard-waiting event as the shard's wait for the shared rate limit, in whole seconds rounded up", () => {
  expect(
    workerEventLine({
      type: 'shard-waiting',
      stream: 'shard:zoom-contact-center:2026-01-01T00:00:00.000Z',
      waitMs: 2_001,
    }),
  ).toBe(
    "shard:zoom-contact-center:2026-01-01T00:00:00.000Z: the shared rate limit's next slot is 3 s away; waiting for it",
  );
});

it("prints the change feed's and the partition counts' waits for a slot the same way", () => {
  expect(workerEventLine({ type: 'changes-slot-waiting', provider: 'truto', waitMs: 400 })).toBe(
    "changes truto: the shared rate limit's next slot is 1 s away; waiting for it",
  );
  expect(workerEventLine({ type: 'partitions-waiting', provider: 'devrev', waitMs: 5_000 })).toBe(
    "devrev partition count: the shared rate limit's next slot is 5 s away; waiting for it",
  );
});

it('prints the other events it printed before, and nothing for the quiet ones', () => {
  const stats = { upserted: 3, deleted: 1, skipped: 2, checkpoint: undefined, durationMs: 5 };
  const refusal = new RateLimitError('devrev: no slot', { status: 429, provider: 'devrev' });
  const lines = (
    [
      {
        type: 'plan',
        created: true,
        plan: { from: '2026-01-01T00:00:00.000Z', shards: { devrev: 9, truto: 3 } },
      },
      { type: 'shard-done', stream: 'shard:truto:a', stats },
      { type: 'shard-failed', stream: 'shard:truto:a', error: refusal },
      { type: 'changes-done', provider: 'truto', stats },
      { type: 'partitions', provider: 'devrev', used: false, reason: 'devrev cannot count' },
      { type: 'partitions', provider: 'devrev', used: true },
      { type: 'shard-start', stream: 'shard:truto:a' },
      { type: 'changes-waiting', provider: 'truto', remaining: 2 },
      { type: 'error', error: new Error('connection lost') },
    ] as unknown as SyncWorkerEvent[]
  ).map(workerEventLine);
  expect(lines).toEqual([
    'planned a backfill of 12 shards from 2026-01-01T00:00:00.000Z',
    'shard:truto:a: upserted 3, skipped 2',
    'shard:truto:a: RateLimitError: devrev: no slot (pg-boss retries it)',
    'changes truto: upserted 3, deleted 1',
    'devrev: one backfill shard (devrev cannot count)',
    undefined,
    undefined,
    undefined,
    'Error: connection lost',
  ]);
});
