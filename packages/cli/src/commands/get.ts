import { createEngagementsClient } from '@engagekit/core';
import { Command, Option } from 'commander';
import { connect, withConnectionOptions } from '../context';
import { canonicalId, providerOfId } from '../credentials';
import { createWriter, FORMATS, parseFormat } from '../format';
import { type CliIO, UsageError, writeOut } from '../io';

export function getCommand(io: CliIO, done: (code: number) => void): Command {
  const cmd = new Command('get')
    .description('Get one engagement by its unified id (<provider>:<remoteId>)')
    .argument('<id>', 'unified id, e.g. devrev:ENG-12, truto:8f… or zoom:<id> (aliases: zoom, zcc)')
    .addOption(
      new Option('-f, --format <format>', 'output format (json is pretty-printed)')
        .choices([...FORMATS])
        .default('json'),
    )
    .option('--raw', 'include the vendor payload (raw)');
  withConnectionOptions(cmd);
  cmd.action(async (id: string, opts: Record<string, unknown>) => {
    const format = parseFormat(String(opts.format));
    if (opts.raw && (format === 'table' || format === 'csv')) {
      throw new UsageError(`--raw only applies to --format json or ndjson, not ${format}`);
    }
    const conn = await connect(opts, io, [providerOfId(id)]);
    try {
      const client = createEngagementsClient({ adapters: conn.adapters });
      // The client reads aliases too; the canonical id also works where an adapter declares none.
      const e = await client.engagements.get(canonicalId(id));
      const shown = opts.raw ? e : { ...e, raw: undefined };
      if (format === 'json') await writeOut(io.stdout, `${JSON.stringify(shown, null, 2)}\n`);
      else {
        const writer = createWriter(format, io.stdout);
        await writer.write(shown);
        await writer.end();
      }
      done(0);
    } finally {
      await conn.close();
    }
  });
  return cmd;
}
