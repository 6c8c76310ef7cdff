import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions, normalizeVersion, parseVersion } from './version.js';
import { isValidRange, parseRange, satisfies } from './range.js';

describe('normalizeVersion', () => {
  it.each([
    ['v1.14.9', '1.14.9'],
    ['1.14.9', '1.14.9'],
    ['v1.14.9-alpine', '1.14.9'],
    ['v1.14.9@sha256:0123456789abcdef', '1.14.9'],
    ['v1.14.9-alpine@sha256:0123456789abcdef', '1.14.9'],
    ['V2.0.10+build.7', '2.0.10'],
    ['v1.15.0-rc.1', '1.15.0-rc.1'],
  ])('%s → %s', (tag, version) => expect(normalizeVersion(tag)).toBe(version));

  it.each(['latest', 'master', 'v1.14', '1', 'sha-1a2b3c4', '1.14.9.1', '', 'release-1.14.9'])(
    '%j is not a version',
    (tag) => {
      expect(normalizeVersion(tag)).toBeNull();
    },
  );
});

describe('compareVersions', () => {
  const v = (text: string) => parseVersion(text)!;
  it.each([
    ['1.14.9', '1.15.0', -1],
    ['1.15.10', '1.15.9', 1],
    ['2.0.0', '1.99.99', 1],
    ['1.15.0-rc.1', '1.15.0', -1],
    ['1.14.9-alpine', '1.14.9', 0],
  ])('%s vs %s', (a, b, sign) => expect(Math.sign(compareVersions(v(a), v(b)))).toBe(sign));
});

describe('satisfies', () => {
  it.each([
    ['1.14.0', '>=1.14.0 <1.15.9', true],
    ['1.14.9', '>=1.14.0 <1.15.9', true],
    ['1.15.8', '>=1.14.0 <1.15.9', true],
    ['1.15.9', '>=1.14.0 <1.15.9', false],
    ['1.13.10', '>=1.14.0 <1.15.9', false],
    ['1.15.9-rc.1', '>=1.14.0 <1.15.9', true],
    ['1.16.2', '>=1.14.0 <1.15.9 || >=1.16.0 <1.16.5', true],
    ['1.16.5', '>=1.14.0 <1.15.9 || >=1.16.0 <1.16.5', false],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '=1.2.3', false],
    ['1.2.3', '>= 1.2.0 <= 1.2.3', true],
    ['latest', '>=0.0.0', false],
  ])('%s in %s → %s', (version, range, expected) => expect(satisfies(version, range)).toBe(expected));

  it.each(['', '>=', '>=1.14', '~1.14.0', '>=1.14.0 <banana'])('rejects the range %j', (range) => {
    expect(isValidRange(range)).toBe(false);
    expect(() => parseRange(range)).toThrow(RangeError);
  });
});

// A pod's image tag is anyone's input: one crafted tag must not blind a run (it once cost 90 s of CPU).
describe('parseVersion on hostile tags', () => {
  const budgetMs = 250;
  const timed = (tag: string): { ms: number; version: ReturnType<typeof parseVersion> } => {
    const start = performance.now();
    const version = parseVersion(tag);
    return { ms: performance.now() - start, version };
  };

  it('the reported tag (rc, many digits, a rejecting suffix) parses at once as a build of 1.14.9', () => {
    const { ms, version } = timed(`v1.14.9-rc${'1'.repeat(27)}x`);
    expect(ms).toBeLessThan(budgetMs);
    expect(version).toEqual({ major: 1, minor: 14, patch: 9, prerelease: null });
  });

  it('a tag longer than a registry allows (128 characters) is no version', () => {
    expect(parseVersion(`v1.14.9-${'a'.repeat(121)}`)).toBeNull();
    expect(parseVersion(`v1.14.9-${'a'.repeat(120)}`)).toMatchObject({ major: 1, minor: 14, patch: 9 });
    expect(parseVersion(`v1.15.0-rc.${'1'.repeat(200)}`)).toBeNull();
  });

  it('any tag built from pre-release pieces parses within the budget', () => {
    const piece = fc.constantFrom('1', '0', '9999999', '.', '-', '_', '+', 'rc', 'alpha', 'x', 'RC', '.1', '@');
    const tag = fc
      .tuple(
        fc.constantFrom('v1.14.9', '1.15.0', 'V2.0.10'),
        fc.constantFrom('-', '_', '+'),
        fc.constantFrom('rc', 'beta', 'dev', 'snapshot'),
        fc.array(piece, { maxLength: 120 }),
      )
      .map(([core, separator, word, rest]) => `${core}${separator}${word}${rest.join('')}`);
    fc.assert(
      fc.property(tag, (text) => {
        const { ms, version } = timed(text);
        expect(ms).toBeLessThan(budgetMs);
        if (text.split('@')[0]!.length > 128) expect(version).toBeNull();
      }),
      { examples: [[`v1.14.9-rc${'1'.repeat(25)}x`], [`v1.14.9-dev${'12'.repeat(12)}-`]] },
    );
  });
});
