// A transport over a scripted fake axios instance and a fake clock, for the http-mutants and
// http-survivors tests: each answer in turn (the last repeats), every request config recorded, calls
// capped so a retry loop fails fast, and the hooks' events collected.
import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { EngagekitError } from '../src/errors';
import { createTransport, type HookRequestInfo, type TransportConfig } from '../src/http';
import { fakeClock } from './fake-clock';

export type Answer =
  | { status: number; data?: unknown; headers?: Record<string, unknown>; socket?: unknown }
  | { error: Record<string, unknown> };

/** A fake axios: answers in turn (the last one repeats), records each request config. */
export function fakeHttp(answers: Answer[], maxCalls = 12) {
  const configs: AxiosRequestConfig[] = [];
  const http = {
    async request(config: AxiosRequestConfig) {
      configs.push(config);
      if (configs.length > maxCalls) throw new Error('fake axios called too often: a loop');
      const a = answers[Math.min(configs.length, answers.length) - 1] as Answer;
      if ('error' in a)
        throw Object.assign(new Error(String(a.error.message ?? 'failed')), a.error);
      return {
        status: a.status,
        data: a.data ?? '',
        headers: a.headers ?? {},
        request: a.socket === undefined ? undefined : { socket: a.socket },
      };
    },
  };
  return { configs, http: http as unknown as AxiosInstance };
}

/** `make(answers, over?, maxCalls?)`: a transport of provider `acme` at `baseUrl` over `fakeHttp`. */
export function transportMaker(baseUrl: string) {
  return function make(answers: Answer[], over: Partial<TransportConfig> = {}, maxCalls = 12) {
    const clock = fakeClock();
    const fake = fakeHttp(answers, maxCalls);
    const events: { name: string; info: HookRequestInfo & Record<string, unknown> }[] = [];
    const hook = (name: string) => (info: HookRequestInfo) =>
      events.push({ name, info: info as HookRequestInfo & Record<string, unknown> });
    const transport = createTransport(
      {
        provider: 'acme',
        baseUrl,
        now: clock.now,
        sleep: clock.sleep,
        random: () => 0.5,
        hooks: { onRequest: hook('request'), onResponse: hook('response'), onRetry: hook('retry') },
        ...over,
      },
      fake.http,
    );
    return { transport, clock, events, configs: fake.configs };
  };
}

/** What `run` rejects with, which must be an EngagekitError. */
export async function failure(run: () => Promise<unknown>): Promise<EngagekitError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof EngagekitError))
    throw new Error(`expected an EngagekitError, got ${error}`);
  return error;
}
