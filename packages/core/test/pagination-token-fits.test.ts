import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VENDOR_TOKEN_LENGTH } from '../src/pagination/cursor';
import { tokenFits } from '../src/pagination/paginate';

/** The rule without the shortcut: the token and its JSON form both within the limit. */
const slow = (token: string) =>
  token.length <= MAX_VENDOR_TOKEN_LENGTH &&
  JSON.stringify(token).length - 2 <= MAX_VENDOR_TOKEN_LENGTH;

describe('tokenFits (a token measured without JSON.stringify when even six characters a unit fit)', () => {
  const sixth = Math.floor(MAX_VENDOR_TOKEN_LENGTH / 6);

  it.each([
    ['control characters at the shortcut’s edge', '\u0001'.repeat(sixth), true],
    ['control characters one past it', '\u0001'.repeat(sixth + 1), false],
    ['plain characters one past it', 'a'.repeat(sixth + 1), true],
    ['quotes, half escaped', '"'.repeat(MAX_VENDOR_TOKEN_LENGTH / 2 + 1), false],
    ['the longest plain token', 'a'.repeat(MAX_VENDOR_TOKEN_LENGTH), true],
    ['one longer', 'a'.repeat(MAX_VENDOR_TOKEN_LENGTH + 1), false],
    ['lone surrogates at the edge', '\ud800'.repeat(sixth), true],
    ['lone surrogates one past it', '\ud800'.repeat(sixth + 1), false],
  ])('%s', (_name, token, fits) => {
    expect(tokenFits(token)).toBe(fits);
    expect(slow(token)).toBe(fits);
  });

  it('agrees with the rule on arbitrary tokens around the edge', () => {
    const unit = fc.constantFrom('a', '"', '\\', '\u0001', '\u001f', '\ud800', 'é', '\n');
    fc.assert(
      fc.property(unit, unit, fc.integer({ min: -3, max: 3 }), fc.nat(40), (a, b, d, k) => {
        const token = a.repeat(sixth + d - k) + b.repeat(k);
        return tokenFits(token) === slow(token);
      }),
      { numRuns: 200, seed: 14 },
    );
  });
});
