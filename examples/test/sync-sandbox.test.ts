import { createEngagementsClient } from '@engagekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, sandboxAdapters, startExampleSandbox } from '../lib/sandbox';
import { main as syncSandbox } from '../sync-sandbox';

let sandbox: Sandbox;
const lines: string[] = [];

beforeAll(async () => {
  sandbox = await startExampleSandbox();
});
afterAll(() => sandbox.close());

describe('examples/sync-sandbox.ts', () => {
  it('the SQL counts per provider and kind equal the counts of listing the sandbox', async () => {
    const r = await syncSandbox({ sandbox, log: (line) => void lines.push(line) });

    // The same span, listed without the database.
    const { devrev, zoom, truto } = sandboxAdapters(sandbox);
    const client = createEngagementsClient({ adapters: [devrev, zoom, truto] });
    const listed = new Map<string, number>();
    let total = 0;
    for await (const e of client.engagements.list({ from: r.from, to: new Date() })) {
      const key = `${e.provider}/${e.kind}`;
      listed.set(key, (listed.get(key) ?? 0) + 1);
      total++;
    }
    const counted = new Map(r.rows.map((row) => [`${row.provider}/${row.kind}`, row.n]));
    expect(counted).toEqual(listed);
    expect(new Set(r.rows.map((row) => row.provider))).toEqual(
      new Set(['devrev', 'zoom-contact-center', 'truto']),
    );
    expect(r.stats.upserted).toBe(total);
    expect(total).toBeGreaterThan(500);
    expect(lines[0]).toMatch(new RegExp(`^synced ${total} engagements in [0-9.]+ s$`));
    expect(lines.length).toBe(1 + r.rows.length);
  }, 180_000);
});
