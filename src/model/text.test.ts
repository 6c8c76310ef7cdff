import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTable, trimBoth, trimEnd, wrap } from './text.js';

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

describe('wrap', () => {
  it('breaks lines where splitting into words and adding them one at a time broke, whatever the spaces', () => {
    const unit = fc.constantFrom('a', 'b', '😀', '\ud800', ' ', ' ', ' ', '\t', '\n', '\u00a0', '\u2028');
    // Sentences with words one space apart (as the detector writes them), then any whitespace at all.
    const word = fc.string({ unit: fc.constantFrom('a', 'b', '😀', '\ud800', '-'), minLength: 1, maxLength: 12 });
    const sentence = fc.array(word, { maxLength: 20 }).map((words) => words.join(' '));
    const width = fc.integer({ min: -1, max: 30 });
    for (const text of [sentence, fc.string({ unit, maxLength: 80 })])
      fc.assert(
        fc.property(text, width, (t, w) => {
          expect(wrap(t, w)).toEqual(wrapWordByWord(t, w));
        }),
      );
    const headline = 'memory floor rising 12.3 MiB/h (95% CI 11.0–13.5) over 23.9 h of history; limit in 61.0 h';
    expect(wrap(headline, 40)).toEqual([
      'memory floor rising 12.3 MiB/h (95% CI',
      '11.0–13.5) over 23.9 h of history; limit',
      'in 61.0 h',
    ]);
    expect(wrap('a-word-longer-than-the-width then more', 10)).toEqual(['a-word-longer-than-the-width', 'then more']);
  });
});

/** `wrap` as it was first written (split into words, each appended to the line while it fits): the reference. */
function wrapWordByWord(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
