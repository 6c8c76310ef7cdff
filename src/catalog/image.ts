// Image references: the one parser every layer uses (discovery, catalogue, Slack, PR, file bump), and
// the repository patterns catalogue entries name an operator with.
//
// Versions come from the tag through `parseVersion`: `v1.15.0-rc.1` is the pre-release 1.15.0-rc.1
// (never 1.15.0), `1.14.9_ubi` and `v1.14.9-alpine` are build variants of 1.14.9, a floating `v1.14`
// is no version at all.
//
// Pattern rules: an entry names a repository (`rook/ceph`, `quay.io/argoproj/argocd`) and matches it
// on the repository path, whatever registry serves the image (Docker Hub, quay/ghcr mirrors, a mirror
// that rewrites the host). A registry host in the pattern, or a leading `*`, is ignored for that reason.
// `**` matches any number of path segments. A mirror that adds a path prefix (`harbor.corp/hub/rook/ceph`)
// is configured once as a mirror prefix (`harbor.corp/hub`), and the rest of the path is matched.

import { formatVersion, parseVersion, type Version } from './version.js';
import { trimEnd } from '../model/text.js';

export interface ImageRef {
  /** Registry host, `docker.io` when the reference names none. */
  registry: string;
  /** Repository path inside the registry, `library/nginx` for `nginx`. */
  path: string;
  /** The repository as written, without tag or digest (what humans recognise, e.g. `rook/ceph`). */
  repository: string;
  tag: string | null;
  digest: string | null;
  /** The version the tag names; null for floating tags (`latest`, `v1.14`) and digest-only references. */
  version: Version | null;
}

const dockerHubAliases = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function looksLikeRegistry(segment: string): boolean {
  return segment.includes('.') || segment.includes(':') || segment === 'localhost';
}

function splitRepository(repository: string): { registry: string; path: string } {
  const segments = repository.split('/');
  const first = segments[0] ?? '';
  const hasRegistry = segments.length > 1 && looksLikeRegistry(first);
  const registry = hasRegistry ? first.toLowerCase() : 'docker.io';
  const rest = hasRegistry ? segments.slice(1) : segments;
  const normalizedRegistry = dockerHubAliases.has(registry) ? 'docker.io' : registry;
  const path = normalizedRegistry === 'docker.io' && rest.length === 1 ? `library/${rest[0]}` : rest.join('/');
  return { registry: normalizedRegistry, path };
}

/** Parses `[registry[:port]/]path[:tag][@digest]`. */
export function parseImageRef(image: string): ImageRef {
  const trimmed = image.trim();
  const at = trimmed.indexOf('@');
  const digest = at >= 0 ? trimmed.slice(at + 1) : null;
  const name = at >= 0 ? trimmed.slice(0, at) : trimmed;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  const repository = colon >= 0 ? name.slice(0, colon) : name;
  const tag = (colon >= 0 ? name.slice(colon + 1) : '') || null;
  return {
    ...splitRepository(repository),
    repository,
    tag,
    digest: digest || null,
    version: tag ? parseVersion(tag) : null,
  };
}

/** The version in an image's tag as written in messages (`rook/ceph:v1.14.9-alpine` → `1.14.9`); null when the tag names none. */
export function versionFromImage(image: string | ImageRef): string | null {
  const { version } = typeof image === 'string' ? parseImageRef(image) : image;
  return version ? formatVersion(version) : null;
}

function withoutLibrary(segments: readonly string[]): string[] {
  return segments[0] === 'library' ? segments.slice(1) : [...segments];
}

/**
 * A repository as people write it, Docker Hub's implicit parts dropped and case folded:
 * `docker.io/library/nginx` → `nginx`, `registry-1.docker.io/rook/ceph` → `rook/ceph`; other registries kept.
 */
export function shortRepository(repository: string): string {
  const { registry, path } = splitRepository(repository.toLowerCase());
  return registry === 'docker.io' ? withoutLibrary(path.split('/')).join('/') : `${registry}/${path}`;
}

function patternPath(pattern: string): string[] {
  const segments = pattern.trim().split('/');
  const first = segments[0] ?? '';
  if (segments.length > 1 && (first === '*' || looksLikeRegistry(first))) return withoutLibrary(segments.slice(1));
  return withoutLibrary(splitRepository(pattern.trim()).path.split('/'));
}

/**
 * Glob matching over segments in O(pattern × path): `**` takes any number of segments, `*` exactly
 * one. Only the latest `**` is ever retried (with one more segment), as in classic wildcard matching;
 * retrying every earlier one too, as a recursive match does, costs combinatorial time.
 */
function matchSegments(pattern: readonly string[], subject: readonly string[]): boolean {
  let p = 0;
  let s = 0;
  let starAt = -1;
  let starTook = 0;
  while (s < subject.length) {
    if (pattern[p] === '**') {
      starAt = p++;
      starTook = s;
    } else if (p < pattern.length && (pattern[p] === '*' || pattern[p] === subject[s])) {
      p++;
      s++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      s = ++starTook;
    } else {
      return false;
    }
  }
  while (pattern[p] === '**') p++;
  return p === pattern.length;
}

/**
 * The repository paths an image may be known by: its own, and for each mirror prefix it starts with
 * (`harbor.corp/hub`), the path behind the prefix (`harbor.corp/hub/quay.io/jetstack/x` → `jetstack/x`).
 */
export function candidatePaths(ref: ImageRef, mirrorPrefixes: readonly string[] = []): string[][] {
  const full = `${ref.registry}/${ref.path}`;
  const written = ref.repository.toLowerCase();
  const behind = mirrorPrefixes
    .map((prefix) => trimEnd(prefix.trim(), '/').toLowerCase())
    .flatMap((prefix) =>
      [full, written]
        .filter((name) => prefix !== '' && name.toLowerCase().startsWith(`${prefix}/`))
        .map((name) => name.slice(prefix.length + 1)),
    )
    .map((rest) => splitRepository(rest).path);
  return [ref.path, ...behind].map((path) => withoutLibrary(path.split('/')));
}

/** True when the image's repository path (tag, digest and registry ignored) matches the pattern. */
export function imageMatchesPattern(
  image: string | ImageRef,
  pattern: string,
  mirrorPrefixes: readonly string[] = [],
): boolean {
  const ref = typeof image === 'string' ? parseImageRef(image) : image;
  const wanted = patternPath(pattern);
  return candidatePaths(ref, mirrorPrefixes).some((path) => matchSegments(wanted, path));
}
