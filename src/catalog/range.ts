/**
 * Version ranges in the npm-semver subset catalogue entries need: comparators joined by spaces are
 * ANDed (`>=1.14.0 <1.15.9`), `||` separates alternatives. A bare version means exactly that version.
 */
import { compareVersions, parseVersion, type Version } from './version.js';

type Operator = '<' | '<=' | '>' | '>=' | '=';

interface Comparator {
  operator: Operator;
  version: Version;
}

/** Alternatives (OR) of comparator sets (AND). */
export type VersionRange = Comparator[][];

const comparatorPattern = /^(<=|>=|<|>|=)?\s*(\S+)$/;

/** Parses a range; throws a RangeError naming the bad part, so config errors point at it. */
export function parseRange(text: string): VersionRange {
  const alternatives = text.split('||').map((part) => part.trim());
  return alternatives.map((alternative) => {
    // Allow `>= 1.14.0` as well as `>=1.14.0`.
    const tokens = alternative
      .replace(/(<=|>=|<|>|=)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    if (tokens.length === 0) throw new RangeError(`empty version range in ${JSON.stringify(text)}`);
    return tokens.map((token) => {
      const match = comparatorPattern.exec(token);
      const version = match?.[2] ? parseVersion(match[2]) : null;
      if (!match || !version) {
        throw new RangeError(
          `expected a comparator like >=1.14.0 in ${JSON.stringify(text)}, got ${JSON.stringify(token)}`,
        );
      }
      return { operator: (match[1] ?? '=') as Operator, version };
    });
  });
}

export function isValidRange(text: string): boolean {
  try {
    parseRange(text);
    return true;
  } catch {
    return false;
  }
}

function satisfiesComparator(version: Version, { operator, version: bound }: Comparator): boolean {
  const order = compareVersions(version, bound);
  switch (operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '=':
      return order === 0;
  }
}

// Catalogue ranges are few and matched for every target of every run: parse each once.
const parsedRanges = new Map<string, VersionRange>();

function cachedRange(text: string): VersionRange {
  let range = parsedRanges.get(text);
  if (!range) {
    range = parseRange(text);
    parsedRanges.set(text, range);
  }
  return range;
}

/** True when the version falls in the range (a string range is parsed first). */
export function satisfies(version: Version | string, range: VersionRange | string): boolean {
  const parsed = typeof version === 'string' ? parseVersion(version) : version;
  if (!parsed) return false;
  const alternatives = typeof range === 'string' ? cachedRange(range) : range;
  return alternatives.some((comparators) => comparators.every((comparator) => satisfiesComparator(parsed, comparator)));
}
