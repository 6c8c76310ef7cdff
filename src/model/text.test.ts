import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTable, trimBoth, trimEnd } from './text.js';

describe('trimEnd / trimBoth', () => {
  it.each([
    ['https://prom/prefix//', '/', 'https://prom/prefix'],
    ['rook-ceph.-.', '.-', 'rook-ceph'],
    ['///', '/', ''],
    ['', '/', ''],
  ])('trimEnd(%j, %j) → %j', (text, chars, expected) => expect(trimEnd(text, chars)).toBe(expected));

  it('strip what the anchored patterns stripped', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('-', '/', 'a', '.', ' ') }), (text) => {
        expect(trimEnd(text, '/')).toBe(text.replace(/\/+$/, ''));
        expect(trimBoth(text, '-')).toBe(text.replace(/^-+|-+$/g, ''));
      }),
    );
  });
});

describe('renderTable', () => {
  it('pads each column to its widest cell in code points (sparklines, emoji, lone surrogates)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', '▁', '█', '😀', '\ud800', '\udc00'), maxLength: 6 });
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = (column: number) => Math.max(...rows.map((row) => [...row[column]!].length));
        const expected = rows.map(([a, b, c]) =>
          [a + ' '.repeat(width(0) - [...a].length), b + ' '.repeat(width(1) - [...b].length), c].join('  '),
        );
        expect(renderTable(rows).split('\n')).toEqual(expected);
      }),
    );
  });
});
