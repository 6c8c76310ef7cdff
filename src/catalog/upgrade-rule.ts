/**
 * Per-project upgrade rules: from a running version, the nearest fixed release the project's rule
 * allows, the upgrade notes a human must read on the way, or why no bump can be proposed.
 */
import { satisfies } from './range.js';
import type { KnownIssue, UpgradeRule } from './schema.js';
import { compareVersions, formatVersion, parseVersion, type Version } from './version.js';

export interface UpgradeTarget {
  /** The release to propose; null when the rule allows none. */
  version: string | null;
  /** Why no release can be proposed (`the fix needs Kubernetes ≥ 1.30 …`); null when one is. */
  blocked: string | null;
  /** Upgrade notes for each minor the step crosses (`minor-skips-with-notes`). */
  notes: { title: string; url: string }[];
}

/** One line per rule, quoted in the PR body and `leakguard catalog`. */
export const ruleText: Record<UpgradeRule, string> = {
  'one-minor-at-a-time': 'one minor version at a time',
  'minor-skips-with-notes': 'minor versions may be skipped; read the upgrade notes of every minor crossed',
  'match-kubernetes-minor': "the component's minor version must match the Kubernetes minor version",
  'current-minor-only': 'only the newest minor version is supported upstream',
  direct: 'no documented upgrade rule',
};

const minorOf = (v: Version) => `${v.major}.${v.minor}`;

function isAffected(issue: KnownIssue, version: Version): boolean {
  return issue.affected.some((range) => satisfies(version, range));
}

/** Fixed releases above `from` that are not themselves affected, oldest first. */
function fixedAbove(issue: KnownIssue, from: Version): Version[] {
  return issue.fixed
    .map((text) => parseVersion(text))
    .filter(
      (fixed): fixed is Version => fixed !== null && compareVersions(fixed, from) > 0 && !isAffected(issue, fixed),
    )
    .sort(compareVersions);
}

/** `{from}`/`{to}` notes for each minor step from `from` up to `to` (same major only: the steps are known). */
function minorNotes(template: string | undefined, from: Version, to: Version): { title: string; url: string }[] {
  if (!template || from.major !== to.major) return [];
  const steps: { title: string; url: string }[] = [];
  for (let minor = from.minor; minor < to.minor; minor++) {
    const a = `${from.major}.${minor}`;
    const b = `${from.major}.${minor + 1}`;
    steps.push({ title: `upgrade notes ${a} → ${b}`, url: template.replaceAll('{from}', a).replaceAll('{to}', b) });
  }
  return steps;
}

/** The nearest fixed release `issue`'s rule allows from `from` (which must be affected for a target). */
export function upgradeTarget(issue: KnownIssue, from: Version): UpgradeTarget {
  const none = (blocked: string | null): UpgradeTarget => ({ version: null, blocked, notes: [] });
  if (!isAffected(issue, from)) return none(null);
  const candidates = fixedAbove(issue, from);
  if (issue.fixed.length === 0) return none('no fixed release yet');
  const fixedList = issue.fixed.join(' / ');
  const pick = (version: Version | undefined, notes: { title: string; url: string }[] = []): UpgradeTarget | null =>
    version ? { version: formatVersion(version), blocked: null, notes } : null;
  switch (issue.upgrade.rule) {
    case 'one-minor-at-a-time': {
      const next = candidates.find((v) => v.major === from.major && v.minor <= from.minor + 1);
      return (
        pick(next) ??
        none(
          `no fixed release within one minor version of ${formatVersion(from)} (fixed in ${fixedList}): plan the intermediate upgrades`,
        )
      );
    }
    case 'minor-skips-with-notes': {
      const next = candidates[0];
      return (
        pick(next, next ? minorNotes(issue.upgrade.notes, from, next) : []) ??
        none(`no fixed release above ${formatVersion(from)}`)
      );
    }
    case 'match-kubernetes-minor': {
      const sameMinor = candidates.find((v) => minorOf(v) === minorOf(from));
      const lowest = candidates[0];
      return (
        pick(sameMinor) ??
        none(
          lowest
            ? `the fix needs Kubernetes ≥ ${minorOf(lowest)} (${ruleText['match-kubernetes-minor']}): upgrade Kubernetes first`
            : `no fixed release above ${formatVersion(from)}`,
        )
      );
    }
    case 'current-minor-only':
      return pick(candidates.at(-1)) ?? none(`no fixed release above ${formatVersion(from)}`);
    case 'direct':
      return pick(candidates[0]) ?? none(`no fixed release above ${formatVersion(from)}`);
  }
}
