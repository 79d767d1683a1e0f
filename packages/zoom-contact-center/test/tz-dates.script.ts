// Run by tz-dates.test.ts in a child process with TZ set: the window Zoom is asked for when
// `from`/`to` are written without an offset.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';

const urls: string[] = [];
const server = createServer((req, res) => {
  urls.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ engagements: [], next_page_token: '', timezone: 'UTC' }));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
try {
  const zoom = createZoomContactCenterAdapter({
    accessToken: 'tz-test-access-token',
    baseUrl,
    rateLimit: false,
    maxRetries: 0,
  });
  await zoom.engagements.list({ from: '2026-01-01T10:00:00', to: '2026-01-02T10:00:00' }).toArray();
  const januaryOffset = new Date(2026, 0, 1).getTimezoneOffset();
  console.log(JSON.stringify({ januaryOffset, urls }));
} finally {
  server.close();
}
