import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trimBoth, trimEnd } from './text.js';

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
