import { InputValidationError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createZoomContactCenterAdapter, type ZoomContactCenterAdapterOptions } from '../src/index';
import { CREDENTIALS, setupNock } from './helpers';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const fails = (options: unknown) => {
  try {
    createZoomContactCenterAdapter(options as ZoomContactCenterAdapterOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InputValidationError);
    return error as InputValidationError;
  }
  throw new Error('expected InputValidationError');
};

describe('factory options', () => {
  it.each(['accountId', 'clientId', 'clientSecret'] as const)('names a missing %s', (key) => {
    const { [key]: _, ...rest } = CREDENTIALS;
    const error = fails(rest);
    expect(error.issues.map((i) => i.path)).toEqual([key]);
    expect(error.message).not.toContain(CREDENTIALS.clientSecret);
  });

  it('rejects credentials and accessToken together, and empty values', () => {
    expect(fails({ ...CREDENTIALS, accessToken: 'tok-123456' }).issues.map((i) => i.path)).toEqual([
      'accountId',
      'clientId',
      'clientSecret',
    ]);
    expect(fails({ accessToken: '  ' }).issues[0]!.path).toBe('accessToken');
    expect(fails(undefined).issues[0]!.rule).toBe('invalid_type');
  });

  it.each([
    [{ baseUrl: 'not a url' }, 'baseUrl'],
    [{ oauthUrl: 'ftp://zoom.us/oauth' }, 'oauthUrl'],
    [{ onExpiredPageToken: 'ignore' }, 'onExpiredPageToken'],
    [{ rateLimit: { requestsPerSecond: 0 } }, 'rateLimit'],
    [{ maxRetries: -1 }, 'maxRetries'],
    [{ hooks: { onRequest: 'nope' } }, 'hooks.onRequest'],
  ])('rejects %j', (extra, path) => {
    const error = fails({ accessToken: 'tok-123456', ...extra });
    expect(error.issues[0]!.path.startsWith(path)).toBe(true);
  });

  it('builds without touching the network and reports its capabilities', () => {
    const zoom = createZoomContactCenterAdapter(CREDENTIALS);
    expect(zoom.id).toBe('zoom-contact-center');
    expect(zoom.capabilities).toMatchObject({
      operations: {
        list: true,
        get: true,
        create: false,
        update: false,
        delete: false,
        count: false,
      },
      filters: { from: 'server', to: 'server', kinds: 'client', participantIds: 'client' },
      maxPageSize: 100,
      defaultPageSize: 100,
      maxWindowMs: 27 * 86_400_000,
      backwardsPaging: false,
    });
    expect(zoom.capabilities.filters.accountIds).toBeUndefined();
    expect(zoom.capabilities.filters.ownerIds).toBeUndefined();
  });
});
