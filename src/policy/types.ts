/**
 * The vocabulary shared by discovery (kube/), the policy (pure) and the actors.
 * Facts come from the cluster; state comes from annotations on the workload; the plan is pure data.
 */
import type { Catalog } from '../catalog/index.js';
import type { UpgradeRule } from '../catalog/schema.js';
import type { Verdict } from '../detect/types.js';
import type { AppliedWorkaround, ImageSwap, UpgradeTrack, WorkloadState } from '../model/state.js';
import type { ActionKind, RestartMode } from '../model/action.js';
import type { TargetFacts, WorkloadRef } from '../model/workload.js';

export type { Verdict };

// ---------------------------------------------------------------------------------------------
// Policy input and output: the plan is pure data, built by `plan()` in plan.ts.

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
  /** Propose the known issue's upgrade as soon as its workaround is applied (not only when it fails). */
  upgradeWithWorkaround: boolean;
  /** The profile has a GitOps repo to open the upgrade PR in (else the upgrade is advised in words). */
  upgradeRepo: boolean;
  /** How long a new version is judged on its own data before the upgrade counts as verified. */
  verifyWindowSeconds: number;
  /** A floor growing slower than this holds level (the detection's minGrowth): what a verification calls flat. */
  flatBelowBytesPerHour: number;
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
  /** The words of the plan's notes and reasons (src/report/plan-words.ts planWords). */
  words: PlanWords;
}

/** An incident's upgrade, as the words of its fix need it. */
export interface UpgradeFacts {
  fromVersion: string;
  toVersion: string;
  leakBytesPerHour: number | null;
}

/**
 * The sentences the plan carries, composed in src/report/ (the one room where text is composed): the
 * policy decides, and passes these the facts.
 */
export interface PlanWords {
  /** The leak in one phrase. */
  leak(verdict: VerdictSummary): string;
  /** A growth rate, or `unknown rate`. */
  rate(bytesPerHour: number | null): string;
  /** The reason on an upgrade PR proposed with the workaround. */
  proposalReason(toVersion: string, workaround: string): string;
  /** No GitOps repo to open a PR in: what to upgrade to, and why. */
  advised(toVersion: string, path: string, workaround: string, issueId: string): string;
  /** The pods run another version now (whoever rolled it out); judged until `verify.until` (unix seconds). */
  rolledOut(
    upgrade: UpgradeFacts,
    version: string,
    stillAffected: boolean,
    next: string | null,
    verify: { until: number; workaround: boolean },
  ): string;
  verified(version: string, floorBytes: number | null, seconds: number, upgrade: UpgradeFacts): string;
  /** Past the verification window, the new version's floor still rises, not (yet) called a leak: neither fixed nor not. */
  verificationHeld(version: string, bytesPerHour: number | null, seconds: number, workaround: boolean): string;
  ineffective(
    version: string,
    bytesPerHour: number | null,
    upgrade: UpgradeFacts,
    keeps: boolean,
    next: string | null,
  ): string;
  /** Why leakguard removes its workaround. */
  revertReason(version: string): string;
  /** A GitOps tool owns the object: leakguard tells, never patches. */
  gitopsRevert(owner: string, why: string): string;
  // Guardrails (src/policy/predicates.ts blockedBy…): why an action waits.
  killSwitchOn(): string;
  terminating(pod: string): string;
  rollingOut(): string;
  unready(replicas: number): string;
  cooldown(lastAction: string | null, elapsedSeconds: number, cooldownSeconds: number): string;
  outsideWindows(windows: readonly TimeWindow[]): string;
  dailyCap(restarts: number, cap: number): string;
  runBudget(planned: number, cap: number): string;
  // The plan's notices and skips (src/policy/plan.ts). `spread`: how many of the workload's containers leak.
  leakSuspected(incidentId: string, verdict: VerdictSummary, spread: LeakSpread): string;
  leakConfirmed(incidentId: string, actionCount: number, verdict: VerdictSummary, spread: LeakSpread): string;
  workaroundIneffective(bytesPerHour: number | null, appliedAt: number): string;
  awaitingVerification(lastAction: string | null, lastActionAt: number): string;
  /** No rung to take: the ladder is empty, every rung was taken (`taken`), or none applies (`passed`: why). */
  ladderExhausted(ladder: readonly string[], taken: boolean, passed: readonly string[]): string;
  noDecision(pod: string, why: string): string;
  leakResolved(incidentId: string | null): string;
  interruptedIntent(kind: string, actionId: string, at: number): string;
  /** Appended to the interrupted intent's note when it may not be carried out now. */
  intentHeld(why: string): string;
  intentInDryRun(): string;
  intentTooOld(): string;
  alreadyRestarting(): string;
  oneRestartPerRun(): string;
  // The ladder's rungs (src/policy/ladder.ts): an action's reason, and why a rung is skipped or passed.
  /** `why`: said after the rung, in brackets. */
  rungReason(verdict: VerdictSummary, ladder: readonly string[], rung: number, why: string | null): string;
  evictInstead(instead: EvictInstead, kind: string): string;
  daemonSetHotfix(): string;
  /** A rung that does not apply, for the ladder-exhausted note. */
  rungPassed(rung: string, why: string): string;
  foreignOwner(pod: string, owner: string): string;
  restartForbidden(issueId: string): string;
  orphanPod(pod: string): string;
  noWorkaround(): string;
  workaroundInPlace(what: string): string;
  noPodTemplate(kind: string): string;
  /** `ownerSaid`: the restart rung named the pod's owner already. */
  hotfixElsewhere(
    issueId: string,
    image: string,
    where: string | null,
    pod: string,
    owner: string,
    ownerSaid: boolean,
  ): string;
  hotfixOverDigest(image: string, hotfix: string): string;
  hotfixForOtherTag(hotfixTag: string, forVersion: string, running: string | null): string;
  /** A GitOps tool owns the workload: the hotfix image, or the workaround described, is not patched live. */
  gitopsWorkaround(
    kind: string,
    name: string,
    owner: string,
    what: { hotfix: string } | { workaround: string },
  ): string;
  upgradeBlocked(issueId: string, blocked: string | null): string;
  noKnownIssue(image: string): string;
  ineffectiveRevert(hotfix: boolean, workaround: string): string;
}

