import { Command, Option } from 'commander';
import { connect, withConnectionOptions } from '../context';
import { providerOfId } from '../credentials';
import { createWriter, FORMATS, parseFormat } from '../format';
import { type CliIO, writeOut } from '../io';

export function getCommand(io: CliIO, done: (code: number) => void): Command {
  const cmd = new Command('get')
    .description('Get one engagement by its unified id (<provider>:<remoteId>)')
    .argument('<id>', 'unified id, e.g. devrev:ENG-12 or truto:8f…')
    .addOption(
      new Option('-f, --format <format>', 'output format (json is pretty-printed)')
        .choices([...FORMATS])
        .default('json'),
    )
    .option('--raw', 'include the vendor payload (raw)');
  withConnectionOptions(cmd);
  cmd.action(async (id: string, opts: Record<string, unknown>) => {
    const format = parseFormat(String(opts.format));
    const conn = await connect(opts, io, [providerOfId(id)]);
    try {
      const adapter = conn.adapters[0];
      if (!adapter) throw new Error('no adapter');
      const e = await adapter.engagements.get(id);
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
