import {
  type ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
} from '@engagekit/core';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { parseDevRevError } from '../src/errors';
import { adapter, BASE, TOKEN, useNock } from './helpers';

useNock();

/** Every 400 `type` of the spec, with its required per-type fields. */
const BAD_REQUESTS: [string, Record<string, unknown>, string | undefined][] = [
  [
    'artifact_already_attached_to_a_parent',
    { existing_parent: 'ENG-1', is_same: false },
    'existing parent: ENG-1',
  ],
  ['bad_request', {}, undefined],
  [
    'customization_validation_error',
    { subtype: 'field_required', field_name: 'tnt__x' },
    'field: tnt__x; subtype: field_required',
  ],
  ['invalid_api_version', { value: '1999-01-01' }, 'value: 1999-01-01'],
  [
    'invalid_enum_value',
    { field_name: 'type', value: 'sms', allowed_values: ['call', 'email'] },
    'field: type; value: sms; allowed: call|email',
  ],
  ['invalid_field', { field_name: 'colour' }, 'field: colour'],
  ['invalid_id', { field_name: 'members' }, 'field: members'],
  ['merge_works_error', { errors: [] }, undefined],
  [
    'missing_dependency',
    { dependent_field_name: 'stage', dependencies: [{ field_name: 'a', field_value: 'b' }] },
    'depends on: stage',
  ],
  ['missing_required_field', { field_name: 'title' }, 'field: title'],
  ['parse_error', {}, undefined],
  ['stale_schema_fragments', {}, undefined],
  ['unexpected_id_type', { field_name: 'parent' }, 'field: parent'],
  [
    'unexpected_json_type',
    { field_name: 'limit', expected: 'number', actual: 'string' },
    'field: limit; expected: number; actual: string',
  ],
  [
    'value_not_permitted',
    { field_name: 'parents', reason: 'only accounts' },
    'field: parents; reason: only accounts',
  ],
  ['workflow_component_validation_errors', { errors: [] }, undefined],
];

const failGet = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  nock(BASE)
    .get('/engagements.get')
    .query(true)
    .reply(status, body as nock.Body, headers);

const errorOfGet = (a = adapter({ maxRetries: 0 })) =>
  a.engagements.get('ENG-1').catch((e: unknown) => e);

describe('DevRev errors → the core error tree', () => {
  it.each(BAD_REQUESTS)(
    '400 %s keeps type, detail and the per-type fields',
    async (type, fields, text) => {
      failGet(400, { type, message: `Bad: ${type}`, detail: `detail of ${type}`, ...fields });
      const error = (await errorOfGet()) as BadRequestError;
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({
        status: 400,
        provider: 'devrev',
        type,
        detail: `detail of ${type}`,
      });
      expect(error.message).toContain(`[${type}`);
      if (text) expect(error.message).toContain(text);
      expect(error.body).toMatchObject(fields);
    },
  );

  it.each([
    [401, 'unauthenticated', AuthenticationError],
    [403, 'forbidden', PermissionDeniedError],
    [404, 'not_found', NotFoundError],
    [409, 'conflict', ConflictError],
    [503, 'service_unavailable', ServerError],
  ] as const)('%i %s', async (status, type, Class) => {
    failGet(status, { type, message: `it is ${type}`, detail: 'more' });
    const error = (await errorOfGet()) as ApiError;
    expect(error).toBeInstanceOf(Class);
    expect(error).toMatchObject({ status, type, detail: 'more' });
    expect(error.message).toContain(`it is ${type}`);
  });

  it('500 internal_error keeps reference_id as requestId', async () => {
    failGet(500, { type: 'internal_error', message: 'oops', reference_id: 'ref-42' });
    const error = (await errorOfGet()) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ type: 'internal_error', requestId: 'ref-42' });
  });

  it('429 too_many_requests: retryAfterMs from the body retry_after (seconds)', async () => {
    failGet(
      429,
      { type: 'too_many_requests', message: 'slow down', retry_after: 30 },
      { 'Retry-After': '30' },
    );
    const error = (await errorOfGet()) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ type: 'too_many_requests', retryAfterMs: 30_000 });
  });

  it('429 without a body retry_after falls back to the Retry-After header', async () => {
    failGet(429, { type: 'too_many_requests' }, { 'Retry-After': '7' });
    expect(await errorOfGet()).toMatchObject({ retryAfterMs: 7000 });
  });

  it('an unknown type or a non-JSON body still maps by status', async () => {
    failGet(400, { type: 'brand_new_error', message: 'new' });
    expect(await errorOfGet()).toMatchObject({ name: 'BadRequestError', type: 'brand_new_error' });
    failGet(502, '<html>Bad gateway</html>', { 'content-type': 'text/html' });
    const gateway = (await errorOfGet()) as ServerError;
    expect(gateway).toBeInstanceOf(ServerError);
    expect(gateway.message).toContain('Bad gateway');
  });

  it('never leaks the token into errors', async () => {
    failGet(401, { type: 'unauthenticated', message: `bad token ${TOKEN}` });
    const error = (await errorOfGet()) as AuthenticationError;
    expect(JSON.stringify(error.toJSON())).not.toContain(TOKEN);
    expect(error.message).not.toContain(TOKEN);
  });

  it('parseDevRevError reads every field', () => {
    expect(
      parseDevRevError(
        { type: 'too_many_requests', message: 'm', detail: 'd', retry_after: 2, reference_id: 'r' },
        429,
        {},
      ),
    ).toEqual({
      type: 'too_many_requests',
      code: undefined,
      message: 'm',
      detail: 'd',
      requestId: 'r',
      retryAfterMs: 2000,
    });
    expect(parseDevRevError(undefined, 500, {})).toEqual({});
  });
});