/** Why a rollout restart is an eviction instead: a DaemonSet (every node), or a kind with no rollout. */
export type EvictInstead = 'daemonset' | 'no-rollout';

export interface LeakSpread {
  leaking: number;
  of: number;
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
  /** The image is pinned by digest: leakguard does not know the hotfix's digest, so it sets no tag. */
  | 'digest-pinned'
  | 'ladder-exhausted'
  | 'dry-run'
  /**
   * The verdict still covers data from before the last action: wait for post-action data before escalating;
   * or the new version's floor still rises, not (yet) called a leak: its verification (and the workaround's removal) waits.
   */
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
export type NoticeKind =
  | 'leak-suspected'
  | 'leak-confirmed'
  | 'leak-resolved'
  | 'workaround-ineffective'
  | 'reconcile-intent'
  /** The fix (see fix.ts): advised in words (no GitOps repo), rolled out, verified, or still leaking on the new version. */
  | 'upgrade-advised'
  | 'upgrade-rolled-out'
  | 'upgrade-verified'
  | 'upgrade-ineffective';

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
  /** For workaround: swap `action.container`'s image in the pod template from `previous` to `hotfix`. */
  image?: ImageSwap;
  /** For revert-workaround: what leakguard applied and what to restore (recorded in the state), and the image to put back. */
  revert?: AppliedWorkaround & { image?: ImageSwap };
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
    /** Images released with the operator that move with it (the catalogue entry's components). */
    components?: string[];
    /** The catalogue's upgrade rule, applied to chart versions too. */
    ruleId?: UpgradeRule;
    /** The hotfix image leakguard set and the pods still run (the PR body says so, and how to undo it). */
    hotfix?: ImageSwap;
    /** Hops of this incident already rolled out on the way to the fix (the PR shows where this one is). */
    earlierHops?: { from: string; to: string }[];
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
  /** An upgrade PR proposed in the same run as the workaround it goes with: not counted against maxActionsPerRun. */
  together?: true;
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
  /** upgrade-advised only: the upgrade now followed. */
  upgrade?: UpgradeTrack;
  /** upgrade-rolled-out only: the version the pods run, and whether the known issue still affects it. */
  rollout?: { version: string; stillAffected: boolean; next: string | null };
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
