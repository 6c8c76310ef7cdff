/**
 * The catalogue: built-in entries plus the user's, matched against a running operator's image and
 * version, with the upgrade target and a sentence a human reads in Events, Slack and PR bodies.
 */
import { z } from 'zod';
import { ConfigError, fieldPath } from '../model/config-error.js';
import { builtinKnownIssues } from './builtin.js';
import { judgeCondition, type ConditionVerdict, type PodView } from './condition.js';
import { imageMatchesPattern, parseImageRef, type ImageRef } from './image.js';
import { satisfies } from './range.js';
import { knownIssueSchema, type KnownIssue, type Source, type Workaround } from './schema.js';
import { ruleText, upgradeTarget } from './upgrade-rule.js';
import { formatVersion, parseVersion, type Version } from './version.js';

export interface Catalog {
  entries: readonly KnownIssue[];
  /** Registry mirror prefixes (`harbor.corp/hub`) stripped before matching repository paths. */
  mirrorPrefixes: readonly string[];
}

export interface CatalogOptions {
  /** Built-in entry ids to leave out. */
  disable?: readonly string[];
  mirrorPrefixes?: readonly string[];
}

export interface KnownIssueMatch {
  issue: KnownIssue;
  /** The running version, normalized (`1.14.9`). */
  version: string;
  /** The affected range the version falls in. */
  range: string;
  /** `certain`: no condition, or the condition was seen; `possible`: the condition could not be checked. */
  certainty: 'certain' | 'possible';
  /** Nearest fixed release the project's upgrade rule allows; null when none can be proposed. */
  targetVersion: string | null;
  /** Why no upgrade can be proposed; null when there is a target. */
  blocked: string | null;
  /** Upgrade notes for every minor the step crosses. */
  upgradeNotes: { title: string; url: string }[];
  /** The sentence Events, Slack and PR bodies quote. */
  explanation: string;
}

/** Why an entry for this image does not apply (for `leakguard catalog check`). */
export interface KnownIssueMiss {
  issue: KnownIssue;
  why: string;
}

/** Invalid user entries (a config error); `issues` name the entry and field, e.g. `knownIssues[0].affected[1]: expected …`. */
export class CatalogError extends ConfigError {
  override readonly name = 'CatalogError';
  constructor(readonly issues: string[]) {
    super(`invalid known-issue entries: ${issues.join('; ')}`);
  }
}

/**
 * Built-in entries plus `extra` (validated with `knownIssueSchema`). A user entry with the id of a
 * built-in one replaces it, so a site can correct a range before a leakguard release does; `disable`
 * drops built-in entries by id.
 */
export function buildCatalog(extra: readonly unknown[] = [], options: CatalogOptions = {}): Catalog {
  const builtin = builtinKnownIssues.map((entry) => knownIssueSchema.parse(entry));
  const parsed = z.array(knownIssueSchema).safeParse(extra);
  if (!parsed.success)
    throw new CatalogError(
      parsed.error.issues.map((issue) => `${fieldPath(issue.path, 'knownIssues')}: ${issue.message}`),
    );
  const seen = new Set<string>();
  const duplicates = parsed.data.filter((entry) => (seen.has(entry.id) ? true : (seen.add(entry.id), false)));
  if (duplicates.length > 0) throw new CatalogError(duplicates.map((entry) => `knownIssues: duplicate id ${entry.id}`));
  const disable = options.disable ?? [];
  const unknown = disable.flatMap((id, i) =>
    builtin.some((entry) => entry.id === id) ? [] : [`catalog.disable[${i}]: no built-in entry ${JSON.stringify(id)}`],
  );
  if (unknown.length > 0) throw new CatalogError(unknown);
  const entries = [...builtin.filter((entry) => !seen.has(entry.id) && !disable.includes(entry.id)), ...parsed.data];
  return { entries, mirrorPrefixes: options.mirrorPrefixes ?? [] };
}

/** Ids a profile lists that the catalogue does not hold (for config validation). */
export function unknownIssueIds(catalog: Catalog, ids: readonly string[]): string[] {
  return ids.filter((id) => !catalog.entries.some((entry) => entry.id === id));
}

export function affectedRange(issue: KnownIssue, version: Version | string): string | null {
  const parsed = typeof version === 'string' ? parseVersion(version) : version;
  if (!parsed) return null;
  return issue.affected.find((range) => satisfies(parsed, range)) ?? null;
}

/** The release the upgrade rung proposes from `current`, honouring the entry's upgrade rule; null when none. */
export function nextFixedVersion(issue: KnownIssue, current: Version | string): string | null {
  const from = typeof current === 'string' ? parseVersion(current) : current;
  return from ? upgradeTarget(issue, from).version : null;
}

/** `ROOK_WATCH_FOR_NODE_FAILURE=false`, `K=V in ConfigMap name`, or `image tag v1.11.0-hotfix-1`. */
export function describeWorkaround(workaround: Workaround | undefined): string | null {
  if (!workaround) return null;
  const pairs = (data: Record<string, string>) =>
    Object.entries(data)
      .map(([key, value]) => `${key}=${value}`)
      .join(', ');
  if (workaround.env && Object.keys(workaround.env).length > 0) return pairs(workaround.env);
  if (workaround.configMap && Object.keys(workaround.configMap.data).length > 0) {
    return `${pairs(workaround.configMap.data)} in ConfigMap ${workaround.configMap.name}`;
  }
  if (workaround.image)
    return `official hotfix image tag ${workaround.image.tag} (for ${workaround.image.forVersion} only)`;
  return null;
}