describe('retries and rate limits', () => {
  it('retries reads on 429 (honouring retry_after) and 5xx', async () => {
    const retries: { reason: string; delayMs: number }[] = [];
    const scope = nock(BASE)
      .get('/engagements.list')
      .query(true)
      .reply(429, { type: 'too_many_requests', retry_after: 1 }, { 'Retry-After': '1' })
      .get('/engagements.list')
      .query(true)
      .reply(503, { type: 'service_unavailable' })
      .get('/engagements.list')
      .query(true)
      .reply(200, { engagements: [] });
    const a = adapter({ hooks: { onRetry: (i) => retries.push(i) } });
    await a.engagements.list().toArray();
    scope.done();
    expect(retries.map((r) => r.reason)).toEqual(['429', '503']);
    expect(retries[0]?.delayMs).toBe(1000);
    expect(retries[1]?.delayMs).toBeLessThan(1000);
  });

  it('a 5xx is retried with backoff, not held until X-Ratelimit-Reset', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 290);
    const retries: number[] = [];
    const scope = nock(BASE)
      .get('/engagements.list')
      .query(true)
      .reply(
        500,
        { type: 'internal_error', reference_id: 'r' },
        {
          'X-Ratelimit-Limit': '1000',
          'X-Ratelimit-Remaining': '900',
          'X-Ratelimit-Reset': reset,
        },
      )
      .get('/engagements.list')
      .query(true)
      .reply(200, { engagements: [] });
    await adapter({ hooks: { onRetry: (i) => retries.push(i.delayMs) } })
      .engagements.list()
      .toArray();
    scope.done();
    expect(retries).toHaveLength(1);
    expect(retries[0]).toBeLessThan(1000);
  });

  it('X-Ratelimit-Remaining: 0 pauses the limiter until X-Ratelimit-Reset', async () => {
    const resetAt = Math.ceil(Date.now() / 1000) + 1;
    const times: number[] = [];
    nock(BASE)
      .get('/engagements.get')
      .query(true)
      .twice()
      .reply(() => {
        times.push(Date.now());
        return [
          200,
          { engagement: { id: 'E', created_date: '2026-01-01T00:00:00Z' } },
          {
            'X-Ratelimit-Limit': '1000',
            'X-Ratelimit-Remaining': '0',
            'X-Ratelimit-Reset': String(resetAt),
          },
        ];
      });
    const a = adapter();
    await a.engagements.get('E');
    await a.engagements.get('E');
    expect(times[1]).toBeGreaterThanOrEqual(resetAt * 1000 - 50);
  });
});
