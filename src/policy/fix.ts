/**
 * An incident's fix, after the workaround: a known issue's workaround is temporary and its upgrade is
 * the fix. Pure. Per run, for an open incident:
 *
 * - proposed: once leakguard's workaround is in place (or in the same run as it), the upgrade the
 *   catalogue names is proposed — a PR where the profile has a GitOps repo, else an Event and a Slack
 *   line naming the version and why — without waiting for the workaround to fail;
 * - rolled out: every pod runs another version than the one proposed from (whoever rolled it out); a
 *   version that is still affected (a patch release before the fix, an intermediate hop) starts the
 *   next proposal from there, once it runs healthy; one outside the proposed path is said to be so;
 * - verified: the new version judged over the verification window on its own data (a pod restarted
 *   since starts the window again): flat → `upgrade-verified`, and leakguard's workaround is removed
 *   (a floor still rising, suspected or not yet called, is not flat: it waits);
 *   still leaking → `upgrade-ineffective`: the workaround stays, and the next fixed version is named.
 */
import { describeUpgradePath, describeWorkaround } from '../catalog/index.js';
import type { KnownIssueMatch } from '../catalog/index.js';
import type { UpgradeTrack, WorkloadState } from '../model/state.js';
import { knownIssuesFor, standInFacts } from './known-issues.js';
import { buildSkip, resolveWorkaround, revertAction, walkLadder, type Incident } from './ladder.js';
import { blockedByWorkloadHealth } from './predicates.js';
import type { Catalog } from '../catalog/index.js';
import type { PlanAction, PlanNotice, PlanSkip, PlanTarget, PlanWords } from './types.js';

export interface FixStep {
  notices: PlanNotice[];
  actions: PlanAction[];
  skips: PlanSkip[];
}

/** The match whose fixed version the incident's upgrade moves to. */
function fixable(matches: readonly KnownIssueMatch[]): KnownIssueMatch | null {
  return matches.find((m) => m.certainty === 'certain' && m.targetVersion !== null) ?? null;
}

function notice(
  incident: Incident,
  kind: PlanNotice['kind'],
  note: string,
  extra: Partial<PlanNotice> = {},
): PlanNotice {
  return {
    type: 'notice',
    ...incident.subject,
    kind,
    incidentId: incident.incidentId,
    incidentStart: incident.incidentStart,
    note,
    verdict: incident.verdict,
    knownIssues: incident.matches.map((m) => m.explanation),
    dryRun: incident.dryRun,
    ...extra,
  };
}

function track(match: KnownIssueMatch, state: WorkloadState, now: number): UpgradeTrack {
  return {
    issueId: match.issue.id,
    fromVersion: match.version,
    toVersion: match.targetVersion!,
    proposedAt: now,
    leakBytesPerHour: state.leakBytesPerHour ?? null,
  };
}

/**
 * The upgrade proposed with (or after) the workaround: the PR where the profile has a GitOps repo, else
 * advice. `together`: in the same run as the workaround action.
 */
export function proposeUpgrade(
  incident: Incident,
  now: number,
  together: PlanAction | null,
): PlanAction | PlanNotice | null {
  const { profile } = incident;
  if (!profile.upgradeWithWorkaround) return null;
  const match = fixable(incident.matches);
  if (!match) return null;
  const workaround = describeWorkaround(resolveWorkaround(profile, incident.matches) ?? undefined) ?? 'the workaround';
  if (!profile.upgradeRepo) {
    return notice(
      incident,
      'upgrade-advised',
      incident.words.advised(match.targetVersion!, describeUpgradePath(match), workaround, match.issue.id),
      { upgrade: track(match, incident.state, now) },
    );
  }
  const rung = profile.ladder.includes('upgrade-pr') ? profile.ladder.indexOf('upgrade-pr') : profile.ladder.length;
  const ladder = walkLadder(
    { ...incident, profile: { ...profile, ladder: [...profile.ladder.slice(0, rung), 'upgrade-pr'] } },
    rung,
  );
  const action = ladder.candidate;
  if (!action?.details.upgrade) return null;
  // With the hotfix set in this same run, the PR says so already (the state records it only after).
  const hotfix = together?.details.image;
  const earlierHops = incident.state.upgrade?.nextHop ? incident.state.upgrade.earlierHops : undefined;
  const upgrade = {
    ...action.details.upgrade,
    ...(hotfix ? { hotfix } : {}),
    ...(earlierHops?.length ? { earlierHops } : {}),
  };
  const details = { ...action.details, upgrade };
  return {
    ...action,
    details,
    reason: incident.words.proposalReason(match.targetVersion!, workaround),
    ...(together ? { together: true as const } : {}),
  };
}

/** Every pod runs another version than the upgrade started from: the version they run, else null. */
function rolledOutVersion(targets: readonly PlanTarget[], state: WorkloadState, from: string): string | null {
  const versions = targets.map((t) => standInFacts(t.facts, state).version);
  const first = versions[0];
  if (!first || versions.some((v) => v !== first) || first === from) return null;
  return targets.some((t) => t.facts.rollingOut) ? null : first;
}

