import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  CapabilityError,
  InputValidationError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  UnprocessableEntityError,
} from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTrutoAdapter } from '../src/index';
import {
  ACCOUNT,
  adapter,
  BASE,
  listBody,
  PATH,
  setupNock,
  TOKEN,
  trutoError,
  trutoRecord,
} from './fixtures';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const listFails = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  nock(BASE)
    .get(PATH)
    .query(true)
    .reply(status, body as nock.Body, headers);
const listOk = () =>
  nock(BASE)
    .get(PATH)
    .query(true)
    .reply(200, listBody([trutoRecord()]));
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('factory options', () => {
  it.each([
    [{ integratedAccountId: ACCOUNT }, 'token'],
    [{ token: '', integratedAccountId: ACCOUNT }, 'token'],
    [{ token: TOKEN }, 'integratedAccountId'],
    [{ token: TOKEN, integratedAccountId: ACCOUNT, baseUrl: 'not a url' }, 'baseUrl'],
    [{ token: TOKEN, integratedAccountId: ACCOUNT, maxRetries: -1 }, 'maxRetries'],
    [
      { token: TOKEN, integratedAccountId: ACCOUNT, rateLimit: { requestsPerSecond: 0 } },
      'rateLimit.requestsPerSecond',
    ],
  ])('%j → InputValidationError at %s', (options, path) => {
    let error: unknown;
    try {
      createTrutoAdapter(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues[0]?.path).toBe(path);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('defaults to api.truto.one and declares its capabilities', () => {
    const a = createTrutoAdapter({ token: TOKEN, integratedAccountId: ACCOUNT });
    expect(a.id).toBe('truto');
    expect(a.capabilities).toMatchObject({
      maxPageSize: 100,
      defaultPageSize: 100,
      maxWindowMs: 365 * 86_400_000,
      backwardsPaging: false,
      ordering: 'unordered',
    });
  });

  it('paces requests with the default limiter (5/s after a burst of 5)', async () => {
    nock(BASE).get(PATH).query(true).times(7).reply(200, listBody([]));
    const a = createTrutoAdapter({ token: TOKEN, integratedAccountId: ACCOUNT, baseUrl: BASE });
    const started = Date.now();
    await Promise.all(Array.from({ length: 7 }, () => a.engagements.list().toArray()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

describe('errors', () => {
  it('401 without truto_is_remote_error: the Truto token is bad', async () => {
    listFails(401, trutoError(401, 'Invalid API token'));
    const error = await failure(adapter().engagements.list().toArray());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as ApiError).type).toBe('truto_error');
    expect((error as Error).message).toMatch(/Truto rejected the API token/);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('401 with truto_is_remote_error: the CRM connection needs re-auth', async () => {
    listFails(401, {
      ...trutoError(401, 'Authentication credentials not found.'),
      truto_is_remote_error: true,
      raw_response: { status: 'error', category: 'INVALID_AUTHENTICATION' },
      truto_error_insight: { remote_error: { description: 'remote rejected credentials' } },
    });
    const error = await failure(adapter({ maxRetries: 3 }).engagements.list().toArray());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, type: 'remote_error', code: 'Unauthorized' });
    expect((error as Error).message).toMatch(/needs re-authentication/);
    expect((error as Error).message).toMatch(/needs_reauth/);
    expect((error as Error).message).toContain(ACCOUNT);
    expect((error as ApiError).body).toMatchObject({
      truto_is_remote_error: true,
      raw_response: { category: 'INVALID_AUTHENTICATION' },
    });
  });

  it('uses raw_response for the message when a remote error has none', async () => {
    listFails(422, {
      ...trutoError(422, ''),
      truto_is_remote_error: true,
      raw_response: { message: 'Email is invalid' },
    });
    const error = await failure(adapter().engagements.list().toArray());
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as Error).message).toContain('Email is invalid');
  });

  it('403 lists the missing OAuth scopes', async () => {
    listFails(403, {
      ...trutoError(403, 'Forbidden'),
      truto_is_remote_error: true,
      truto_error_insight: {
        forbidden_error: { description: 'scopes', value: { missing_scopes: ['crm.objects.read'] } },
      },
    });
    const error = await failure(adapter().engagements.list().toArray());
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as ApiError).detail).toContain('crm.objects.read');
  });

  it('429 honours Retry-After in seconds, then succeeds', async () => {
    listFails(429, trutoError(429, 'Rate limit exceeded'), { 'Retry-After': '1' });
    listOk();
    const delays: number[] = [];
    const items = await adapter({ hooks: { onRetry: (i) => delays.push(i.delayMs) } })
      .engagements.list()
      .toArray();
    expect(items).toHaveLength(1);
    expect(delays).toEqual([1000]);
  });

  it('429 past the retry budget is a RateLimitError with retryAfterMs', async () => {
    listFails(429, trutoError(429, 'Rate limit exceeded'), { 'Retry-After': '10' });
    const error = await failure(adapter({ maxRetries: 0 }).engagements.list().toArray());
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(10_000);
  });

  it.each([500, 502, 504])('%i is retried', async (status) => {
    listFails(status, trutoError(status, 'upstream'));
    listOk();
    const retries: string[] = [];
    const items = await adapter({ hooks: { onRetry: (i) => retries.push(i.reason) } })
      .engagements.list()
      .toArray();
    expect(items).toHaveLength(1);
    expect(retries).toEqual([String(status)]);
  });

  it('503 (integrated account blocked) is never retried', async () => {
    const scope = listFails(503, trutoError(503, 'The integrated account is blocked.'));
    const retries: unknown[] = [];
    const error = await failure(
      adapter({ maxRetries: 5, hooks: { onRetry: (i) => retries.push(i) } })
        .engagements.list()
        .toArray(),
    );
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ApiError).status).toBe(503);
    expect((error as Error).message).toMatch(/blocked/);
    expect(retries).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('missing_required_query_parameters → InputValidationError at the unified name', async () => {
    listFails(400, {
      ...trutoError(400, 'engagement_type is required'),
      truto_error_insight: {
        missing_required_query_parameters: {
          description: 'These query parameters are required',
          value: ['engagement_type', 'contact[id]', 'custom_param'],
        },
        conditionally_required_query_parameters: {
          description: 'informational',
          value: { contact: 'required when engagement_type is email' },
        },
      },
    });
    const error = await failure(adapter().engagements.list().toArray());
    expect(error).toBeInstanceOf(InputValidationError);
    const issues = (error as InputValidationError).issues;
    expect(issues.map((i) => i.path)).toEqual(['kinds', 'participantIds', 'native.custom_param']);
    expect(issues[0]?.rule).toBe('required_by_integration');
    expect(issues[0]?.message).toContain('engagement_type');
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(BadRequestError);
    expect(cause).toMatchObject({ status: 400, code: 'Bad Request' });
  });

  it('missing_required_body_fields on create → InputValidationError at `kind`', async () => {
    nock(BASE)
      .post(PATH)
      .query(true)
      .reply(400, {
        ...trutoError(400, 'Missing required fields: engagement_type'),
        truto_error_insight: {
          missing_required_body_fields: { description: 'required', value: ['engagement_type'] },
        },
      });
    const error = await failure(adapter().engagements.create({ subject: 'x' }));
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues[0]?.path).toBe('kind');
    expect(((error as Error).cause as ApiError).status).toBe(400);
  });

  it('an unsupported_* insight → CapabilityError naming the filter', async () => {
    listFails(400, {
      ...trutoError(400, "The filter 'owner' is not supported by the connected integration."),
      truto_error_insight: {
        unsupported_query_parameters: { description: 'not supported', value: ['owner'] },
      },
    });
    const error = await failure(
      adapter()
        .engagements.list({ ownerIds: ['u-1'] })
        .toArray(),
    );
    expect(error).toBeInstanceOf(CapabilityError);
    expect((error as CapabilityError).capability).toBe('filter:ownerIds');
    expect((error as Error).message).toContain('`owner`');
    expect(((error as Error).cause as ApiError).body).toMatchObject({ statusCode: 400 });
  });

  it('405 on a write → CapabilityError (e.g. a read-only sandbox account)', async () => {
    nock(BASE)
      .delete(`${PATH}/1`)
      .query(true)
      .reply(405, trutoError(405, 'Sandbox accounts are read-only'));
    const error = await failure(adapter().engagements.delete('1'));
    expect(error).toBeInstanceOf(CapabilityError);
    expect((error as CapabilityError).capability).toBe('delete');
    expect(((error as Error).cause as ApiError).status).toBe(405);
  });

  it('a plain 400 stays a BadRequestError with details on body', async () => {
    listFails(400, {
      ...trutoError(400, 'limit must be a positive integer'),
      details: { failures: [{ path: ['limit'], message: 'Invalid limit' }] },
    });
    const error = await failure(adapter().engagements.list().toArray());
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as ApiError).body).toMatchObject({
      details: { failures: [{ path: ['limit'] }] },
    });
  });

  it('a non-JSON error body still yields an ApiError', async () => {
    listFails(418, 'I am a teapot');
    const error = await failure(adapter().engagements.list().toArray());
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(418);
  });
});
