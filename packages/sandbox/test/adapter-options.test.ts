import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ count: 1 });
});
afterAll(async () => {
  await sb?.close();
});

describe('adapterOptions', () => {
  it('maps urls and credentials onto each factory’s option names', () => {
    expect(sb.adapterOptions).toEqual({
      devrev: { token: sb.credentials.devrev.token, baseUrl: sb.urls.devrev },
      zoom: {
        ...sb.credentials.zoom,
        baseUrl: sb.urls.zoom,
        oauthUrl: sb.urls.zoomOAuth,
      },
      truto: { ...sb.credentials.truto, baseUrl: sb.urls.truto },
    });
    expect(sb.urls.zoomOAuth).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/zoom\/oauth\/token$/);
  });

  it('has secrets the factories accept (at least 8 characters)', () => {
    const secrets = [
      sb.credentials.devrev.token,
      sb.credentials.zoom.clientSecret,
      sb.credentials.truto.token,
    ];
    expect(secrets.map((s) => s.length >= 8)).toEqual([true, true, true]);
  });
});
