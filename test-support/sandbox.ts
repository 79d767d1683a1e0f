// A sandbox started once for a test file and closed after it, with nock's interception off so the
// adapters reach it on loopback.
import { type Sandbox, type SandboxOptions, startSandbox } from '@engagekit/sandbox';
import nock from 'nock';
import { afterAll, beforeAll } from 'vitest';

/** Starts a sandbox before the file's tests and closes it after them; call the result for it. */
export function useSandbox(options: SandboxOptions): () => Sandbox {
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    sb = await startSandbox(options);
  });
  afterAll(async () => {
    await sb?.close();
  });
  return () => {
    if (!sb) throw new Error('the sandbox is not started (useSandbox runs in beforeAll)');
    return sb;
  };
}
