/**
 * Sentences about an incident's life after detection: a workaround applied whole or not at all, the
 * upgrade proposed with it, the rollout seen, the verification on the new version, the revert. Pure.
 */
import { withV as v } from '../catalog/version.js';
import { recordedPhase, type HistoryEntry, type WorkloadState } from '../model/state.js';

/** One right leakguard needs for a workaround (the cluster's AccessCheck). */
export interface AccessNeed {
  verb: string;
  resource: string;
  namespace: string;
  name: string;
}

/** "patch configmaps rook-ceph/rook-ceph-operator-config" */
export function describeAccess(check: AccessNeed): string {
  return `${check.verb} ${check.resource} ${check.namespace}/${check.name}`;
}

export function workaroundDeniedText(denied: readonly AccessNeed[]): string {
  return `leakguard may not ${denied.map(describeAccess).join(', ')} (its Role does not grant it): nothing was changed, a workaround is applied whole or not at all`;
}

export function accessUncheckedText(message: string): string {
  return `could not check leakguard's rights before the workaround (${message}): nothing was changed`;
}

/** One part of a workaround, as the failure and undo lines name it. */
export const workaroundPart = {
  configMap: (name: string) => `ConfigMap ${name}`,
  env: (container: string) => `env on container ${container}`,
  /** The variables leakguard set, when they are undone. */
  envKeys: (keys: readonly string[]) => `env ${keys.join(', ')}`,
  image: (image: string) => `image ${image}`,
};

/** Why a workaround or its revert did not go through (the adapter's error arrives described). */
export const workaroundText = {
  notConfigured: 'no workaround configured',
  nothingToRevert: 'nothing to revert',
  unrecorded: 'could not record what was applied on the workload',
  gitopsOwned: (owner: string) => `${owner} manages it and would revert a live patch`,
  partFailed: (part: string, why: string) => `${part}: ${why}`,
};

/** A later part failed after earlier ones were applied: they were undone (or could not be, said plainly). */
export function workaroundRolledBackText(failure: string, undone: readonly string[], stuck: readonly string[]): string {
  const back = undone.length > 0 ? `; undid what was already applied (${undone.join(', ')})` : '';
  const left =
    stuck.length > 0 ? `; could NOT undo ${stuck.join(', ')}: check it by hand` : ', nothing is left changed';
  return `${failure}${back}${left}`;
}

/** The incident's actions as the PR's "Actions already taken" lists them: when, what, how it ended. */
export function historyRecords(history: readonly HistoryEntry[]): { at: number; kind: string; summary: string }[] {
  return history.map((h) => ({ at: h.at, kind: h.kind, summary: h.detail ? `${h.detail} — ${h.outcome}` : h.outcome }));
}

/** `leakguard status`: where an open incident is, and what it waits for; null when none is open. */
export function incidentStatusText(state: WorkloadState): string | null {
  const phase = recordedPhase(state);
  if (phase === null) return null;
  const upgrade = state.upgrade;
  const path = upgrade ? `${v(upgrade.fromVersion)} → ${v(upgrade.toVersion)}` : '';
  switch (phase) {
    case 'detected':
      return 'detected — waits for the first action the guardrails allow';
    case 'remediated':
      return state.workaroundAppliedAt !== null
        ? 'remediated (workaround in place) — waits for the upgrade to be proposed'
        : `remediated (${state.lastAction ?? 'action'}) — watching whether the leak comes back`;
    case 'upgrade-proposed':
      if (upgrade?.ineffectiveAt)
        return `upgrade to ${v(upgrade.toVersion)} did not fix the leak — the workaround stays; look into it`;
      return upgrade?.nextHop
        ? `on ${v(upgrade.fromVersion)}, still affected — waits for it to run healthy before proposing ${v(upgrade.toVersion)}`
        : `upgrade proposed (${path}) — waits for the rollout`;
    case 'upgrade-rolled-out':
      if (upgrade?.ineffectiveAt)
        return `still leaking on ${v(upgrade.rolledOutVersion ?? upgrade.toVersion)} — the workaround stays; look into it`;
      return `${v(upgrade?.rolledOutVersion ?? '')} rolled out — waits for the verification window`;
    case 'verified':
      return state.workaround
        ? `verified on ${v(upgrade?.rolledOutVersion ?? '')} — waits to remove the workaround (guardrails)`
        : `verified on ${v(upgrade?.rolledOutVersion ?? '')} — the workaround is removed; closes when the escalation window passes`;
  }
}

/** The run's words when leakguard cannot tell whether it may act (kill switch on its own controller). */
export const killSwitchText = {
  noController:
    "no kill switch to read: set controller to leakguard's own CronJob or Deployment (the chart does), or controller: none to rely on guardrails.killSwitch alone; nothing is changed this run",
  unreadable: (where: string, error: string) =>
    `cannot read the kill switch on ${where}: ${error}; nothing is changed this run`,
  invalid: (where: string, annotation: string, value: string | null) =>
    `${where}: annotation ${annotation}=${JSON.stringify(value)} is neither true nor false; treated as on, nothing is changed`,
  on: (where: string, annotation: string, value: string | null) =>
    `kill switch on (${where} annotation ${annotation}=${value}): nothing is changed`,
};
