/**
 * The vocabulary shared by discovery (kube/), the policy (pure) and the actors.
 * Facts come from the cluster; state comes from annotations on the workload; the plan is pure data.
 */
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
  intent: { actionId: string; kind: ActionKind; at: number } | null;
  /** Unix seconds the workaround was applied (for verification), null if not applied by leakguard. */
  workaroundAppliedAt: number | null;
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
};

export type { Verdict };
