/**
 * Pure predicates over open PRs. `isOwnPr`: leakguard's PR for this bump. `claimsToBeOwn`: a PR that
 * looks like ours (our marker pasted in, or our branch name from a fork) but is not — never edited.
 * `proposesSameBump`: a PR that proposes this bump, whoever opened it. `isSameBumpByOthers`: one of those
 * from the configured repository or a trusted bot (Renovate, Dependabot, a colleague): linked instead of ours.
 */
import type { Pull } from './github-schema.js';
import { stripV } from './bump/version.js';
import { LEAKGUARD_BRANCH_PREFIX } from './types.js';

/** Lowercase words joined by single dashes, framed by dashes, so `includes` works on word boundaries. */
function words(text: string): string {
  return `-${text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join('-')}-`;
}

/** Words that may follow a dependency name in a bump title or branch; anything else is another package (`rook-ceph-cluster`). */
const FOLLOWERS = /^(\d+|v\d+|x|to|from|docker|helm|chart|image|tag|digest|and|update|bump|dependency|version)$/;

function mentions(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const next = text.slice(at + name.length).split('-')[0] ?? '';
    if (next === '' || FOLLOWERS.test(next)) return true;
  }
  return false;
}

/** GitHub names are case-insensitive. A PR whose head repository is gone (deleted fork) has none. */
function isHeadRepo(pull: Pull, repoFullName: string): boolean {
  const head = pull.head.repo?.full_name;
  return head !== undefined && head.toLowerCase() === repoFullName.toLowerCase();
}

/**
 * leakguard's own PR: its head is exactly our branch AND lives in the configured repository. The
 * body's marker proves nothing (anyone can paste it), and a fork may use any branch name.
 */
export function isOwnPr(pull: Pull, branch: string, repoFullName: string): boolean {
  return pull.head.ref === branch && isHeadRepo(pull, repoFullName);
}

/** Carries our marker or our branch name but is not ours: linked as "see also", never edited. */
export function claimsToBeOwn(pull: Pull, branch: string, marker: string, repoFullName: string): boolean {
  if (isOwnPr(pull, branch, repoFullName)) return false;
  return pull.head.ref === branch || (pull.body ?? '').includes(marker);
}

const BOT_BRANCH = /^(renovate|dependabot)\//;

/** Whose bump may stand in for leakguard's PR: PRs from the configured repository, or by these authors. */
export interface BumpTrust {
  repoFullName: string;
  /** GitHub logins, e.g. `renovate[bot]` (case-insensitive). */
  authors: readonly string[];
}

/**
 * A PR leakguard may point at as *the* upgrade: its head is a branch of the configured repository (so
 * someone with push access made it), or its author is a trusted bot (Renovate in forking mode). Anyone
 * can open a fork PR with any title and branch name.
 */
function isTrusted(pull: Pull, trust: BumpTrust): boolean {
  const login = pull.user?.login.toLowerCase();
  return (
    isHeadRepo(pull, trust.repoFullName) ||
    (login !== undefined && trust.authors.some((a) => a.toLowerCase() === login))
  );
}

/**
 * Full versions a PR title proposes (`to v7.7.10`, `from 7.7.8 to 7.7.10`, Renovate's major-only
 * `to v8`): dotted numbers, or a number right after "to". A PR number (`#412`) or a count is none.
 */
function namedVersions(title: string): string[] {
  const found: string[] = [];
  for (const m of title.matchAll(/(?<![\w.#/-])(to\s+)?v?(\d+(?:\.\d+)*)(?:[-+][0-9A-Za-z.-]+)?(?![\w.])/g)) {
    const [, to, version] = m;
    if (version !== undefined && (to !== undefined || version.includes('.'))) found.push(version);
  }
  return found;
}

/**
 * True when the PR mentions one of the dependency names and proposes one of `toVersions` — the app
 * version, or the chart release that ships it (Renovate titles chart bumps by the chart's version:
 * "Update Helm release argo-cd to v7.7.10"). A title that names only other versions proposes another
 * release (7.7.9 does not ship the fix; v8 is a major upgrade) and is not this bump. A title naming no
 * version counts when it comes from a dependency bot's branch (Renovate groups: `renovate/rook-ceph-1.x`).
 */
export function proposesSameBump(
  pull: Pull,
  dependencyNames: readonly string[],
  toVersions: string | readonly string[],
): boolean {
  if (pull.head.ref.startsWith(LEAKGUARD_BRANCH_PREFIX)) return false;
  const text = words(`${pull.title} ${pull.head.ref}`);
  const names = dependencyNames.map(words).filter((n) => n.length > 2);
  if (!names.some((n) => mentions(text, n))) return false;
  const targets = (typeof toVersions === 'string' ? [toVersions] : toVersions).map(stripV);
  const named = namedVersions(pull.title);
  if (named.length > 0) return named.some((v) => targets.includes(v));
  return targets.some((v) => text.includes(words(v))) || BOT_BRANCH.test(pull.head.ref);
}

/** The same bump, by someone whose PR may stand in for leakguard's (see isTrusted); linked, never duplicated. */
export function isSameBumpByOthers(
  pull: Pull,
  dependencyNames: readonly string[],
  toVersions: string | readonly string[],
  trust: BumpTrust,
): boolean {
  return proposesSameBump(pull, dependencyNames, toVersions) && isTrusted(pull, trust);
}
