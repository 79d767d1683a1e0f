import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors/errors';
import { createTransport } from '../src/http/transport';

// Real requests over loopback: the transport's own requests read bodies as bytes and parse them
// with parseJsonBytes; a caller's axios instance still reads text.
const RECORD = { name: 'Zoë Ångström', city: '東京', note: 'plain', tags: ['naïve', '🎧'] };
let server: Server;
let baseUrl = '';
let served = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (++served > 50) throw new Error('test server called too often');
    if (req.url === '/record') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(Buffer.from(JSON.stringify(RECORD), 'utf8'));
    } else if (req.url === '/latin1') {
      res.writeHead(200, { 'content-type': 'application/json; charset=iso-8859-1' });
      res.end(Buffer.from('{"name":"café"}', 'latin1'));
    } else {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(Buffer.from('Ungültige Anfrage — prüfen', 'utf8'));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
const originalEncoding = axios.defaults.responseEncoding;
afterEach(() => {
  axios.defaults.responseEncoding = originalEncoding;
});

const config = () => ({ provider: 'acme', baseUrl, maxRetries: 0 });

describe('response bodies as bytes', () => {
  it("the transport's own requests decode non-ASCII JSON exactly", async () => {
    const res = await createTransport(config()).request({ method: 'GET', path: '/record' });
    expect(res.data).toEqual(RECORD);
  });

  it('a non-JSON error body is kept as its UTF-8 text', async () => {
    const error = await createTransport(config())
      .request({ method: 'GET', path: '/bad' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).body).toBe('Ungültige Anfrage — prüfen');
  });

  it("a caller's axios instance: its response interceptors see the body as text, as before", async () => {
    const instance = axios.create();
    const seen: string[] = [];
    instance.interceptors.response.use((response) => {
      seen.push(typeof response.data);
      return response;
    });
    const res = await createTransport(config(), instance).request({
      method: 'GET',
      path: '/record',
    });
    expect(res.data).toEqual(RECORD);
    expect(seen).toEqual(['string']);
  });

  it("a global responseEncoding other than UTF-8 is honoured (the body is axios' text)", async () => {
    axios.defaults.responseEncoding = 'latin1';
    const res = await createTransport(config()).request({ method: 'GET', path: '/latin1' });
    expect(res.data).toEqual({ name: 'café' });
    // The same bytes read as UTF-8 (the default) are not valid: the contrast shows the setting
    // took effect.
    axios.defaults.responseEncoding = originalEncoding;
    const plain = await createTransport(config()).request({ method: 'GET', path: '/latin1' });
    expect(plain.data).toEqual({ name: 'caf\ufffd' });
  });
});
