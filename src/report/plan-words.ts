/**
 * The words the plan carries in its notes and reasons (PlanWords, src/policy/types.ts): the leak in one
 * phrase, and an incident's fix — the upgrade proposed with the workaround, the rollout seen, the
 * verification on the new version, the revert. The policy decides and passes the facts. Pure.
 */
import { withV as v } from '../catalog/version.js';
import { formatHours, formatMiB, formatMiBPerHour, formatTime } from '../model/units.js';
import type { EvictInstead, LeakSpread, PlanWords, TimeWindow, UpgradeFacts, VerdictSummary } from '../policy/types.js';

export function formatRate(bytesPerHour: number | null): string {
  return bytesPerHour === null ? 'unknown rate' : formatMiBPerHour(bytesPerHour);
}

/**
 * The leak in one phrase. The detector's headline already states the rate and the time to the limit
 * for a growing floor ("floor rose 33.1 MiB/h … limit reached in ~8.3 h"): it is said once, not
 * prefixed again. Only a headline without a rate (an OOM-kill cycle) gets one.
 */
export function describeLeak(summary: VerdictSummary): string {
  if (summary.headline.includes('MiB/h') || summary.bytesPerHour === null) return summary.headline;
  const limit = summary.hoursToLimit === null ? '' : `, limit in ${formatHours(summary.hoursToLimit)}`;
  return `growing ${formatRate(summary.bytesPerHour)}${limit}: ${summary.headline}`;
}

/** The reason on an upgrade PR proposed with the workaround. */
export function proposalReason(toVersion: string, workaround: string): string {
  return `the workaround (${workaround}) is temporary; the fix is the upgrade to ${v(toVersion)}, proposed now rather than when the workaround fails`;
}

/** No GitOps repo to open a PR in: what to upgrade to, and why, once. */
export function advisedText(toVersion: string, path: string, workaround: string, issueId: string): string {
  return (
    `Upgrade to ${v(toVersion)}, along ${path}: ${issueId} is fixed there. The workaround (${workaround}) is temporary; ` +
    `no GitOps repo is configured for this profile, so leakguard opens no PR — upgrade the release yourself. ` +
    `leakguard sees the new version from the pods, verifies it, then removes its workaround.`
  );
}

/**
 * The pods run another version now (whoever rolled it out). Not affected: judged on its own data until
 * `verify.until`, and leakguard's workaround (if it applied one) removed once the leak is gone.
 */
export function rolledOutText(
  upgrade: UpgradeFacts,
  version: string,
  stillAffected: boolean,
  next: string | null,
  verify: { until: number; workaround: boolean },
): string {
  const path = `${v(upgrade.fromVersion)} → ${v(upgrade.toVersion)}`;
  if (stillAffected) {
    const onward = next
      ? `; next on the path: ${v(next)}, proposed once ${v(version)} runs healthy`
      : '; no fixed version is reachable from it';
    return `the pods now run ${v(version)}, which is still affected by the known issue (proposed: ${path})${onward}.${verify.workaround ? ' The workaround stays.' : ''}`;
  }
  const where =
    version === upgrade.toVersion
      ? `the proposed upgrade (${path})`
      : `not the proposed ${v(upgrade.toVersion)} but outside the path (${path}); it is not affected by the known issue`;
  const then = verify.workaround ? '; the workaround stays until then and is removed if the leak is gone' : '';
  return `the pods now run ${v(version)}: ${where}. Judged on its own data until at least ${formatTime(verify.until)}${then}.`;
}

export function verifiedText(
  version: string,
  floorBytes: number | null,
  seconds: number,
  upgrade: UpgradeFacts,
): string {
  const was =
    upgrade.leakBytesPerHour !== null
      ? `; was +${formatMiBPerHour(upgrade.leakBytesPerHour)} on ${v(upgrade.fromVersion)}`
      : '';
  return `${v(version)}: floor flat at ${formatMiB(floorBytes)} over ${formatHours(seconds / 3600)}${was}. The upgrade fixed the leak.`;
}

