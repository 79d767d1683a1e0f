import { type Sandbox, type SandboxOptions, startSandbox } from '@engagekit/sandbox';
import { startPostgres, type TestPostgres } from './postgres';
import { SANDBOX_NOW } from './sandbox';

/** A Postgres server and a sandbox at `SANDBOX_NOW`: what the worker tests start in `beforeAll`. */
export async function startWorkerEnv(
  sandbox: Omit<SandboxOptions, 'now'>,
): Promise<{ server: TestPostgres; sb: Sandbox }> {
  const server = await startPostgres();
  try {
    return { server, sb: await startSandbox({ ...sandbox, now: SANDBOX_NOW }) };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

type Stoppable = { stop(): Promise<unknown> } | { close(): Promise<unknown> } | undefined;

/** Stops or closes each part in order (workers before their store, the server last). */
export async function stopAll(...parts: Stoppable[]): Promise<void> {
  for (const part of parts) {
    if (part === undefined) continue;
    if ('stop' in part) await part.stop();
    else await part.close();
  }
}
