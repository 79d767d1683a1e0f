import type { z } from 'zod';
import { type InputIssue, InputValidationError } from '../errors/errors';
import { toInputIssues } from '../errors/zod';

/** Shorter credentials could match ordinary text, so redaction cannot remove them reliably. */
export const MIN_SECRET_LENGTH = 8;

/** How a factory reads its options: what falls back to the environment, what is secret or a URL. */
export interface AdapterOptionsSpec<O> {
  provider: string;
  /** Option → environment variable read when the option is absent (explicit options win). */
  env?: Readonly<Partial<Record<keyof O & string, string>>>;
  /** Options that must be present (after the environment fallback), given the parsed options. */
  required?: (options: O) => readonly (keyof O & string)[];
  /** Options holding credentials: refused when shorter than {@link MIN_SECRET_LENGTH}. */
  secrets?: readonly (keyof O & string)[];
  /** Options holding URLs that receive credentials. @default ['baseUrl'] */
  urls?: readonly (keyof O & string)[];
  /** Where the fallback values come from. @default process.env */
  environment?: Readonly<Record<string, string | undefined>>;
}

const blank = (value: unknown) =>
  value === undefined || (typeof value === 'string' && !value.trim());

/** The message every factory gives for a credential it did not get. */
export function missingCredentialIssue(
  provider: string,
  option: string,
  envVar: string | undefined,
): InputIssue {
  return {
    path: option,
    rule: 'required',
    message: `${provider} needs \`${option}\`: pass it to the factory${envVar ? ` or set ${envVar}` : ''}`,
  };
}

/** Issues for a secret too short to be redacted safely from errors and logs (none if it is fine). */
export function secretIssues(option: string, value: unknown): InputIssue[] {
  // `Bearer abc` is a three-character secret.
  const secret = typeof value === 'string' ? value.trim().replace(/^bearer\s+/i, '') : undefined;
  if (secret === undefined || secret.length >= MIN_SECRET_LENGTH) return [];
  return [
    {
      path: option,
      rule: 'too_short',
      message: `must be at least ${MIN_SECRET_LENGTH} characters: a shorter credential cannot be redacted safely from errors and logs`,
    },
  ];
}

/** Whether a URL's host is this machine (127.0.0.0/8, ::1, localhost), where plain http is safe. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Issues for a URL an adapter sends credentials to: `https:`, or plain `http:` on a loopback host
 * (other hosts need `allowInsecureHttp`), and no user-info (axios would send it as Basic auth in
 * place of the token).
 */
export function endpointUrlIssues(
  option: string,
  value: unknown,
  allowInsecureHttp: boolean,
): InputIssue[] {
  if (typeof value !== 'string') return [];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return []; // The schema reports what is not a URL at all.
  }
  const issues: InputIssue[] = [];
  if (url.username || url.password) {
    issues.push({
      path: option,
      rule: 'url_credentials',
      message:
        'must not contain user:password@ (it would replace the token); pass credentials as options',
    });
  }
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    issues.push({
      path: option,
      rule: 'insecure_url',
      message: `must be https (plain http is allowed only for localhost/127.0.0.0/8/::1, or with allowInsecureHttp: true); got host ${url.hostname}`,
    });
  }
  return issues;
}

function environmentOf(spec: { environment?: Readonly<Record<string, string | undefined>> }) {
  if (spec.environment) return spec.environment;
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}

/**
 * Validates an adapter factory's options the same way for every adapter: absent options fall back
 * to the environment, unknown keys are refused with a did-you-mean suggestion (the schema must be
 * strict), missing credentials name the option and its variable, secrets must be redactable and
 * URLs must be safe to send them to. Throws one `InputValidationError` listing every issue.
 */
export function parseAdapterOptions<S extends z.ZodType>(
  schema: S,
  options: unknown,
  spec: AdapterOptionsSpec<z.output<S>>,
): z.output<S> {
  const { provider } = spec;
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InputValidationError(
      [{ path: '', rule: 'invalid_type', message: 'options must be an object' }],
      { provider },
    );
  }
  const env = environmentOf(spec);
  const input: Record<string, unknown> = { ...(options as Record<string, unknown> | undefined) };
  for (const [option, variable] of Object.entries(spec.env ?? {}) as [string, string][]) {
    const fromEnv = env[variable];
    if (input[option] === undefined && fromEnv?.trim()) input[option] = fromEnv.trim();
  }
  const required = new Set<string>();
  const result = schema.safeParse(input);
  const issues = result.success ? [] : toInputIssues(result.error, '', schema);
  const parsed = (result.success ? result.data : input) as z.output<S> & Record<string, unknown>;
  for (const option of spec.required?.(parsed) ?? []) {
    if (!blank(input[option])) continue;
    required.add(option);
    const envVar = (spec.env as Record<string, string> | undefined)?.[option];
    // A blank string also breaks the schema; one message about it is enough.
    for (let i = issues.length - 1; i >= 0; i--)
      if (issues[i]?.path === option) issues.splice(i, 1);
    issues.push(missingCredentialIssue(provider, option, envVar));
  }
  for (const option of spec.secrets ?? []) {
    if (!required.has(option)) issues.push(...secretIssues(option, input[option]));
  }
  const insecure = input.allowInsecureHttp === true;
  for (const option of spec.urls ?? ['baseUrl']) {
    issues.push(...endpointUrlIssues(option, input[option], insecure));
  }
  if (issues.length > 0) throw new InputValidationError(issues, { provider });
  return parsed;
}

/**
 * The reserved name a `native` key stands for, if any: vendors read query keys without regard to
 * case or a `[]`/`[…]` suffix (`INTEGRATED_ACCOUNT_ID`, `integrated_account_id[]`), so neither may
 * slip past a check for `integrated_account_id`.
 */
export function reservedNativeKey(key: string, reserved: readonly string[]): string | undefined {
  const base = (key.split('[')[0] ?? '').trim().toLowerCase();
  return reserved.find((name) => name.toLowerCase() === base);
}
