/**
 * The vocabulary shared by discovery (kube/), the policy (pure) and the actors.
 * Facts come from the cluster; state comes from annotations on the workload; the plan is pure data.
 */
import type { Catalog } from '../catalog/index.js';
import type { Verdict } from '../detect/types.js';

export type ActionKind = 'restart' | 'workaround' | 'upgrade-pr';
export type GitOpsOwner = 'flux' | 'argocd';
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Pod';

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  uid: string;
}

/** What discovery found for one container of one pod of a watched workload. */
export interface TargetFacts {
  profile: string;
  workload: WorkloadRef;
  pod: {
    name: string;
    uid: string;
    /** Unix seconds. */
    startTime: number | null;
    ready: boolean;
    terminating: boolean;
    /** The pod has a controller owner (never delete or evict an orphan). */
    controlled: boolean;
  };
  container: string;
  image: string;
  /** Version parsed from the image tag, e.g. "1.14.9"; null if the tag is not a version. */
  version: string | null;
  limitBytes: number | null;
  restartCount: number;
  gitopsOwner: GitOpsOwner | null;
  /** Rollout in progress (observedGeneration behind, or updated replicas < desired). */
  rollingOut: boolean;
  unreadyReplicas: number;
  /** Current env of the container (names → literal values), used to see if a workaround is already in place. */
  env: Record<string, string>;
  /** Command and args of each container of the pod, by name (catalogue condition checks); absent when unknown. */
  podCommands?: Readonly<Record<string, readonly string[]>>;
  /** The pod's controller is another operator's resource (`InstanceManager instance-manager-e-1`): notify only. */
  foreignOwner?: string;
}

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
  } | null;
  /** Unix seconds the workaround was applied (for verification), null if not applied by leakguard. */
  workaroundAppliedAt: number | null;
  /** Ladder rung of the last action of the current incident; escalation goes to rung + 1. */
  rung?: number | null;
  /** The workload's incident before the current one (or the last, when none is open): a new incident's IDs name it. */
  previousIncidentId?: string | null;
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

export type { Verdict };

// ---------------------------------------------------------------------------------------------
// Policy input and output: the plan is pure data, built by `plan()` in plan.ts.

export type RestartMode = 'rollout' | 'evict';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** An allowed time window, judged on Prometheus time in UTC. `end` before `start` spans midnight. */
export interface TimeWindow {
  /** Days the window starts on; all days when absent. */
  days?: readonly Weekday[];
  /** `HH:MM`, 24 h. */
  start: string;
  /** `HH:MM`, exclusive; equal to `start` means the whole day. */
  end: string;
  timezone?: 'UTC';
}

export interface WorkaroundSpec {
  env?: Readonly<Record<string, string>>;
  configMap?: { name: string; data: Readonly<Record<string, string>> };
}

/** What one profile allows leakguard to do. */
export interface ProfilePolicy {
  name: string;
  /** Actions in escalation order. */
  ladder: readonly ActionKind[];
  restartMode: RestartMode;
  /** Falls back to the matched known issue's workaround when absent or empty. */
  workaround?: WorkaroundSpec;
  /** A leak that returns within this time after an action escalates to the next rung. */
  escalateWithinSeconds: number;
  revertWorkaroundIfIneffective: boolean;
  /** Catalogue ids to match; empty means the whole catalogue. */
  knownIssues: readonly string[];
}

export interface Guardrails {
  /** Every action is planned with dryRun: true; the actors mutate nothing. */
  dryRun: boolean;
  /** Minimum time between two actions on one workload. */
  cooldownSeconds: number;
  /** Actions (dry-run ones included) across all targets in one run. */
  maxActionsPerRun: number;
  /** Pod-restarting actions per workload in any 24 h (restarts, and workarounds/reverts that roll pods). */
  maxRestartsPerDay: number;
  /** Live cluster changes only inside these windows; empty means always. */
  windows: readonly TimeWindow[];
  killSwitch: boolean;
}

export interface PlanTarget {
  facts: TargetFacts;
  verdict: Verdict;
  /** State read from the workload's annotations (the same for every target of one workload). */
  state: WorkloadState;
}

export interface PlanInput {
  targets: readonly PlanTarget[];
  profiles: readonly ProfilePolicy[];
  guardrails: Guardrails;
  /** Unix seconds, the Prometheus evaluation time (never the local clock). */
  now: number;
  catalog: Catalog;
}

export type PlanActionKind = ActionKind | 'revert-workaround';