/** `rook/rook#15499` for GitHub issues and PRs, else host and path: short enough for an Event. */
export function sourceTitle(source: Source): string {
  if (source.title) return source.title;
  const url = new URL(source.url);
  const github = /^\/([^/]+)\/([^/]+)\/(?:issues|pull)\/(\d+)\/?$/.exec(url.pathname);
  if (url.hostname === 'github.com' && github) return `${github[1]}/${github[2]}#${github[3]}`;
  return `${url.hostname}${url.pathname.replace(/\/$/, '')}`;
}

/** Every source and upgrade note as a link, for Slack and the PR body. */
export function issueLinks(issue: KnownIssue): { title: string; url: string }[] {
  return issue.sources.map((source) => ({ title: `${source.kind}: ${sourceTitle(source)}`, url: source.url }));
}

function explain(ref: ImageRef, match: Omit<KnownIssueMatch, 'explanation'>): string {
  const { issue } = match;
  const fixed = match.targetVersion ?? (issue.fixed.length > 0 ? issue.fixed.join(' / ') : null);
  const workaround = describeWorkaround(issue.workaround);
  const source = issue.sources.find((s) => s.kind === 'issue') ?? issue.sources[0];
  const head =
    match.certainty === 'possible'
      ? `${ref.repository} v${match.version}: known issue possible: ${issue.condition?.text ?? ''} could not be checked; ${issue.id} (${match.range})`
      : `${ref.repository} v${match.version} is affected by ${issue.id} (${match.range}${issue.condition ? `; seen: ${issue.condition.text}` : ''})`;
  return [
    head,
    fixed ? `fixed in ${fixed}` : 'no fixed release yet',
    ...(workaround ? [`workaround ${workaround}`] : []),
    `source ${source ? sourceTitle(source) : 'none'}, checked ${issue.checked}`,
  ].join('; ');
}

export interface MatchContext {
  /** The parsed version (TargetFacts.version); when null or absent it is read from the image tag. */
  version?: string | null;
  /** Restrict to these entry ids (a profile's `knownIssues`); empty or absent means the whole catalogue. */
  ids?: readonly string[];
  /** The leaking container's name: entries that name containers match only those. */
  container?: string;
  pod?: PodView;
}

interface Assessment {
  matches: KnownIssueMatch[];
  misses: KnownIssueMiss[];
}

/** Every entry for this image's repository: the ones that apply, and why the others do not. */
export function assessImage(catalog: Catalog, image: string, context: MatchContext = {}): Assessment {
  const ref = parseImageRef(image);
  const parsed = context.version ? parseVersion(context.version) : ref.version;
  const ids = context.ids ?? [];
  const result: Assessment = { matches: [], misses: [] };
  for (const issue of catalog.entries) {
    if (ids.length > 0 && !ids.includes(issue.id)) continue;
    if (!issue.images.some((pattern) => imageMatchesPattern(ref, pattern, catalog.mirrorPrefixes))) continue;
    if (
      context.container !== undefined &&
      issue.containers.length > 0 &&
      !issue.containers.includes(context.container)
    ) {
      result.misses.push({
        issue,
        why: `container ${context.container} is not ${issue.containers.join(' or ')}, the component this entry is about`,
      });
      continue;
    }
    if (issue.workaround?.image && ref.tag === issue.workaround.image.tag) {
      result.misses.push({ issue, why: `runs the official hotfix image ${ref.tag}` });
      continue;
    }
    if (!parsed) {
      result.misses.push({
        issue,
        why: `the tag ${JSON.stringify(ref.tag ?? ref.digest ?? '')} names no version: never guessed as affected`,
      });
      continue;
    }
    const version = formatVersion(parsed);
    const range = affectedRange(issue, parsed);
    if (range === null) {
      result.misses.push({ issue, why: `${version} is outside ${issue.affected.join(' and ')}` });
      continue;
    }
    const condition: ConditionVerdict = judgeCondition(issue.condition, context.pod ?? {});
    if (condition === 'not-met') {
      result.misses.push({
        issue,
        why: `${version} is affected only with ${issue.condition?.text ?? ''}, which the pod does not show`,
      });
      continue;
    }
    const target = upgradeTarget(issue, parsed);
    const match = {
      issue,
      version,
      range,
      certainty: condition === 'unchecked' ? ('possible' as const) : ('certain' as const),
      targetVersion: target.version,
      blocked: target.blocked,
      upgradeNotes: target.notes,
    };
    result.matches.push({ ...match, explanation: explain(ref, match) });
  }
  return result;
}

/** Entries that apply to this image at this version (certain ones first). */
export function matchKnownIssues(catalog: Catalog, image: string, context: MatchContext = {}): KnownIssueMatch[] {
  const { matches } = assessImage(catalog, image, context);
  return [...matches.filter((m) => m.certainty === 'certain'), ...matches.filter((m) => m.certainty === 'possible')];
}

/** `1.14.9 → 1.15.9 (one minor version at a time)`: the path quoted in PR bodies. */
export function describeUpgradePath(match: KnownIssueMatch): string {
  if (!match.targetVersion) return match.blocked ?? `no fixed release reachable from ${match.version}`;
  return `${match.version} → ${match.targetVersion} (${ruleText[match.issue.upgrade.rule]})`;
}
