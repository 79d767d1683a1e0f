// Run by tz-dates.test.ts in a child process with TZ set: what the DevRev adapter sends for
// date-times written without an offset.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevRevAdapter } from '@engagekit/devrev';

const requests: { path: string; body: unknown }[] = [];
const server = createServer((req, res) => {
  let text = '';
  req.on('data', (chunk) => {
    text += chunk;
  });
  req.on('end', () => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push({ path, body: text ? JSON.parse(text) : undefined });
    const engagement = {
      id: 'don:core:dvrv-us-1:devo/1:engagement/1',
      created_date: '2026-01-01T00:00:00Z',
    };
    const body = path === '/conversations.list' ? { conversations: [] } : { engagement };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
try {
  const devrev = createDevRevAdapter({
    token: 'tz-test-token',
    baseUrl,
    rateLimit: false,
    maxRetries: 0,
  });
  await devrev.engagements.create({
    subject: 'call',
    participantIds: ['don:identity:dvrv-us-1:devo/1:devu/1'],
    occurredAt: '2026-01-01T10:00:00',
  });
  await devrev.engagements.update('don:core:dvrv-us-1:devo/1:engagement/1', {
    startTime: '2026-06-01T10:00:00',
  });
  await devrev.conversations.list({ from: '2026-01-01T10:00:00' }).firstPage();
  const januaryOffset = new Date(2026, 0, 1).getTimezoneOffset();
  console.log(JSON.stringify({ januaryOffset, requests }));
} finally {
  server.close();
}
