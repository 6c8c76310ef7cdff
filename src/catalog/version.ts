/**
 * Semver-ish versions as operators tag their images: `v1.14.9`, `1.14.9`, `v1.14.9-alpine`,
 * `v1.14.9@sha256:…`, `v1.15.0-rc.1`. Only full MAJOR.MINOR.PATCH versions count: a floating tag such
 * as `v1.14` names whatever patch was pushed last, so it says nothing reliable about a bug range.
 */

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** `rc.1` for `1.15.0-rc.1`; null for releases and for build variants such as `-alpine`. */
  prerelease: string | null;
}

/**
 * The longest tag a registry accepts (OCI distribution spec): a longer one names no version. Tags come
 * from any pod a selector matches, so the cap also bounds what one crafted tag costs to read.
 */
export const MAX_TAG_LENGTH = 128;

const versionPattern = /^v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:([-+_])(.*))?$/i;
// Suffixes that mark a pre-release rather than a build variant of the release (`-alpine`, `-ubi9`).
// Each repetition takes exactly one digit (after at most one separator), so a string splits one way
// only and matching stays linear; `([.\-_]?\d+)*` backtracked exponentially on a run of digits.
const prereleasePattern = /^(?:alpha|beta|rc|pre|preview|dev|snapshot)(?:[-._]?\d)*$/i;

/**
 * Parses a tag or version string in linear time; null when it is not a full version (e.g. `latest`,
 * `v1.14`, `sha-1a2b3c`) or longer than MAX_TAG_LENGTH.
 */
export function parseVersion(text: string): Version | null {
  const withoutDigest = text.trim().split('@')[0] ?? '';
  if (withoutDigest.length > MAX_TAG_LENGTH) return null;
  const match = versionPattern.exec(withoutDigest);
  if (!match) return null;
  const [, major, minor, patch, separator, suffix] = match;
  const prerelease =
    separator === '-' && suffix !== undefined && prereleasePattern.test(suffix) ? suffix.toLowerCase() : null;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), prerelease };
}

/** `1.14.9` (or `1.15.0-rc.1`), without the `v`: the form used in catalogue entries and PR titles. */
export function formatVersion(version: Version): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  return version.prerelease ? `${core}-${version.prerelease}` : core;
}

/** Negative when a < b. A pre-release sorts before its release, as in semver. */
export function compareVersions(a: Version, b: Version): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === null) return 1;
  if (b.prerelease === null) return -1;
  return a.prerelease < b.prerelease ? -1 : 1;
}

/** Normalizes any accepted spelling (`v1.14.9-alpine`) to `1.14.9`; null when not a version. */
export function normalizeVersion(text: string): string | null {
  const version = parseVersion(text);
  return version ? formatVersion(version) : null;
}

/** `v1.14.9` → `1.14.9`: the version as people write it in prose; a `v` before a letter stays. */
export function stripV(version: string): string {
  return version.trim().replace(/^v(?=\d)/, '');
}

/** `1.15.9` → `v1.15.9`: versions as people write them next to each other ("v1.14.9 → v1.15.9"). */
export function withV(version: string): string {
  return /^\d/.test(version) ? `v${version}` : version;
}
