import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { bodyText, parseJsonBytes, tooLongForText } from '../src/http/json-body';

const utf8 = (text: string) => Buffer.from(text, 'utf8');
/** What axios' text body gave before: the reference every case is held to. */
const reference = (bytes: Uint8Array) => JSON.parse(Buffer.from(bytes).toString('utf8'));

describe('parseJsonBytes', () => {
  it('parses an ASCII body', () => {
    expect(parseJsonBytes(utf8('{"a":[1,"x",null,{"b":true}]}'))).toEqual({
      a: [1, 'x', null, { b: true }],
    });
  });

  it('decodes non-ASCII strings in values, nested arrays and objects, and keys', () => {
    const value = {
      name: 'Zoë Ångström — 東京 🎧',
      plain: 'ascii only',
      list: ['naïve', 'ok', ['tête-à-tête', 42], { clé: 'valeur €' }],
      nested: { deeper: { ключ: ['значение'] } },
      n: 3.5,
    };
    const bytes = utf8(JSON.stringify(value));
    expect(parseJsonBytes(bytes)).toEqual(value);
    // Key order is kept where a key is decoded.
    expect(Object.keys((parseJsonBytes(bytes) as typeof value).list[3] as object)).toEqual(['clé']);
  });

  it('keeps key order when keys are decoded among plain ones', () => {
    const bytes = utf8('{"z":1,"é":2,"a":3,"ü":4}');
    expect(Object.entries(parseJsonBytes(bytes) as object)).toEqual([
      ['z', 1],
      ['é', 2],
      ['a', 3],
      ['ü', 4],
    ]);
  });

  it('nulls, numbers and booleans beside decoded strings are left as they are', () => {
    const value = { a: [null, 'é', 1, true, [null]], b: null, c: { d: null, e: 'ü', f: false } };
    expect(parseJsonBytes(utf8(JSON.stringify(value)))).toEqual(value);
  });

  it('a top-level string is decoded', () => {
    expect(parseJsonBytes(utf8('"Grüße"'))).toBe('Grüße');
  });

  it('a body with \\u escapes takes the plain path: an escaped U+00E9 next to a raw "é" stays "é" twice', () => {
    // Latin-1 text would hold U+00E9 for both, and decoding the string again would turn the
    // escaped one into U+FFFD.
    const bytes = utf8('{"a":"caf\\u00e9 café","b":"\\u6771"}');
    expect(parseJsonBytes(bytes)).toEqual({ a: 'café café', b: '東' });
  });

  it('invalid UTF-8 inside strings gives the same U+FFFD replacements as decoding the whole body', () => {
    const cases = [
      Buffer.from([0x22, 0xe2, 0x82, 0x22]), // truncated sequence before the closing quote
      Buffer.from([0x5b, 0x22, 0xff, 0x61, 0x22, 0x2c, 0x22, 0xc3, 0x22, 0x5d]), // lone bytes
      Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x5c, 0x6e, 0x22]), // encoded surrogate, then \n
      Buffer.from([0x22, 0xe2, 0x5c, 0x22, 0x22]), // lead byte then an escaped quote
    ];
    for (const bytes of cases) {
      expect(parseJsonBytes(bytes)).toEqual(reference(bytes));
    }
  });

  it('two keys that decode to the same one keep the last value at the first place, as JSON.parse does', () => {
    // 0xFF and 0xFE are both invalid: each key decodes to U+FFFD.
    const bytes = Buffer.concat([
      utf8('{"'),
      Buffer.from([0xff]),
      utf8('":1,"m":2,"'),
      Buffer.from([0xfe]),
      utf8('":3}'),
    ]);
    const parsed = parseJsonBytes(bytes) as Record<string, number>;
    expect(Object.entries(parsed)).toEqual(Object.entries(reference(bytes)));
    expect(Object.entries(parsed)).toEqual([
      ['\ufffd', 3],
      ['m', 2],
    ]);
  });

  it('decoded keys are plain data properties: writable and deletable, as JSON.parse makes them', () => {
    const parsed = parseJsonBytes(utf8('{"é":1,"a":2}')) as Record<string, number>;
    parsed.é = 3;
    expect(parsed.é).toBe(3);
    expect(delete parsed.é).toBe(true);
    expect(Object.keys(parsed)).toEqual(['a']);
  });

  it('a "__proto__" key stays an own key when the object has keys to decode', () => {
    const parsed = parseJsonBytes(utf8('{"__proto__":{"polluted":1},"é":2}')) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'é']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('non-ASCII outside a string is the SyntaxError JSON.parse gives on the UTF-8 text', () => {
    const bytes = utf8('{"a":1}é');
    expect(() => parseJsonBytes(bytes)).toThrow(SyntaxError);
    expect(() => parseJsonBytes(utf8('{"a":\u00a01}'))).toThrow(SyntaxError);
  });

  it('a body nested deeper than the call stack is decoded without recursion', () => {
    const depth = 100_000;
    const bytes = utf8(`${'['.repeat(depth)}"é"${']'.repeat(depth)}`);
    let inner: unknown = parseJsonBytes(bytes);
    for (let i = 0; i < depth; i++) inner = (inner as unknown[])[0];
    expect(inner).toBe('é');
  });

  it('matches the UTF-8 reference on a generated corpus of mixed strings', () => {
    const alphabet = [
      'a',
      'Z',
      ' ',
      '"',
      '\\',
      '\n',
      'é',
      'ß',
      '€',
      '東',
      '🎧',
      '\u0085',
      '\u00a0',
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const word = () =>
      Array.from({ length: 1 + Math.floor(random() * 8) }, () => {
        return alphabet[Math.floor(random() * alphabet.length)];
      }).join('');
    for (let n = 0; n < 200; n++) {
      const value = Object.fromEntries(
        Array.from({ length: 5 }, () => [word(), [word(), { [word()]: word() }]]),
      );
      const bytes = utf8(JSON.stringify(value));
      expect(parseJsonBytes(bytes)).toEqual(reference(bytes));
    }
  });

  it('accepts a Uint8Array that is a view into a larger buffer', () => {
    const whole = utf8('xx{"é":"ü"}yy');
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.length - 4);
    expect(parseJsonBytes(view)).toEqual({ é: 'ü' });
  });
});

describe('bodyText and tooLongForText', () => {
  it('decodes bytes and ArrayBuffers as UTF-8, leaves text alone', () => {
    expect(bodyText(utf8('Fehler: ungültig'))).toBe('Fehler: ungültig');
    const bytes = utf8('<html>é</html>');
    expect(bodyText(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))).toBe(
      '<html>é</html>',
    );
    expect(bodyText('as is')).toBe('as is');
    expect(bodyText(undefined)).toBeUndefined();
  });

  it('names bytes past the longest string, and only those', () => {
    expect(tooLongForText(utf8('{}'))).toBe(false);
    expect(tooLongForText('x')).toBe(false);
    // A view claims its length without allocating it.
    const huge = { byteLength: 2 ** 30 } as unknown as Uint8Array;
    Object.setPrototypeOf(huge, Uint8Array.prototype);
    expect(tooLongForText(huge)).toBe(true);
    // The longest string still fits: only past it does the body count as too long.
    const longest = { byteLength: constants.MAX_STRING_LENGTH } as unknown as Uint8Array;
    Object.setPrototypeOf(longest, Uint8Array.prototype);
    expect(tooLongForText(longest)).toBe(false);
  });
});
