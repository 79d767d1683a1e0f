import { isRecord, type Reply } from '../http';
import { SandboxWebhookError } from './errors';
import type { WebhookSubscribeOptions } from './options';
import type { SandboxWebhooks } from './webhooks';

const STATUS = { 'invalid-input': 400, 'handshake-failed': 502, closed: 503 } as const;

/**
 * The webhooks admin API, for a process other than the sandbox's (e.g. `engagekit listen
 * --sandbox` beside `engagekit sandbox`): `POST /__admin/webhooks` subscribes (the body is
 * `subscribe`'s options) and answers `{ id, provider, url, secret }` once the handshake passed;
 * `GET /__admin/webhooks` lists subscriptions with their stats (never their secrets);
 * `GET /__admin/webhooks/{id}/log` is one's delivery log; `DELETE /__admin/webhooks/{id}` closes it.
 */
export async function webhooksAdmin(
  webhooks: SandboxWebhooks,
  method: string,
  path: string,
  body: unknown,
): Promise<Reply> {
  if (path === '' && method === 'POST') {
    try {
      const options = (isRecord(body) ? body : {}) as unknown as WebhookSubscribeOptions;
      const { onSecret: _ignored, ...fromJson } = options;
      const sub = await webhooks.subscribe(fromJson);
      return {
        status: 201,
        body: { id: sub.id, provider: sub.provider, url: sub.url, secret: sub.secret },
      };
    } catch (error) {
      if (!(error instanceof SandboxWebhookError)) throw error;
      return {
        status: STATUS[error.reason],
        body: { error: error.reason, field: error.field, message: error.message },
      };
    }
  }
  if (path === '' && method === 'GET') {
    return {
      status: 200,
      body: webhooks.subscriptions.map((s) => ({
        id: s.id,
        provider: s.provider,
        url: s.url,
        stats: s.stats,
      })),
    };
  }
  const m = /^\/([^/]+)(\/log)?$/.exec(path);
  const sub = m ? webhooks.subscriptions.find((s) => s.id === m[1]) : undefined;
  if (!sub) return { status: 404, body: { message: `No webhook subscription at ${path || '/'}` } };
  if (m?.[2] && method === 'GET') return { status: 200, body: sub.log() };
  if (!m?.[2] && method === 'DELETE') {
    await sub.close();
    return { status: 200, body: { id: sub.id, closed: true } };
  }
  return { status: 405, body: { message: `${method} is not allowed here` } };
}