export function ineffectiveText(
  version: string,
  bytesPerHour: number | null,
  upgrade: UpgradeFacts,
  keeps: boolean,
  next: string | null,
): string {
  const rate = bytesPerHour !== null ? `+${formatMiBPerHour(bytesPerHour)}` : 'growing';
  const onward = next
    ? ` Next on the upgrade path: ${v(next)}.`
    : ' No further fixed version is known: look into this leak.';
  return (
    `STILL LEAKING on ${v(version)} (${rate}) after the upgrade from ${v(upgrade.fromVersion)}: the known issue does not explain this leak.` +
    `${keeps ? ' The workaround stays in place.' : ''}${onward}`
  );
}

/** Past the verification window, the new version's floor still rises, not (yet) called a leak. */
export function verificationHeldText(
  version: string,
  bytesPerHour: number | null,
  seconds: number,
  workaround: boolean,
): string {
  const rate = bytesPerHour !== null ? `+${formatMiBPerHour(bytesPerHour)}` : 'a rise';
  const waits = workaround ? 'its verification and the removal of the workaround wait' : 'its verification waits';
  return (
    `${v(version)} not verified yet: its floor rose ${rate} over the last ${formatHours(seconds / 3600)}, not (yet) ` +
    `called a leak; ${waits} until the rise is called a leak or the floor holds level.`
  );
}

/** Why leakguard removes its workaround. */
export function revertReason(version: string): string {
  return `the workaround is no longer needed on ${v(version)} (upgrade verified)`;
}

/** A GitOps tool owns the object: leakguard tells, never patches. */
export function gitopsRevertText(owner: string, why: string): string {
  return `${why}, but ${owner} owns this workload: leakguard does not patch it live — remove the workaround in Git`;
}

function windowText(w: TimeWindow): string {
  return `${w.days ? `${w.days.join(',')} ` : ''}${w.start}-${w.end} UTC`;
}

/** Why a guardrail holds an action back (src/policy/predicates.ts blockedBy…). */
export const guardrailWords = {
  killSwitchOn: () => 'the kill switch is on: leakguard changes nothing',
  terminating: (pod: string) => `pod ${pod} is terminating`,
  rollingOut: () => 'a rollout is in progress',
  unready: (replicas: number) => `${replicas} replicas are unready (at most 1 tolerated)`,
  cooldown: (lastAction: string | null, elapsed: number, cooldown: number) =>
    `last action (${lastAction ?? 'unknown'}) ${formatHours(elapsed / 3600)} ago; ` +
    `cooldown ${formatHours(cooldown / 3600)}, next action possible in ${formatHours((cooldown - elapsed) / 3600)}`,
  outsideWindows: (windows: readonly TimeWindow[]) =>
    `outside the allowed windows (${windows.map(windowText).join('; ')})`,
  dailyCap: (restarts: number, cap: number) => `${restarts} restarts in the last 24 h; the cap is ${cap} per day`,
  runBudget: (planned: number, cap: number) =>
    `this run already planned ${planned} action(s); the cap is ${cap} per run`,
};

const spreadText = ({ leaking, of }: LeakSpread) => (leaking > 1 ? ` (${leaking} of ${of} containers leak)` : '');

/** The plan's notices and skips (src/policy/plan.ts). */
export const planNoteWords = {
  leakSuspected: (incidentId: string, verdict: VerdictSummary, spread: LeakSpread) =>
    `leak detected, incident ${incidentId} opened: ${describeLeak(verdict)}${spreadText(spread)}`,
  leakConfirmed: (incidentId: string, actionCount: number, verdict: VerdictSummary, spread: LeakSpread) =>
    `leak persists in ${incidentId} ${actionCount > 0 ? `after ${actionCount} action(s)` : '(no action taken yet)'}: ` +
    `${describeLeak(verdict)}${spreadText(spread)}`,
  workaroundIneffective: (bytesPerHour: number | null, appliedAt: number) =>
    `still growing ${formatRate(bytesPerHour)} on data since the workaround was applied at ${formatTime(appliedAt)}`,
  awaitingVerification: (lastAction: string | null, lastActionAt: number) =>
    `the verdict still covers data from before the last action (${lastAction ?? 'action'} at ` +
    `${formatTime(lastActionAt)}); waiting for data after it`,
  ladderExhausted: (ladder: readonly string[], taken: boolean, passed: readonly string[]) => {
    const why =
      ladder.length === 0
        ? 'the profile allows no action (empty ladder)'
        : taken
          ? `every rung of ${ladder.join(' → ')} was already taken in this incident`
          : passed.join('; ') || 'no rung applies';
    return `${why}; notifying only`;
  },
  noDecision: (pod: string, why: string) => `no decision on ${pod}: ${why}`,
  leakResolved: (incidentId: string | null) => `no container leaks any more; incident ${incidentId} closed`,
  interruptedIntent: (kind: string, actionId: string, at: number) =>
    `a previous run recorded ${kind} ${actionId} at ${formatTime(at)} and did not confirm it`,
  intentHeld: (why: string) => `; it is confirmed if done, not carried out now (${why})`,
  intentInDryRun: () => 'dry-run: the leftover intent is reported, not carried out',
  intentTooOld: () => 'the intent is older than the cooldown',
  alreadyRestarting: () => 'this workload is already being restarted in this run',
  oneRestartPerRun: () => 'this workload already has a pod-restarting action in this run',
};