export type SkipReason =
  | 'cooldown'
  | 'daily-cap'
  | 'max-actions'
  | 'outside-window'
  | 'kill-switch'
  | 'gitops-owned'
  | 'rollout-in-progress'
  | 'terminating'
  | 'unready'
  | 'stale-data'
  | 'no-controller'
  /** The pod is managed through another operator's resource leakguard does not understand: notify only. */
  | 'foreign-owner'
  | 'ladder-exhausted'
  | 'dry-run'
  /** The verdict still covers data from before the last action: wait for post-action data before escalating. */
  | 'awaiting-verification'
  /** Another profile already planned a pod-restarting action on this workload in this run. */
  | 'already-disrupted';

/**
 * - leak-suspected: a leaking verdict with no open incident: the incident opens now.
 * - leak-confirmed: still (or again) leaking within an open incident.
 * - leak-resolved: no target leaks any more and the escalation window has passed: the incident closes.
 * - workaround-ineffective: leaking on data gathered entirely after the workaround was applied.
 * - reconcile-intent: a previous run recorded an intent and died; the actor completes or confirms it.
 */
export type NoticeKind = 'leak-suspected' | 'leak-confirmed' | 'leak-resolved' | 'workaround-ineffective' | 'reconcile-intent';

/** What an item is about. `pod`/`container` are the worst leaking target when one exists. */
export interface PlanSubject {
  profile: string;
  workload: WorkloadRef;
  pod: { name: string; uid: string } | null;
  container: string | null;
}

export interface VerdictSummary {
  kind: Verdict['kind'];
  bytesPerHour: number | null;
  hoursToLimit: number | null;
  headline: string;
}

export interface ActionDetails {
  /** For restart: how, and the value of `kubectl.kubernetes.io/restartedAt` (the action ID) or the pod to evict. */
  restart?: { mode: RestartMode; annotationValue: string };
  /** For workaround: env vars to set on `container` and/or ConfigMap keys. */
  env?: Readonly<Record<string, string>>;
  configMap?: { name: string; data: Readonly<Record<string, string>> };
  /** For revert-workaround: what to remove. */
  revert?: { envNames: string[]; configMap?: { name: string; keys: string[] } };
  /** For upgrade-pr: the bump and why. */
  upgrade?: {
    issueId: string;
    fromVersion: string;
    toVersion: string;
    path: string;
    links: { title: string; url: string }[];
    /** The project's upgrade rule in words, quoted in the PR body. */
    rule?: string;
    /** Upgrade notes of every minor version the step crosses. */
    notes?: { title: string; url: string }[];
    /** The day the entry was checked against its sources. */
    checked?: string;
    /** The Helm chart the upgrade PR bumps (the catalogue's; the profile may override). */
    chart?: string;
  };
  /** Known-issue explanations, quoted in Events, Slack and PR bodies. */
  knownIssues: string[];
  verdict: VerdictSummary;
}

export interface PlanAction extends PlanSubject {
  type: 'action';
  /** Deterministic, label-safe (≤ 63 chars, [a-z0-9-]). */
  id: string;
  kind: PlanActionKind;
  incidentId: string;
  incidentStart: number;
  /** Index in the profile's ladder. */
  rung: number;
  /** Restarts pods (restart, or a workaround/revert that changes the pod template). */
  disruptive: boolean;
  reason: string;
  details: ActionDetails;
  dryRun: boolean;
}

export interface PlanSkip extends PlanSubject {
  type: 'skip';
  reason: SkipReason;
  /** The action that would have run, when there was one ("would restart, but …"). */
  wanted: PlanActionKind | null;
  actionId: string | null;
  incidentId: string | null;
  note: string;
}

export interface PlanNotice extends PlanSubject {
  type: 'notice';
  kind: NoticeKind;
  incidentId: string | null;
  incidentStart: number | null;
  note: string;
  verdict: VerdictSummary | null;
  knownIssues: string[];
  /** reconcile-intent only: the recorded intent and whether the actor may still carry it out if it is not done. */
  intent?: {
    actionId: string;
    kind: ActionKind;
    at: number;
    revert: boolean;
    mayComplete: boolean;
    /** restart only: carried out (or checked) exactly as recorded; absent in state from before it was recorded. */
    restartMode?: RestartMode;
    pod?: { name: string; uid?: string };
    /** workaround only: whether the pods show it took effect; absent when they cannot tell. */
    happened?: boolean;
  };
  dryRun: boolean;
}

export type PlanItem = PlanAction | PlanSkip | PlanNotice;

export interface Plan {
  now: number;
  dryRun: boolean;
  items: PlanItem[];
}
