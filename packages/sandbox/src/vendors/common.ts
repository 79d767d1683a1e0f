import type { RetryAfterForm } from '../types';

/** The Retry-After header in the requested form (none for 'none' and 'body'). */
export function retryAfterHeader(
  form: RetryAfterForm,
  seconds: number,
  now = Date.now(),
): Record<string, string> {
  const at = new Date(now + seconds * 1000);
  switch (form) {
    case 'seconds':
      return { 'Retry-After': String(seconds) };
    case 'http-date':
      return { 'Retry-After': at.toUTCString() };
    case 'iso':
      return { 'Retry-After': at.toISOString().replace(/\.\d{3}Z$/, 'Z') };
    default:
      return {};
  }
}
