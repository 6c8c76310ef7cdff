/**
 * Sentences about an incident's life after detection: a workaround applied whole or not at all, the
 * upgrade proposed with it, the rollout seen, the verification on the new version, the revert. Pure.
 */
import type { AccessCheck } from '../kube/types.js';
import { formatHours, formatMiB, formatMiBPerHour } from '../model/units.js';
import { incidentPhase, type HistoryEntry, type WorkloadState } from '../model/state.js';

/** "patch configmaps rook-ceph/rook-ceph-operator-config" */
export function describeAccess(check: AccessCheck): string {
  return `${check.verb} ${check.resource} ${check.namespace}/${check.name}`;
}

export function workaroundDeniedText(denied: readonly AccessCheck[]): string {
  return `leakguard may not ${denied.map(describeAccess).join(', ')} (its Role does not grant it): nothing was changed, a workaround is applied whole or not at all`;
}

export function accessUncheckedText(message: string): string {
  return `could not check leakguard's rights before the workaround (${message}): nothing was changed`;
}

/** A later part failed after earlier ones were applied: they were undone (or could not be, said plainly). */
export function workaroundRolledBackText(failure: string, undone: readonly string[], stuck: readonly string[]): string {
  const back = undone.length > 0 ? `; undid what was already applied (${undone.join(', ')})` : '';
  const left = stuck.length > 0 ? `; could NOT undo ${stuck.join(', ')}: check it by hand` : ', nothing is left changed';
  return `${failure}${back}${left}`;
}

/** "1.14.9 → 1.15.9" with a `v` where the version had none: versions as people write them. */
function v(version: string): string {
  return /^\d/.test(version) ? `v${version}` : version;
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

export interface UpgradeFacts {
  fromVersion: string;
  toVersion: string;
  leakBytesPerHour: number | null;
}

/** The pods run another version now (whoever rolled it out). */
export function rolledOutText(upgrade: UpgradeFacts, version: string, stillAffected: boolean, next: string | null): string {
  const path = `${v(upgrade.fromVersion)} → ${v(upgrade.toVersion)}`;
  if (stillAffected) {
    const onward = next ? `; next on the path: ${v(next)}, proposed once ${v(version)} runs healthy` : '; no fixed version is reachable from it';
    return `the pods now run ${v(version)}, which is still affected by the known issue (proposed: ${path})${onward}. The workaround stays.`;
  }
  const where = version === upgrade.toVersion ? `the proposed upgrade (${path})` : `not the proposed ${v(upgrade.toVersion)} but outside the path (${path}); it is not affected by the known issue`;
  return `the pods now run ${v(version)}: ${where}. Verifying it over the verification window before the workaround is removed.`;
}

export function verifiedText(version: string, floorBytes: number | null, seconds: number, upgrade: UpgradeFacts): string {
  const was = upgrade.leakBytesPerHour !== null ? `; was +${formatMiBPerHour(upgrade.leakBytesPerHour)} on ${v(upgrade.fromVersion)}` : '';
  return `${v(version)}: floor flat at ${formatMiB(floorBytes)} over ${formatHours(seconds / 3600)}${was}. The upgrade fixed the leak.`;
}

export function ineffectiveText(version: string, bytesPerHour: number | null, upgrade: UpgradeFacts, keeps: boolean, next: string | null): string {
  const rate = bytesPerHour !== null ? `+${formatMiBPerHour(bytesPerHour)}` : 'growing';
  const onward = next ? ` Next on the upgrade path: ${v(next)}.` : ' No further fixed version is known: look into this leak.';
  return (
    `STILL LEAKING on ${v(version)} (${rate}) after the upgrade from ${v(upgrade.fromVersion)}: the known issue does not explain this leak.` +
    `${keeps ? ' The workaround stays in place.' : ''}${onward}`
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

/** The incident's actions as the PR's "Actions already taken" lists them: when, what, how it ended. */
export function historyRecords(history: readonly HistoryEntry[]): { at: number; kind: string; summary: string }[] {
  return history.map((h) => ({ at: h.at, kind: h.kind, summary: h.detail ? `${h.detail} — ${h.outcome}` : h.outcome }));
}

/** `leakguard status`: where an open incident is, and what it waits for; null when none is open. */
export function incidentStatusText(state: WorkloadState): string | null {
  const phase = incidentPhase(state);
  if (phase === null) return null;
  const upgrade = state.upgrade;
  const path = upgrade ? `${v(upgrade.fromVersion)} → ${v(upgrade.toVersion)}` : '';
  switch (phase) {
    case 'detected':
      return 'detected — waits for the first action the guardrails allow';
    case 'remediated':
      return state.workaroundAppliedAt !== null ? 'remediated (workaround in place) — waits for the upgrade to be proposed' : `remediated (${state.lastAction ?? 'action'}) — watching whether the leak comes back`;
    case 'upgrade-proposed':
      if (upgrade?.ineffectiveAt) return `upgrade to ${v(upgrade.toVersion)} did not fix the leak — the workaround stays; look into it`;
      return upgrade?.nextHop ? `on ${v(upgrade.fromVersion)}, still affected — waits for it to run healthy before proposing ${v(upgrade.toVersion)}` : `upgrade proposed (${path}) — waits for the rollout`;
    case 'upgrade-rolled-out':
      if (upgrade?.ineffectiveAt) return `still leaking on ${v(upgrade.rolledOutVersion ?? upgrade.toVersion)} — the workaround stays; look into it`;
      return `${v(upgrade?.rolledOutVersion ?? '')} rolled out — waits for the verification window`;
    case 'verified':
      return state.workaround ? `verified on ${v(upgrade?.rolledOutVersion ?? '')} — waits to remove the workaround (guardrails)` : `verified on ${v(upgrade?.rolledOutVersion ?? '')} — the workaround is removed; closes when the escalation window passes`;
  }
}
