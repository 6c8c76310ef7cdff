/**
 * The catalogue: built-in entries plus the user's, matched against a running operator's image and
 * version, with the upgrade target and a sentence a human reads in Events, Slack and PR bodies.
 */
import { z } from 'zod';
import { builtinKnownIssues } from './builtin.js';
import { parseImageRef, imageMatchesPattern, versionFromImage } from './image.js';
import { satisfies } from './range.js';
import { knownIssueSchema, type KnownIssue, type Workaround } from './schema.js';
import { compareVersions, formatVersion, parseVersion, type Version } from './version.js';

export type Catalog = readonly KnownIssue[];

export interface KnownIssueMatch {
  issue: KnownIssue;
  /** The running version, normalized (`1.14.9`). */
  version: string;
  /** The affected range the version falls in. */
  range: string;
  /** Next fixed release along the upgrade path; null when none is reachable in one step. */
  targetVersion: string | null;
  /** "rook/ceph v1.14.9 is affected by rook-operator-leak-1.14 (>=1.14.0 <1.15.9); fixed in 1.15.9; workaround ROOK_WATCH_FOR_NODE_FAILURE=false" */
  explanation: string;
}

/** Invalid user entries; `issues` name the entry and field, e.g. `knownIssues[0].affected[1]: expected …`. */
export class CatalogError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid known-issue entries: ${issues.join('; ')}`);
    this.name = 'CatalogError';
  }
}

/**
 * Built-in entries plus `extra` (validated with `knownIssueSchema`). A user entry with the id of a
 * built-in one replaces it, so a site can correct a range before a leakguard release does.
 */
export function buildCatalog(extra: readonly unknown[] = []): Catalog {
  const builtin = builtinKnownIssues.map((entry) => knownIssueSchema.parse(entry));
  const parsed = z.array(knownIssueSchema).safeParse(extra);
  if (!parsed.success) {
    throw new CatalogError(parsed.error.issues.map((issue) => `knownIssues${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`));
  }
  const seen = new Set<string>();
  const duplicates = parsed.data.filter((entry) => (seen.has(entry.id) ? true : (seen.add(entry.id), false)));
  if (duplicates.length > 0) throw new CatalogError(duplicates.map((entry) => `knownIssues: duplicate id ${entry.id}`));
  return [...builtin.filter((entry) => !seen.has(entry.id)), ...parsed.data];
}

/** Ids a profile lists that the catalogue does not hold (for config validation). */
export function unknownIssueIds(catalog: Catalog, ids: readonly string[]): string[] {
  return ids.filter((id) => !catalog.some((entry) => entry.id === id));
}

function toVersion(version: Version | string): Version | null {
  return typeof version === 'string' ? parseVersion(version) : version;
}

export function affectedRange(issue: KnownIssue, version: Version | string): string | null {
  const parsed = toVersion(version);
  if (!parsed) return null;
  return issue.affected.find((range) => satisfies(parsed, range)) ?? null;
}

/**
 * The fixed release to upgrade to from `current`, honouring the entry's upgrade path: with
 * one-minor-at-a-time, v1.14.9 → 1.15.9 (not 1.16.5). Null when `current` is not affected, or no fixed
 * release is reachable in one step (then a human plans the intermediate upgrades).
 */
export function nextFixedVersion(issue: KnownIssue, current: Version | string): string | null {
  const from = toVersion(current);
  if (!from || affectedRange(issue, from) === null) return null;
  const candidates = issue.fixed
    .map((text) => parseVersion(text))
    .filter((fixed): fixed is Version => fixed !== null && compareVersions(fixed, from) > 0 && affectedRange(issue, fixed) === null)
    .filter((fixed) => issue.upgradePath === 'direct' || (fixed.major === from.major && fixed.minor <= from.minor + 1))
    .sort(compareVersions);
  return candidates[0] ? formatVersion(candidates[0]) : null;
}

/** `ROOK_WATCH_FOR_NODE_FAILURE=false`, or `K=V in ConfigMap name` when only a ConfigMap is given. */
export function describeWorkaround(workaround: Workaround | undefined): string | null {
  if (!workaround) return null;
  const pairs = (data: Record<string, string>) => Object.entries(data).map(([key, value]) => `${key}=${value}`).join(', ');
  if (workaround.env && Object.keys(workaround.env).length > 0) return pairs(workaround.env);
  if (workaround.configMap && Object.keys(workaround.configMap.data).length > 0) {
    return `${pairs(workaround.configMap.data)} in ConfigMap ${workaround.configMap.name}`;
  }
  return null;
}

function explain(repository: string, version: string, issue: KnownIssue, range: string, target: string | null): string {
  const fixed = target ?? (issue.fixed.length > 0 ? issue.fixed.join(' / ') : null);
  const workaround = describeWorkaround(issue.workaround);
  return [
    `${repository} v${version} is affected by ${issue.id} (${range})`,
    fixed ? `fixed in ${fixed}` : 'no fixed release yet',
    ...(workaround ? [`workaround ${workaround}`] : []),
  ].join('; ');
}

/**
 * Entries that apply to this image at this version. `version` is the parsed tag (TargetFacts.version);
 * when null it is read from the image tag. `ids` restricts the match to a profile's listed entries;
 * empty or absent means the whole catalogue (entries are keyed by image, so that cannot misfire).
 */
export function matchKnownIssues(catalog: Catalog, image: string, version: string | null, ids?: readonly string[]): KnownIssueMatch[] {
  const ref = parseImageRef(image);
  const parsed = parseVersion(version ?? versionFromImage(image) ?? '');
  if (!parsed) return [];
  const normalized = formatVersion(parsed);
  return catalog
    .filter((issue) => !ids || ids.length === 0 || ids.includes(issue.id))
    .filter((issue) => issue.images.some((pattern) => imageMatchesPattern(ref, pattern)))
    .flatMap((issue) => {
      const range = affectedRange(issue, parsed);
      if (range === null) return [];
      const targetVersion = nextFixedVersion(issue, parsed);
      return [{ issue, version: normalized, range, targetVersion, explanation: explain(ref.repository, normalized, issue, range, targetVersion) }];
    });
}

/** `1.14.9 → 1.15.9 (one minor version at a time)`: the path quoted in PR bodies. */
export function describeUpgradePath(match: KnownIssueMatch): string {
  if (!match.targetVersion) return `no fixed release reachable from ${match.version} in one step; fixed in ${match.issue.fixed.join(' / ')}`;
  const rule = match.issue.upgradePath === 'one-minor-at-a-time' ? ' (one minor version at a time)' : '';
  return `${match.version} → ${match.targetVersion}${rule}`;
}
