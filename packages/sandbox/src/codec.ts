import { createHmac } from 'node:crypto';
import { base64url, fromBase64url } from './http';

/**
 * Opaque, tamper-evident tokens (cursors, page tokens): base64url(JSON) + '.' + short HMAC.
 * Stateless, so millions of pages cost no server memory.
 */
export class TokenCodec {
  constructor(private readonly secret: string) {}

  encode(payload: unknown): string {
    const body = base64url(JSON.stringify(payload));
    return `${body}.${this.sign(body)}`;
  }

  decode<T>(token: string): T | undefined {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    if (this.sign(body) !== token.slice(dot + 1)) return undefined;
    try {
      return JSON.parse(fromBase64url(body)) as T;
    } catch {
      return undefined;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 12);
  }
}
