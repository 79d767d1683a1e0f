import {
  type CreateEngagementInput,
  createEngagementsClient,
  ENGAGEMENT_KINDS,
  InputValidationError,
} from '@engagekit/core';
import { Command, Option } from 'commander';
import { connect, parseWhen, withConnectionOptions } from '../context';
import { parseProviders } from '../credentials';
import { type CliIO, UsageError, writeOut } from '../io';

const collect = (value: string, previous: string[]) => [...previous, value];

/** The flag that sets each field of `CreateEngagementInput`. */
const FLAG_OF_FIELD: Record<string, string> = {
  kind: '--kind',
  subject: '--subject',
  body: '--body',
  direction: '--direction',
  occurredAt: '--occurred-at',
  durationSeconds: '--duration',
  participantIds: '--participant',
  accountIds: '--account',
};

/** An input error restated in the command's terms: `--participant`, not `participantIds`. */
export function inputErrorInFlags(error: InputValidationError): UsageError {
  const field = new RegExp(`\\b(${Object.keys(FLAG_OF_FIELD).join('|')})\\b`, 'g');
  const inFlags = (text: string) => text.replace(field, (f) => FLAG_OF_FIELD[f] ?? f);
  const issues = error.issues.map((i) => {
    const [head = '', ...rest] = i.path.split('.');
    const where = FLAG_OF_FIELD[head]
      ? `${FLAG_OF_FIELD[head]}${rest.length ? ` (value ${Number(rest[0]) + 1})` : ''}`
      : i.path || 'input';
    return `${where}: ${inFlags(i.message)}`;
  });
  return new UsageError(`invalid input: ${issues.join('; ')}`);
}

export function createCommand(io: CliIO, done: (code: number) => void): Command {
  const cmd = new Command('create')
    .description('Create an engagement with one provider')
    .requiredOption(
      '-p, --provider <id>',
      'the provider to write to (devrev, zoom-contact-center, truto)',
    )
    .option('-s, --subject <text>', 'subject / title')
    .option('-b, --body <text>', 'body / description')
    .option('--participant <id>', 'participant id (repeatable)', collect, [] as string[])
    .option('--account <id>', 'related account id (repeatable)', collect, [] as string[])
    .option(
      '--occurred-at <when>',
      'when it happened: ISO-8601 (no offset = UTC), "now" or an age like 2h',
    )
    .addOption(new Option('-k, --kind <kind>', 'engagement kind').choices([...ENGAGEMENT_KINDS]))
    .addOption(
      new Option('--direction <dir>', 'direction').choices(['inbound', 'outbound', 'internal']),
    )
    .option('--duration <seconds>', 'duration in seconds')
    .option('--raw', 'include the vendor payload (raw) in the output');
  withConnectionOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Example:
  $ engagekit create --sandbox --provider devrev --subject "Call with Acme" \\
      --participant DEVU-1 --occurred-at 2h --kind call`,
  );
  cmd.action(async (opts: Record<string, unknown>) => {
    const providers = parseProviders(String(opts.provider));
    if (providers?.length !== 1) {
      throw new UsageError('--provider takes exactly one provider for create');
    }
    const duration = opts.duration === undefined ? undefined : Number(opts.duration);
    if (duration !== undefined && !(duration >= 0)) {
      throw new UsageError(
        `--duration must be a number of seconds, got "${String(opts.duration)}"`,
      );
    }
    const participants = opts.participant as string[];
    const accounts = opts.account as string[];
    const input: CreateEngagementInput = {
      kind: opts.kind as CreateEngagementInput['kind'],
      subject: opts.subject as string | undefined,
      body: opts.body as string | undefined,
      direction: opts.direction as CreateEngagementInput['direction'],
      occurredAt:
        opts.occurredAt === undefined
          ? undefined
          : parseWhen(String(opts.occurredAt), '--occurred-at'),
      durationSeconds: duration,
      participantIds: participants.length ? participants : undefined,
      accountIds: accounts.length ? accounts : undefined,
    };
    for (const key of Object.keys(input) as Array<keyof CreateEngagementInput>) {
      if (input[key] === undefined) delete input[key];
    }
    const conn = await connect(opts, io, providers);
    try {
      const client = createEngagementsClient({ adapters: conn.adapters });
      const created = await client.engagements
        .create(providers[0] as string, input)
        .catch((error: unknown) => {
          throw error instanceof InputValidationError ? inputErrorInFlags(error) : error;
        });
      const shown = opts.raw ? created : { ...created, raw: undefined };
      await writeOut(io.stdout, `${JSON.stringify(shown, null, 2)}\n`);
      done(0);
    } finally {
      await conn.close();
    }
  });
  return cmd;
}
