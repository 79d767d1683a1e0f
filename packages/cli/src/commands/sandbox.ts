import {
  describeSandbox,
  SANDBOX_FLAGS,
  type SandboxFlagValues,
  sandboxOptionsFromFlags,
  startSandboxForCommand,
} from '@engagekit/sandbox';
import { Command, Option } from 'commander';
import { sandboxNow } from '../context';
import type { CliIO } from '../io';
import { advertiseSandbox, type SandboxAdvertisement, sharedSandboxFile } from '../shared-sandbox';

/** Commander options built from the sandbox's own flag definitions, with the flag each reads. */
function sandboxOptions(): Array<{ name: string; option: Option }> {
  return SANDBOX_FLAGS.map((f) => ({
    name: f.name,
    option: new Option(`--${f.name}${f.value ? ` ${f.value}` : ''}`, f.description),
  }));
}

export function sandboxCommand(io: CliIO, done: (code: number) => void): Command {
  const flags = sandboxOptions();
  const cmd = new Command('sandbox').description(
    'Start the DevRev, Zoom Contact Center and Truto emulators; print URLs and credentials; run until Ctrl+C',
  );
  for (const f of flags) cmd.addOption(f.option);
  cmd.addHelpText(
    'after',
    `
The same flags as the engagekit-sandbox command. Without --now the seeded data ends at the start of
the current UTC day, so separate runs see the same records. While it runs, the --sandbox commands
of engagekit in other shells (list, get, create, changes, listen) use it instead of starting their
own (ENGAGEKIT_SANDBOX_FILE=off turns that off).

Example:
  $ engagekit sandbox --port 4010 --latency 50 --fault-rate 0.2 --fault-vendors truto`,
  );
  cmd.action(async (opts: Record<string, unknown>) => {
    const values: Record<string, string | boolean | undefined> = {};
    for (const { name, option } of flags) {
      const value = opts[option.attributeName()];
      // Commander stores `--no-x` as x=false; the shared parser reads the switch by its name.
      if (option.negate) values[name] = value === false ? true : undefined;
      else if (typeof value === 'string' || typeof value === 'boolean') values[name] = value;
    }
    const { options, json } = sandboxOptionsFromFlags(values as SandboxFlagValues);
    const sb = await startSandboxForCommand({ seed: 42, now: sandboxNow(), ...options });
    let advertisement: SandboxAdvertisement | undefined;
    try {
      const ad = await advertiseSandbox(sb, io.env, 'sandbox');
      if ('file' in ad) {
        advertisement = ad;
        io.stderr.write(
          `Shared: engagekit --sandbox commands in other shells use this sandbox until it stops (${ad.file}).\n`,
        );
      } else if (sharedSandboxFile(io.env)) {
        io.stderr.write(`Not shared: ${ad.reason}.\n`);
      }
      const c = sb.credentials;
      if (json) {
        io.stdout.write(
          `${JSON.stringify({ urls: sb.urls, credentials: c, origin: sb.origin })}\n`,
        );
      } else {
        io.stdout.write(describeSandbox(sb));
        io.stdout.write(
          [
            '',
            '# Point the CLI (or your code) at it:',
            `export DEVREV_BASE_URL=${sb.urls.devrev} DEVREV_TOKEN=${c.devrev.token}`,
            `export ZOOM_BASE_URL=${sb.urls.zoom} ZOOM_OAUTH_URL=${sb.urls.zoomOAuth} ZOOM_ACCOUNT_ID=${c.zoom.accountId} ZOOM_CLIENT_ID=${c.zoom.clientId} ZOOM_CLIENT_SECRET=${c.zoom.clientSecret}`,
            `export TRUTO_BASE_URL=${sb.urls.truto} TRUTO_TOKEN=${c.truto.token} TRUTO_INTEGRATED_ACCOUNT_ID=${c.truto.integratedAccountId}`,
            '',
          ].join('\n'),
        );
      }
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        if (io.signal?.aborted) return resolve();
        io.signal?.addEventListener('abort', stop, { once: true });
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    } finally {
      await advertisement?.withdraw();
      await sb.close();
    }
    io.stderr.write('sandbox stopped\n');
    done(0);
  });
  return cmd;
}
