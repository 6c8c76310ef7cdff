// Image references and the repository patterns catalogue entries use to name an operator.
//
// Pattern rules: a pattern without a registry host (`rook/ceph`) means Docker Hub, like `docker pull`
// does; `*` matches one path segment (`*/rook/ceph`: any registry), `**` one or more segments
// (`**/rook/ceph`: any registry, also behind a mirror prefix such as `harbor.corp/hub/rook/ceph`).

import { normalizeVersion } from './version.js';

export interface ImageRef {
  /** Registry host, `docker.io` when the reference names none. */
  registry: string;
  /** Repository path inside the registry, `library/nginx` for `nginx`. */
  path: string;
  /** The repository as written, without tag or digest (what humans recognise, e.g. `rook/ceph`). */
  repository: string;
  tag: string | null;
  digest: string | null;
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

/** Parses `[registry/]path[:tag][@digest]`. */
export function parseImageRef(image: string): ImageRef {
  const trimmed = image.trim();
  const at = trimmed.indexOf('@');
  const digest = at >= 0 ? trimmed.slice(at + 1) : null;
  const name = at >= 0 ? trimmed.slice(0, at) : trimmed;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  const repository = colon >= 0 ? name.slice(0, colon) : name;
  const tag = colon >= 0 ? name.slice(colon + 1) : null;
  return { ...splitRepository(repository), repository, tag: tag || null, digest: digest || null };
}

/** The version in an image's tag (`rook/ceph:v1.14.9-alpine` → `1.14.9`); null for digests only or non-version tags. */
export function versionFromImage(image: string): string | null {
  const { tag } = parseImageRef(image);
  return tag ? normalizeVersion(tag) : null;
}

function patternSegments(pattern: string): string[] {
  const segments = pattern.trim().split('/');
  const first = segments[0] ?? '';
  if (first === '*' || first === '**' || (segments.length > 1 && looksLikeRegistry(first))) {
    const registry = first.toLowerCase();
    return [dockerHubAliases.has(registry) ? 'docker.io' : registry, ...segments.slice(1)];
  }
  const { registry, path } = splitRepository(pattern.trim());
  return [registry, ...path.split('/')];
}

function matchSegments(pattern: readonly string[], subject: readonly string[]): boolean {
  const [head, ...rest] = pattern;
  if (head === undefined) return subject.length === 0;
  if (head === '**') {
    for (let taken = 1; taken <= subject.length; taken++) {
      if (matchSegments(rest, subject.slice(taken))) return true;
    }
    return false;
  }
  const [first, ...others] = subject;
  if (first === undefined) return false;
  return (head === '*' || head === first) && matchSegments(rest, others);
}

/** True when the image's repository (tag and digest ignored) matches the pattern. */
export function imageMatchesPattern(image: string | ImageRef, pattern: string): boolean {
  const ref = typeof image === 'string' ? parseImageRef(image) : image;
  const subject = [ref.registry, ...ref.path.split('/')];
  return matchSegments(patternSegments(pattern), subject);
}
