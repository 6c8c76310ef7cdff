/** The forge contract: what a run needs from a Git host. GitHub implements it in github.ts. */
import type { Failed, PortError } from '../model/result.js';
import type { TransportErrorCode } from '../model/transport.js';
import type { UpgradeRule } from '../catalog/schema.js';
import { stripV } from '../catalog/version.js';
import type { Sighting } from './bump/types.js';
import { trimBoth } from '../model/text.js';

/** The shared transport codes (src/model/transport.ts), plus what only a Git host reports: */
export type ForgeErrorCode =
  | TransportErrorCode
  | 'version-not-found'
  /** The version appears in the file, but not where it can be moved (digest pin, range, other charts): the message lists each place. */
  | 'not-bumped'
  | 'invalid-file'
  | 'unprocessable'
  | 'invalid-response'
  | 'config'
  /** The write guard refused a write outside leakguard's own branches: a bug or an attack. */
  | 'refused'
  /** Anything else (a bug or a library failure): reported, never retried in a loop. */
  | 'unexpected';

/** A failure as data (src/model/result.ts); `retryAfterSeconds`: when a rate limit lifts (rate-limited only). */
export type ForgeError = PortError<ForgeErrorCode>;

export interface UpgradePrRequest {
  /** `owner/name`. */
  repo: string;
  /** Path of the file to bump in the repository. */
  file: string;
  baseBranch: string;
  profile: string;
  fromVersion: string;
  toVersion: string;
  title: string;
  /** The PR body, or a function of what the bump found (other releases left at the old version). */
  body: string | ((found: { alsoPinned: readonly Sighting[] }) => string);
  /** Only bump images whose repository ends with this (e.g. `rook/ceph`). */
  image?: string;
  /** The operator's chart; other charts pinned at the same version are left alone. */
  chart?: string;
  /** Other charts moved together with `chart`. */
  alsoBump?: readonly string[];
  /** Images released with the operator: moved with it, or the bump is refused as a mixed install. */
  moveTogether?: readonly string[];
  /** The catalogue's upgrade rule, applied to chart versions found in a chart repository. */
  rule?: UpgradeRule;
  /** Extra names under which other tools (Renovate) may title the same bump, e.g. `rook-ceph`. */
  dependencyNames?: string[];
  /** Authors whose bump from their own fork is linked instead of opening ours. @default DEFAULT_TRUSTED_AUTHORS */
  trustedAuthors?: readonly string[];
}

/** The dependency bots whose PRs stand in for leakguard's wherever their head repository is. */
export const DEFAULT_TRUSTED_AUTHORS: readonly string[] = ['renovate[bot]', 'dependabot[bot]'];

export type UpgradePrResult =
  /** leakguard opened its PR. */
  | { outcome: 'opened'; url: string; number: number; branch: string }
  /** leakguard's PR already existed: body (and file, if needed) refreshed. */
  | { outcome: 'updated'; url: string; number: number; branch: string }
  /** Someone else's open PR (e.g. Renovate) already does this bump: point at it, open nothing. */
  | { outcome: 'linked'; url: string; number: number; branch: string }
  /** The base branch already pins the target version: nothing to propose. */
  | { outcome: 'up-to-date' }
  /** Rate limited: nothing half-done is left that the next run cannot finish; try then. */
  | { outcome: 'deferred'; error: ForgeError }
  | Failed<ForgeError>;

/** What ensureUpgradePullRequest would do, found with read-only calls (dry-run). */
export type UpgradePrPreview =
  | { outcome: 'would-open'; branch: string; changes: BumpChangeSummary[] }
  | { outcome: 'would-update'; url: string; number: number; branch: string }
  | { outcome: 'linked'; url: string; number: number; branch: string }
  | { outcome: 'up-to-date' }
  | { outcome: 'deferred'; error: ForgeError }
  | Failed<ForgeError>;

/** One changed value, e.g. `spec.chart.spec.version: v1.14.9 → v1.15.9`. */
export interface BumpChangeSummary {
  /** Repository path of the file holding the value. */
  file: string;
  /** `Kind/name` of the document, or '' for a values file. */
  resource: string;
  path: string;
  from: string;
  to: string;
}

export interface Forge {
  /** Idempotent: calling twice with the same request leaves one PR, with the latest body. */
  ensureUpgradePullRequest(req: UpgradePrRequest): Promise<UpgradePrResult>;
  /** Read-only: what ensureUpgradePullRequest would do now. No branch, commit or PR is created. */
  previewUpgradePullRequest?(req: UpgradePrRequest): Promise<UpgradePrPreview>;
  /**
   * Re-writes the body of leakguard's own open PR for this bump (`edit` gets the current body); never
   * opens one, never touches a branch. Idempotent: an unchanged body is not sent.
   */
  refreshUpgradePullRequest?(req: UpgradePrRef, edit: (body: string) => string): Promise<UpgradePrRefresh>;
}

/** Which of leakguard's PRs: one per (repository, profile, target version). */
export type UpgradePrRef = Pick<UpgradePrRequest, 'repo' | 'baseBranch' | 'profile' | 'toVersion'>;

export type UpgradePrRefresh =
  | { outcome: 'updated'; url: string; number: number }
  /** The body already said so, or leakguard has no open PR for it (merged, closed, never opened): nothing sent. */
  | { outcome: 'up-to-date' | 'no-open-pr' }
  | { outcome: 'deferred' | 'failed'; error: ForgeError };

/** leakguard writes only to branches under this prefix (src/forge/github-writes.ts enforces it). */
export const LEAKGUARD_BRANCH_PREFIX = 'leakguard/';

/** One deterministic branch per (profile, target version). */
export function upgradeBranchName(profile: string, toVersion: string): string {
  const slug = trimBoth(profile.toLowerCase().replace(/[^a-z0-9._-]+/g, '-'), '-');
  const version = stripV(toVersion).replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${LEAKGUARD_BRANCH_PREFIX}${slug}-${version}`;
}
