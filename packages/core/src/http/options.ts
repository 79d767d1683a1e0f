import { z } from 'zod';
import { CursorSecretSchema } from '../pagination/cursor';
import { MAX_TIMER_MS } from './timers';
import type { BeforeRequestHook } from './types';

const hook = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', {
  message: 'expected a function',
});

/**
 * The zod schema of `HttpOptions`, for adapter factories to extend with their vendor's options, so
 * every factory rejects a bad `timeoutMs` or `rateLimit` the same way (`InputValidationError`).
 */
export const HttpOptionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  allowInsecureHttp: z.boolean().optional(),
  timeoutMs: z.number().int().positive().max(MAX_TIMER_MS).optional(),
  maxRetries: z.number().int().min(0).max(20).optional(),
  maxRetryWaitMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
  maxResponseBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  signal: z
    .custom<AbortSignal>((v) => v instanceof AbortSignal, 'expected an AbortSignal')
    .optional(),
  headers: z.record(z.string(), z.string()).optional(),
  beforeRequest: z
    .custom<BeforeRequestHook>((v) => typeof v === 'function', { message: 'expected a function' })
    .optional(),
  hooks: z
    .object({ onRequest: hook.optional(), onResponse: hook.optional(), onRetry: hook.optional() })
    .strict()
    .optional(),
  rateLimit: z
    .union([
      z.literal(false),
      z
        .object({
          requestsPerSecond: z.number().positive(),
          burst: z.number().int().positive().optional(),
        })
        .strict(),
    ])
    .optional(),
  cursorSecret: CursorSecretSchema.optional(),
});
