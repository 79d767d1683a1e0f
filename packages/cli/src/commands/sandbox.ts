import { describeSandbox } from '@engagekit/sandbox';
import { Command } from 'commander';
import { parsePositiveInt, startCliSandbox } from '../context';
import { type CliIO, UsageError } from '../io';

export function sandboxCommand(io: CliIO, done: (code: number) => void): Command {
  const cmd = new Command('sandbox')
    .description(
      'Start the DevRev, Zoom Contact Center and Truto emulators; print URLs and credentials; run until Ctrl+C',
    )
    .option('--port <n>', 'TCP port (default: ephemeral)')
    .option('--seed <n>', 'data seed', '42')
    .option('--count <n>', 'seeded records per vendor', '500')
    .option('--json', 'print URLs and credentials as one JSON object');
  cmd.action(async (opts: { port?: string; seed: string; count: string; json?: boolean }) => {
    const seed = Number(opts.seed);
    if (!Number.isInteger(seed))
      throw new UsageError(`--seed must be an integer, got "${opts.seed}"`);
    const sb = await startCliSandbox({
      seed,
      count: parsePositiveInt(opts.count, '--count'),
      ...(opts.port === undefined ? {} : { port: Number(opts.port) }),
    });
    try {
      const c = sb.credentials;
      if (opts.json) {
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
      await sb.close();
    }
    io.stderr.write('sandbox stopped\n');
    done(0);
  });
  return cmd;
}
