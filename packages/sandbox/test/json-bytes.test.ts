import { expect, it } from 'vitest';
import { jsonBytes } from '../src/json-bytes';

// jsonBytes must give exactly the bytes of JSON.stringify, whatever the value holds.
const cases: [string, unknown][] = [
  [
    'a page of records',
    {
      data: Array.from({ length: 300 }, (_, i) => ({
        id: `r${i}`,
        name: i % 2 ? 'Zoë 王芳 😀' : 'plain',
        nested: { list: [1, 'two', null, { deep: [i] }], skip: undefined },
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      })),
      next_page_token: 'abc',
      total: 300,
    },
  ],
  ['members JSON leaves out', { a: undefined, b: () => 1, c: Symbol('s'), d: 1, e: 'x' }],
  ['array elements JSON writes as null', [undefined, () => 1, Symbol('s'), 1, [undefined]]],
  ['a top-level array of objects', [{ b: 1, a: 2 }, { '"quoted" key\n': 'v' }]],
  ['toJSON at the top', { toJSON: () => ({ replaced: true }) }],
  ['toJSON on a member', { when: new Date(0), custom: { toJSON: () => 'custom' } }],
  ['scalars', 'text with "quotes" and \\ and \u0000 and \ud800'],
  ['empty containers', { a: [], b: {}, c: [[], {}] }],
  ['null', null],
  ['a number', 12.5],
  ['a string longer than a chunk', { blob: 'é'.repeat(40_000), after: [1, 2] }],
];

for (const [name, value] of cases) {
  it(`jsonBytes equals the UTF-8 of JSON.stringify: ${name}`, () => {
    const expected = Buffer.from(JSON.stringify(value) as string, 'utf8');
    const actual = jsonBytes(value);
    expect(actual.length).toBe(expected.length);
    expect(actual.toString('latin1')).toBe(expected.toString('latin1'));
  });
}
