import { startSandbox } from '../src/index';
import { devrevCall, trutoCall, zoomCall, zoomToken } from './helpers';

/**
 * Compiles the spec validators the changes-* suites use, against a throwaway sandbox. A first
 * compile blocks the event loop for seconds on a loaded machine; done mid-suite, the in-process
 * server's keep-alive timer and the client's can then race over an idle socket (ECONNRESET). The
 * suites' own sandbox gets a new port, hence a fresh connection pool.
 */
export async function warmSpecValidators(): Promise<void> {
  const sb = await startSandbox({ count: 5, rateLimits: false });
  try {
    const list = await devrevCall(sb, '/engagements.list', { body: { limit: 1 } });
    const id = (list.body.engagements as { id: string }[])[0]?.id ?? '';
    await devrevCall(sb, '/engagements.list', { query: 'limit=1' });
    await devrevCall(sb, '/engagements.get', { query: `id=${id}` });
    await devrevCall(sb, '/engagements.get', { query: 'id=ENG-999999' });
    await devrevCall(sb, '/engagements.count', { body: {} });
    await devrevCall(sb, '/engagements.update', { body: { id, title: 'warm' } });
    await devrevCall(sb, '/engagements.create', {
      body: { title: 'warm', members: ['DEVU-1'], scheduled_date: '2026-01-01T00:00:00Z' },
    });
    await devrevCall(sb, '/engagements.delete', { body: { id } });
    await devrevCall(sb, '/conversations.list', { body: { limit: 1 } });
    await devrevCall(sb, '/conversations.list', { query: 'limit=1' });
    const token = await zoomToken(sb);
    const zoom = await zoomCall(sb, '/contact_center/engagements', token, 'page_size=1');
    const zid = (zoom.body.engagements as { engagement_id: string }[])[0]?.engagement_id;
    if (zid) await zoomCall(sb, `/contact_center/engagements/${zid}`, token);
    await trutoCall(sb, '/unified/crm/engagements', { query: 'limit=1' });
    await trutoCall(sb, '/unified/crm/engagements/nope');
  } finally {
    await sb.close();
  }
}