/** The ladder's rungs (src/policy/ladder.ts). */
export const ladderWords = {
  rungReason: (verdict: VerdictSummary, ladder: readonly string[], rung: number, why: string | null) =>
    `${describeLeak(verdict)}; rung ${rung + 1}/${ladder.length} of ${ladder.join(' → ')}${why ? ` (${why})` : ''}`,
  evictInstead: (instead: EvictInstead, kind: string) =>
    instead === 'daemonset'
      ? 'a DaemonSet rollout would restart its pod on every node; only the leaking pod is evicted'
      : `a ${kind} cannot be rolled out; evicting instead`,
  daemonSetHotfix: () => 'a DaemonSet: the new image rolls every node, as its update strategy allows',
  rungPassed: (rung: string, why: string) => `${rung}: ${why}`,
  foreignOwner: (pod: string, owner: string) =>
    `pod ${pod} is managed by ${owner}, which leakguard does not understand: notify only ` +
    '(restarting or patching it could fight its operator)',
  restartForbidden: (issueId: string) => `known issue ${issueId} says notify and PR only (no automatic restart)`,
  orphanPod: (pod: string) => `pod ${pod} has no controller: leakguard never evicts or deletes an orphan pod`,
  noWorkaround: () => 'none configured for the profile or its known issues',
  workaroundInPlace: (what: string) => `already in place (${what})`,
  noPodTemplate: (kind: string) => `a ${kind} has no pod template to patch`,
  hotfixElsewhere: (issueId: string, image: string, where: string | null, pod: string, owner: string, said: boolean) =>
    `to apply ${issueId}'s hotfix, set image ${image} in ${where ?? 'wherever that operator takes its image from'}` +
    (said ? '' : ` (pod ${pod} is managed by ${owner}, which leakguard does not patch)`),
  hotfixOverDigest: (image: string, hotfix: string) =>
    `${image} is pinned by digest: leakguard does not know the digest of the hotfix ${hotfix}, so it does not set it; ` +
    'set it yourself',
  hotfixForOtherTag: (hotfixTag: string, forVersion: string, running: string | null) =>
    `the hotfix ${hotfixTag} is for tag v${forVersion} exactly; this container runs ${running ?? 'no tag'}`,
  gitopsWorkaround: (kind: string, name: string, owner: string, what: { hotfix: string } | { workaround: string }) =>
    `${kind} ${name} is owned by ${owner}: the ` +
    ('hotfix' in what ? `hotfix image ${what.hotfix}` : `workaround (${what.workaround})`) +
    ` is not patched live, ${owner} would revert it; ` +
    'commit it to Git, or let the upgrade PR fix the leak',
  upgradeBlocked: (issueId: string, blocked: string | null) => `${issueId}: ${blocked ?? ''}`,
  noKnownIssue: (image: string) => `no known issue matches ${image}`,
  ineffectiveRevert: (hotfix: boolean, workaround: string) =>
    `${hotfix ? 'the hotfix image' : `the workaround (${workaround})`} did not stop the leak; reverting it`,
};

/** The words the policy's plan is written with. */
export const planWords: PlanWords = {
  leak: describeLeak,
  rate: formatRate,
  proposalReason,
  advised: advisedText,
  rolledOut: rolledOutText,
  verified: verifiedText,
  verificationHeld: verificationHeldText,
  ineffective: ineffectiveText,
  revertReason,
  gitopsRevert: gitopsRevertText,
  ...guardrailWords,
  ...planNoteWords,
  ...ladderWords,
};
