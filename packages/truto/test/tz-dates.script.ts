// Run by tz-dates.test.ts in a child process with TZ set: what the Truto adapter sends for
// date-times written without an offset.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTrutoAdapter } from '@engagekit/truto';

const requests: { method: string; url: string; body: unknown }[] = [];
const server = createServer((req, res) => {
  let text = '';
  req.on('data', (chunk) => {
    text += chunk;
  });
  req.on('end', () => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      body: text ? JSON.parse(text) : undefined,
    });
    const body =
      req.method === 'GET'
        ? { result: [], next_cursor: null }
        : { id: 'e1', start_time: '2026-01-01T10:00:00Z' };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
try {
  const truto = createTrutoAdapter({
    token: 'tz-test-token',
    integratedAccountId: 'tz-account',
    baseUrl,
    rateLimit: false,
    maxRetries: 0,
  });
  await truto.engagements.create({
    kind: 'call',
    occurredAt: '2026-01-01T10:00:00',
    endTime: '2026-01-01T10:30:00',
  });
  await truto.engagements.update('e1', { startTime: '2026-06-01T10:00:00' });
  await truto.engagements.list({ from: '2026-01-01T10:00:00' }).toArray();
  const januaryOffset = new Date(2026, 0, 1).getTimezoneOffset();
  console.log(JSON.stringify({ januaryOffset, requests }));
} finally {
  server.close();
}
