import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as incrementalSync } from '../incremental-sync';
import { DAY, type Sandbox, startExampleSandbox } from '../lib/sandbox';

let sandbox: Sandbox;
const lines: string[] = [];

beforeAll(async () => {
  sandbox = await startExampleSandbox();
});
afterAll(() => sandbox.close());

describe('examples/incremental-sync.ts', () => {
  it('the second run catches an edit to a 90-day-old engagement; the webhook receiver the deletion', async () => {
    const r = await incrementalSync({ sandbox, log: (line) => void lines.push(line) });
    expect(r.first.length).toBeGreaterThan(100);
    expect(new Set(r.first.map((c) => c.id)).size).toBe(r.first.length);
    expect(new Set(r.first.map((c) => c.provider))).toEqual(
      new Set(['devrev', 'zoom-contact-center', 'truto']),
    );
    expect(r.first.every((c) => c.type === 'upsert' && c.source === 'feed')).toBe(true);

    // The edit: an engagement that happened more than 90 days ago, found by its modified time.
    expect(Date.parse(r.edited.occurredAt)).toBeLessThan(Date.now() - 90 * DAY);
    const edit = r.second.find((c) => c.id === r.edited.id);
    expect(edit?.type).toBe('upsert');
    expect(edit?.engagement?.subject).toBe('Edited 90 days later');
    expect(r.store.get(r.edited.id)?.subject).toBe('Edited 90 days later');
    // DevRev and Truto changed nothing else (Zoom's window may re-deliver what progressed).
    expect(r.second.filter((c) => c.provider !== 'zoom-contact-center').map((c) => c.id)).toEqual([
      r.edited.id,
    ]);

    // The deletion: no feed shows it; the sandbox's signed webhook did, through the receiver.
    expect(r.first.some((c) => c.id === r.deleted.id)).toBe(true);
    expect(r.second.some((c) => c.id === r.deleted.id)).toBe(false);
    expect(r.store.has(r.deleted.id)).toBe(false);
    expect(lines[2]).toBe(`deleted by webhook: ${r.deleted.id} (in the store: false)`);
  });
});