/** Follows an incident whose upgrade was proposed: rollout, verification, the workaround's removal. */
export function followUpgrade(
  incident: Incident,
  targets: readonly PlanTarget[],
  catalog: Catalog,
  now: number,
): FixStep {
  const { state, profile } = incident;
  const upgrade = state.upgrade!;
  const step: FixStep = { notices: [], actions: [], skips: [] };
  if (upgrade.verifiedAt) {
    // Verified in an earlier run, and leakguard's workaround is still there (the run that verified it died, or a guard held it).
    const version = upgrade.rolledOutVersion ?? upgrade.toVersion;
    const revert = revertAction(incident, incident.words.revertReason(version));
    if (revert) step.actions.push(revert);
    return step;
  }
  if (upgrade.nextHop) {
    // The previous hop rolled out and is still affected: the next PR only once it runs healthy.
    if (!readyForNextHop(targets, incident.words)) return step;
    const next = proposeUpgrade(incident, now, null);
    if (next?.type === 'action') step.actions.push(next);
    else if (next) step.notices.push(next);
    return step;
  }
  if (!upgrade.rolledOutAt) {
    const version = rolledOutVersion(targets, state, upgrade.fromVersion);
    if (!version) return step;
    const first = targets[0]!;
    const after = knownIssuesFor(
      catalog,
      { ...first.facts, version, image: first.facts.image },
      profile.knownIssues,
    ).find((m) => m.issue.id === upgrade.issueId);
    const stillAffected = after !== undefined;
    step.notices.push(
      notice(
        incident,
        'upgrade-rolled-out',
        incident.words.rolledOut(upgrade, version, stillAffected, after?.targetVersion ?? null, {
          until: now + profile.verifyWindowSeconds,
          workaround: Boolean(state.workaround?.env ?? state.workaround?.configMap),
        }),
        { rollout: { version, stillAffected, next: after?.targetVersion ?? null } },
      ),
    );
    return step;
  }
  const version = upgrade.rolledOutVersion ?? upgrade.toVersion;
  // The new version's own data over the whole window: its pods' data starts at their start (a pod
  // restarted since starts the window again), and every verdict must be a judgement, not unknown.
  const since = Math.max(...targets.map((t) => t.facts.pod.startTime ?? upgrade.rolledOutAt!));
  if (!targets.every((t) => t.verdict.kind !== 'unknown')) return step;
  const leaking = targets.find((t) => t.verdict.kind === 'leaking');
  if (leaking) {
    const next =
      knownIssuesFor(catalog, { ...leaking.facts, version }, profile.knownIssues).find((m) => m.targetVersion !== null)
        ?.targetVersion ?? null;
    step.notices.push(
      notice(
        incident,
        'upgrade-ineffective',
        incident.words.ineffective(
          version,
          leaking.verdict.slope?.bytesPerHour ?? null,
          upgrade,
          state.workaround !== null && state.workaround !== undefined,
          next,
        ),
      ),
    );
    return step;
  }
  if (now - since < profile.verifyWindowSeconds) return step;
  // "Not leaking" is no flat floor: a rise held as suspected (its first day cannot yet tell it from a
  // daily cycle) or not yet called is no fix. The window is a minimum: the verification waits.
  const rising = targets.find((t) => !holdsLevel(t, profile.flatBelowBytesPerHour));
  if (rising) {
    const revert = revertAction(incident, incident.words.revertReason(version));
    const { slope, evidence } = rising.verdict;
    step.skips.push(
      buildSkip(
        incident,
        'awaiting-verification',
        incident.words.verificationHeld(
          version,
          slope?.bytesPerHour ?? null,
          evidence.to - evidence.from,
          revert !== null,
        ),
        revert ? 'revert-workaround' : null,
        revert?.id ?? null,
      ),
    );
    return step;
  }
  const flat = targets[0]!;
  step.notices.push(
    notice(
      incident,
      'upgrade-verified',
      incident.words.verified(version, flat.verdict.currentBytes, now - since, upgrade),
    ),
  );
  const revert = revertAction(incident, incident.words.revertReason(version));
  if (revert) step.actions.push(revert);
  return step;
}

/** The floor holds level: not held as suspected, and no significant rise of `flatBelow` bytes/h or more. */
function holdsLevel(target: PlanTarget, flatBelow: number): boolean {
  const { slope, suspected } = target.verdict;
  return !suspected && (slope === null || slope.low <= 0 || slope.bytesPerHour < flatBelow);
}

/** The next proposal after a hop that is still affected may wait for it to run healthy. */
export function readyForNextHop(targets: readonly PlanTarget[], words: PlanWords): boolean {
  return blockedByWorkloadHealth(targets, words) === null && targets.every((t) => t.facts.pod.ready);
}
