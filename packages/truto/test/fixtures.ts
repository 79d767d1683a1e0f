import nock from 'nock';
import { createTrutoAdapter, type TrutoAdapterOptions } from '../src/index';

export const BASE = 'https://truto.test';
export const TOKEN = 'truto-test-token-123456';
export const ACCOUNT = '62f44730-dd91-461e-bd6a-aedd9e0ad79d';
export const PATH = '/unified/crm/engagements';

/** A unified CRM engagement with every documented field, as Truto's docs page lists them. */
export function trutoRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '1001',
    engagement_type: 'call',
    subject: 'Discovery call',
    content: 'Talked about pricing.',
    direction: 'INCOMING',
    status: 'COMPLETED',
    start_time: '2026-03-02T10:00:00.000Z',
    end_time: '2026-03-02T10:30:00.000Z',
    duration: '1800',
    owner: { id: 'u-1' },
    account: { id: 'acc-1' },
    contacts: [{ id: 'c-1' }, { id: 'c-2' }],
    opportunity: [{ id: 'opp-1' }],
    lead: { id: 'lead-1' },
    project: { id: 'prj-1' },
    notes: [{ id: 'n-1' }],
    internal_notes: 'Follow up next week',
    phone_numbers: [{ id: 'p-1', number: '+14155550100', extension: null, type: 'work' }],
    custom_fields: { hs_call_disposition: 'Connected' },
    created_at: '2026-03-02T09:55:00.000Z',
    updated_at: '2026-03-02T11:00:00.000Z',
    remote_data: { id: '987', properties: { hs_call_duration: '1800000' } },
    ...overrides,
  };
}

export function listBody(result: unknown[], next: string | null = null): Record<string, unknown> {
  return { result, next_cursor: next, prev_cursor: null, result_count: result.length };
}

export function trutoError(status: number, message: string, extra: Record<string, unknown> = {}) {
  const names: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    422: 'Unprocessable Entity',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return { statusCode: status, error: names[status] ?? 'Error', message, ...extra };
}

export function adapter(options: Partial<TrutoAdapterOptions> = {}) {
  return createTrutoAdapter({
    token: TOKEN,
    integratedAccountId: ACCOUNT,
    baseUrl: BASE,
    maxRetries: 2,
    rateLimit: false,
    ...options,
  });
}

export function setupNock() {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
}
