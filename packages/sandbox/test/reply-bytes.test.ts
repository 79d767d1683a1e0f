import { expect, it } from 'vitest';
import { startSandbox } from '../src/index';

// Replies are encoded once (a Buffer) before they are measured and sent: the bytes must still be
// the UTF-8 of the JSON, and content-length their count, with multi-byte characters in the page.
it('a JSON reply is the UTF-8 of its JSON text and content-length counts its bytes', async () => {
  const sb = await startSandbox({ count: 200, seed: 5 });
  try {
    const res = await fetch(`${sb.urls.devrev}/engagements.list?limit=100`, {
      headers: { authorization: `Bearer ${sb.credentials.devrev.token}` },
    });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
    const text = bytes.toString('utf8');
    expect(Buffer.byteLength(text)).toBe(bytes.length);
    // The seeded page carries characters beyond Latin-1 (names, tags), so the case is exercised.
    expect([...text].some((c) => (c.codePointAt(0) ?? 0) > 0xff)).toBe(true);
    const body = JSON.parse(text) as { engagements: unknown[] };
    expect(body.engagements).toHaveLength(100);
    expect(JSON.stringify(body)).toBe(text);
  } finally {
    await sb.close();
  }
});
