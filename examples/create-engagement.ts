/**
 * Create an engagement: through one adapter, or routed by the multi-provider client. Inputs are
 * validated before any request (`InputValidationError`), and a vendor without writes (Zoom Contact
 * Center is read-only) says so with a `CapabilityError`.
 * Run: npx tsx examples/create-engagement.ts
 */
import { CapabilityError, createEngagementsClient, InputValidationError } from '@engagekit/core';
import {
  type ExampleOptions,
  isMain,
  SANDBOX_NOW,
  sandboxAdapters,
  withSandbox,
} from './lib/sandbox';

export async function main({ sandbox, log = console.log }: ExampleOptions = {}) {
  return withSandbox(sandbox, async (sb) => {
    const { devrev, zoom, truto } = sandboxAdapters(sb);
    const client = createEngagementsClient({ adapters: [devrev, zoom, truto] });
    const occurredAt = new Date(SANDBOX_NOW.getTime() - 2 * 3_600_000);

    // DevRev requires a title, members and scheduled_date: take a member from an existing engagement.
    const sample = await devrev.engagements.list({ pageSize: 1 }).firstPage();
    const member = sample.items[0]?.participants.find((p) => p.id)?.id ?? '';
    const call = await client.engagements.create('devrev', {
      kind: 'call',
      subject: 'Renewal call with Acme Corp',
      body: 'Agreed on a 2-year renewal.',
      occurredAt,
      participantIds: [member],
    });
    log(`created ${call.id} (${call.kind}, ${call.occurredAt})`);

    // Read it back by its unified id.
    const fetched = await client.engagements.get(call.id);
    log(`read back: "${fetched.subject}" with ${fetched.participants.length} participant(s)`);

    // Truto writes into whichever CRM the integrated account connects.
    const email = await truto.engagements.create({
      kind: 'email',
      subject: 'Follow-up: renewal terms',
      direction: 'outbound',
      occurredAt,
    });
    log(`created ${email.id} (${email.kind})`);

    // What cannot work fails early and says why.
    const refused: string[] = [];
    try {
      await client.engagements.create('zoom-contact-center', { kind: 'call', occurredAt });
    } catch (error) {
      if (error instanceof CapabilityError) refused.push(`CapabilityError: ${error.message}`);
    }
    try {
      await devrev.engagements.create({ kind: 'call', subject: 'no members, no date' });
    } catch (error) {
      if (error instanceof InputValidationError)
        refused.push(`InputValidationError: ${error.message}`);
    }
    for (const r of refused) log(r);
    return { call, fetched, email, refused };
  });
}

if (isMain(import.meta.url)) await main();
