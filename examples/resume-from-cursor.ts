/**
 * Resume tomorrow from a saved cursor. "Today" reads 40 engagements and saves the cursor (and the
 * params it belongs to: a cursor only resumes the listing it came from) to a file; "tomorrow" is a
 * fresh client, as in a new process, that reads the file and carries on: nothing twice, nothing
 * skipped. Run: npx tsx examples/resume-from-cursor.ts
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngagementsClient, type Engagement } from '@engagekit/core';
import {
  DAY,
  type ExampleOptions,
  isMain,
  SANDBOX_NOW,
  type Sandbox,
  sandboxAdapters,
  withSandbox,
} from './lib/sandbox';

interface SavedState {
  cursor: string;
  from: string;
  to: string;
}

const newClient = (sb: Sandbox) => {
  const { devrev, zoom, truto } = sandboxAdapters(sb);
  return createEngagementsClient({ adapters: [devrev, zoom, truto] });
};

/** Day 1: read `batch` engagements, then save where we stopped. */
async function today(sb: Sandbox, file: string, batch: number): Promise<Engagement[]> {
  const to = SANDBOX_NOW.toISOString();
  const from = new Date(SANDBOX_NOW.getTime() - 60 * DAY).toISOString();
  const listing = newClient(sb).engagements.list({ from, to });
  const read: Engagement[] = [];
  for await (const e of listing) {
    read.push(e);
    if (read.length === batch) break;
  }
  // `listing.cursor` resumes right after the last item we took, even mid-page.
  const state: SavedState = { cursor: listing.cursor ?? '', from, to };
  await writeFile(file, JSON.stringify(state));
  return read;
}

/** Day 2: a new client reads the file and goes on to the end. */
async function tomorrow(sb: Sandbox, file: string): Promise<Engagement[]> {
  const state = JSON.parse(await readFile(file, 'utf8')) as SavedState;
  const { from, to, cursor } = state;
  return newClient(sb).engagements.list({ from, to, cursor }).toArray();
}

export async function main({
  sandbox,
  log = console.log,
  file,
}: ExampleOptions & { file?: string } = {}) {
  return withSandbox(sandbox, async (sb) => {
    const path = file ?? join(await mkdtemp(join(tmpdir(), 'engagekit-')), 'cursor.json');
    const first = await today(sb, path, 40);
    log(`today: read ${first.length}, last ${first.at(-1)?.id}; cursor saved to ${path}`);
    const rest = await tomorrow(sb, path);
    log(`tomorrow: resumed with ${rest[0]?.id} and read ${rest.length} more`);
    return { first, rest, file: path };
  });
}

if (isMain(import.meta.url)) await main();
