/**
 * leakguard's durable record per workload (stored as an annotation by src/kube/state.ts, changed only
 * by src/policy/state-changes.ts). Pure.
 */
import type { ActionKind, RestartMode } from './action.js';

/** Durable per-workload state, kept in annotations so it survives between CronJob runs. */
export interface WorkloadState {
  /** Incident the last actions belong to (deterministic, see policy). */
  incidentId: string | null;
  /** Unix seconds the current incident was opened. */
  incidentStart: number | null;
  lastAction: ActionKind | null;
  lastActionId: string | null;
  /** Unix seconds. */
  lastActionAt: number | null;
  /** Actions taken in the current incident. */
  actionCount: number;
  /** Unix seconds of restarts done by leakguard in the last 24 h (for the daily cap). */
  restartTimes: number[];
  /** Intent written before acting; cleared (moved to lastAction*) after. A leftover intent means a run died mid-action. */
  intent: {
    actionId: string;
    kind: ActionKind;
    at: number;
    /** Ladder rung the action belongs to (absent in state written before rungs were recorded). */
    rung?: number;
    /** The action undoes the workaround (kind is then 'workaround'). */
    revert?: boolean;
    /** The action restarts pods (restart, or a workaround/revert that changes the pod template). */
    disruptive?: boolean;
    /** restart only: how, so a run that died mid-action is finished the same way, never another. */
    restartMode?: RestartMode;
    /** restart by eviction only: the pod to evict (its uid pins this incarnation). */
    pod?: { name: string; uid?: string };
    /** image workaround (or its revert) only: the swap, so a run that died mid-action can record it. */
    image?: ImageSwap;
    /** env/ConfigMap workaround only: the parts already applied, saved after each, so a dead run's revert is exact. */
    applied?: AppliedWorkaround;
  } | null;
  /** Unix seconds the workaround was applied (for verification), null if not applied by leakguard. */
  workaroundAppliedAt: number | null;
  /** Ladder rung of the last action of the current incident; escalation goes to rung + 1. */
  rung?: number | null;
  /** The hotfix image leakguard set, and the image it replaced (restored by a revert); null when none. */
  workaroundImage?: ImageSwap | null;
  /**
   * Exactly what leakguard's env/ConfigMap workaround changed and what each variable or key held before:
   * what a revert restores. Null when leakguard set none (a workaround found already in place is not its own).
   */
  workaround?: AppliedWorkaround | null;
  /** The incident's last leaking growth (bytes/h), quoted when the fix is verified. */
  leakBytesPerHour?: number | null;
  /** The fix of the incident's known issue, from its proposal to its verification (null until proposed). */
  upgrade?: UpgradeTrack | null;
  /** The incident's actions across runs, oldest first, with their real times and outcomes (the PR quotes them). */
  history?: HistoryEntry[];
  /** The workload's incident before the current one (or the last, when none is open): a new incident's IDs name it. */
  previousIncidentId?: string | null;
}

/** One container's image as leakguard changed it: `previous` is what ran before, `hotfix` what it set. */
export interface ImageSwap {
  container: string;
  previous: string;
  hotfix: string;
}

/** What an env var or ConfigMap key held before: a literal, a reference (env only), or nothing (null). */
export type PriorValue = string | null | { valueFrom: Record<string, unknown> };

/** The parts of a workaround leakguard applied, each with what it set and what was there before. */
export interface AppliedWorkaround {
  env?: { container: string; set: Record<string, string>; previous: Record<string, PriorValue> };
  configMap?: { name: string; set: Record<string, string>; previous: Record<string, string | null> };
}

/** What a workaround action changed: only the parts it applied (a part found already in place is not leakguard's). */
export type Applied = AppliedWorkaround & { image?: ImageSwap };

/** An incident's fix: proposed (a PR, or advice where no GitOps repo is configured), rolled out, judged. */
export interface UpgradeTrack {
  issueId: string;
  fromVersion: string;
  toVersion: string;
  /** Unix seconds leakguard proposed it. */
  proposedAt: number;
  /** The growth on `fromVersion` when it was proposed, quoted when the new version is verified. */
  leakBytesPerHour: number | null;
  /** First seen with every pod on another version than `fromVersion` (whoever rolled it out), and which. */
  rolledOutAt?: number | null;
  rolledOutVersion?: string | null;
  /** Judged on the new version over the verification window: flat (verified) or still leaking (ineffective). */
  verifiedAt?: number | null;
  ineffectiveAt?: number | null;
  /** The pods reached `fromVersion`, still affected: the hop to `toVersion` is proposed once they run healthy. */
  nextHop?: boolean;
  /** The hops of this incident already rolled out on the way to the fix (a still-affected release reached), oldest first. */
  earlierHops?: { from: string; to: string }[];
}

/** One action of an incident, as it happened. */
export interface HistoryEntry {
  at: number;
  kind: string;
  outcome: string;
  detail?: string;
}

/**
 * Where the recorded state says an incident is; null when none is open. Derived from the state, never
 * stored. Coarser than the run's IncidentPhase (model/incident.ts), which also knows this run's verdict.
 */
export type RecordedPhase = 'detected' | 'remediated' | 'upgrade-proposed' | 'upgrade-rolled-out' | 'verified';

export function recordedPhase(state: WorkloadState): RecordedPhase | null {
  if (state.incidentId === null) return null;
  const upgrade = state.upgrade;
  if (upgrade?.verifiedAt) return 'verified';
  if (upgrade?.rolledOutAt) return 'upgrade-rolled-out';
  if (upgrade) return 'upgrade-proposed';
  return state.actionCount > 0 ? 'remediated' : 'detected';
}

export const emptyWorkloadState: WorkloadState = {
  incidentId: null,
  incidentStart: null,
  lastAction: null,
  lastActionId: null,
  lastActionAt: null,
  actionCount: 0,
  restartTimes: [],
  intent: null,
  workaroundAppliedAt: null,
  rung: null,
};
