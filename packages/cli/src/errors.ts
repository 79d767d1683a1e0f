import { EngagekitError } from '@engagekit/core';

/** One line: the class name and the message (never a stack, never a secret). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const message = error.message.replace(/\s*\n\s*/g, '; ').trim();
    const name = error instanceof EngagekitError ? error.name : error.name || 'Error';
    return `${name}: ${message}`;
  }
  return String(error);
}
