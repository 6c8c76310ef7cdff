/** Version strings as they appear in GitOps files: `1.14.9` or `v1.14.9`. */
import { trimEnd } from '../../model/text.js';

import { shortRepository } from '../../catalog/image.js';
import { stripV } from '../../catalog/version.js';

export { stripV };

/** True when `literal` (as written in the file) names the same version as `version`, ignoring a leading `v`. */
export function sameVersion(literal: string, version: string): boolean {
  return stripV(literal) === stripV(version) && stripV(literal) !== '';
}

/** Writes `toVersion` in the style of `original`: a `v` prefix only where the original had one. */
export function inStyleOf(original: string, toVersion: string): string {
  const bare = stripV(toVersion);
  return /^v\d/.test(original) ? `v${bare}` : bare;
}

/**
 * The same image repository written with or without its registry: `docker.io/rook/ceph`,
 * `rook/ceph` and `quay.io/rook/ceph` all match `rook/ceph` (suffix on a path boundary, either way).
 */
export function repositoryMatches(repository: string, filter: string | undefined): boolean {
  if (filter === undefined || filter === '') return true;
  const a = shortRepository(repository);
  const b = shortRepository(filter);
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

/** `1.14.x`, `~1.14.0`, `>=1.14.0 <1.15.0`, `^1`, `*`: a constraint, not one version. */
export function isVersionRange(text: string): boolean {
  return /[\^~<>=*|]|(^|\.)[xX](\.|$)|\s-\s/.test(text.trim());
}

/** `oci://ghcr.io/rook/rook-ceph` → `rook-ceph`; `./charts/rook-ceph/` → `rook-ceph`. */
export function lastSegment(ref: string): string {
  return trimEnd(ref, '/').split('/').pop() ?? '';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The version as a token: `v1.14.9` in `?ref=v1.14.9` or `/download/v1.14.9/`, not in `11.14.9` or `1.14.9-rc1`. */
export function versionToken(version: string): RegExp {
  return new RegExp(`(?<![\\w.])v?${escapeRegExp(stripV(version))}(?![\\w-]|\\.\\d)`, 'g');
}

/** Every token of `version` in `text` replaced by `toVersion`, each in its own `v` style. */
export function replaceVersionTokens(
  text: string,
  version: string,
  toVersion: string,
): { text: string; changed: boolean } {
  let changed = false;
  const out = text.replace(versionToken(version), (m) => {
    changed = true;
    return inStyleOf(m, toVersion);
  });
  return { text: out, changed };
}
