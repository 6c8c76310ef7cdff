/**
 * Pure predicates the planner is built from. The verbs say what kind of question each one answers:
 *
 * - `is…`      a fact about the workload or a target right now (from discovery and the verdict).
 * - `has…`     something recorded in the workload's durable state (annotations), judged at `now`.
 * - `can…`     whether an action is possible at all for this workload (its shape, not the timing).
 * - `blockedBy…` a guardrail: returns `{ reason, note }` when it stops the action, null when it lets
 *              it through. The note, in the plan's words (PlanWords), is quoted in the RemediationSkipped
 *              Event and in Slack.
 */
import type {
  EvictInstead,
  Guardrails,
  PlanActionKind,
  PlanTarget,
  PlanWords,
  ProfilePolicy,
  SkipReason,
} from './types.js';
import type { WorkloadState } from '../model/state.js';
import type { WorkloadRef } from '../model/workload.js';
import { isInsideAnyWindow } from './windows.js';

export interface Block {
  reason: SkipReason;
  note: string;
}

const daySeconds = 86_400;
const templatedKinds: ReadonlySet<WorkloadRef['kind']> = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

// --- is…: facts -------------------------------------------------------------------------------

export function isLeaking(target: PlanTarget): boolean {
  return target.verdict.kind === 'leaking';
}

/** Usable for a decision: a verdict other than unknown (missing, stale or doubted data is unknown). */
export function isJudged(target: PlanTarget): boolean {
  return target.verdict.kind !== 'unknown';
}

/** Changes the live cluster (as opposed to a pull request). */
export function isLiveAction(kind: PlanActionKind): boolean {
  return kind !== 'upgrade-pr';
}

/** Has a pod template a rollout restart or an env patch can change. */
export function isTemplated(workload: WorkloadRef): boolean {
  return templatedKinds.has(workload.kind);
}

// --- has…: state --------------------------------------------------------------------------------

/**
 * An incident is open from its first leaking verdict until it resolves. Once leakguard acted in it,
 * it stays open for `escalateWithinSeconds` after the last action: a leak inside that span is the same
 * incident coming back (escalate); after it, a new incident.
 */
export function hasOpenIncident(state: WorkloadState, profile: ProfilePolicy, now: number): boolean {
  if (state.incidentId === null || state.incidentStart === null) return false;
  if (hasPendingFix(state)) return true;
  if (state.actionCount === 0 || state.lastActionAt === null) return true;
  return now - state.lastActionAt <= profile.escalateWithinSeconds;
}

/** An open incident may close: nothing leaks and no action of it is still under watch. */
export function hasQuietIncident(state: WorkloadState, profile: ProfilePolicy, now: number): boolean {
  if (state.incidentId === null || hasPendingFix(state)) return false;
  return (
    state.actionCount === 0 || state.lastActionAt === null || now - state.lastActionAt > profile.escalateWithinSeconds
  );
}

/**
 * The incident waits on its fix (see fix.ts): the upgrade was proposed and is not yet judged, or it was
 * verified and leakguard's env/ConfigMap workaround is still to be removed (a hotfix image needs no
 * removal: the upgrade replaced it). It stays open meanwhile, however long that takes.
 */
export function hasPendingFix(state: WorkloadState): boolean {
  const upgrade = state.upgrade;
  if (state.incidentId === null || !upgrade || upgrade.ineffectiveAt) return false;
  if (!upgrade.verifiedAt) return true;
  return Boolean(state.workaround);
}

/** Restarts done by leakguard in the 24 h ending at `now`. */
export function restartsInLastDay(state: WorkloadState, now: number): number {
  return state.restartTimes.filter((t) => t > now - daySeconds && t <= now).length;
}

/** The ladder rung to take next in an open incident. */
export function nextRung(state: WorkloadState, ladder: readonly PlanActionKind[]): number {
  if (state.actionCount === 0) return 0;
  if (typeof state.rung === 'number') return state.rung + 1;
  return state.lastAction ? ladder.indexOf(state.lastAction) + 1 : 0;
}

// --- can…: possibility --------------------------------------------------------------------------

/**
 * How a restart can be done, and why it differs from the profile's mode; null when it cannot (never
 * evict or delete an orphan pod). A DaemonSet's pod is always evicted alone: its rollout restarts the
 * pod on every node (for a CNI, every node's network), and the Eviction API honours PodDisruptionBudgets.
 */
export function canRestart(
  target: PlanTarget,
  mode: 'rollout' | 'evict',
): { mode: 'rollout' | 'evict'; instead: EvictInstead | null } | null {
  const { kind } = target.facts.workload;
  if (kind === 'DaemonSet' && target.facts.pod.controlled)
    return { mode: 'evict', instead: mode === 'rollout' ? 'daemonset' : null };
  if (mode === 'rollout' && isTemplated(target.facts.workload)) return { mode: 'rollout', instead: null };
  if (target.facts.pod.controlled && kind !== 'Pod')
    return { mode: 'evict', instead: mode === 'rollout' ? 'no-rollout' : null };
  return null;
}

// --- blockedBy…: guardrails --------------------------------------------------------------------

export function blockedByKillSwitch(guardrails: Guardrails, words: PlanWords): Block | null {
  return guardrails.killSwitch ? { reason: 'kill-switch', note: words.killSwitchOn() } : null;
}

/** Never touch a workload that is already changing or unhealthy (live actions only). */
export function blockedByWorkloadHealth(targets: readonly PlanTarget[], words: PlanWords): Block | null {
  const terminating = targets.find((t) => t.facts.pod.terminating);
  if (terminating) return { reason: 'terminating', note: words.terminating(terminating.facts.pod.name) };
  if (targets.some((t) => t.facts.rollingOut)) return { reason: 'rollout-in-progress', note: words.rollingOut() };
  const unready = Math.max(...targets.map((t) => t.facts.unreadyReplicas));
  if (unready > 1) return { reason: 'unready', note: words.unready(unready) };
  return null;
}

export function blockedByCooldown(
  state: WorkloadState,
  guardrails: Guardrails,
  now: number,
  words: PlanWords,
): Block | null {
  if (state.lastActionAt === null) return null;
  const elapsed = now - state.lastActionAt;
  if (elapsed >= guardrails.cooldownSeconds) return null;
  return { reason: 'cooldown', note: words.cooldown(state.lastAction ?? null, elapsed, guardrails.cooldownSeconds) };
}

export function blockedByWindow(guardrails: Guardrails, now: number, words: PlanWords): Block | null {
  if (isInsideAnyWindow(now, guardrails.windows)) return null;
  return { reason: 'outside-window', note: words.outsideWindows(guardrails.windows) };
}

export function blockedByDailyCap(
  state: WorkloadState,
  guardrails: Guardrails,
  now: number,
  words: PlanWords,
): Block | null {
  const done = restartsInLastDay(state, now);
  if (done < guardrails.maxRestartsPerDay) return null;
  return { reason: 'daily-cap', note: words.dailyCap(done, guardrails.maxRestartsPerDay) };
}

export function blockedByRunBudget(actionsSoFar: number, guardrails: Guardrails, words: PlanWords): Block | null {
  if (actionsSoFar < guardrails.maxActionsPerRun) return null;
  return { reason: 'max-actions', note: words.runBudget(actionsSoFar, guardrails.maxActionsPerRun) };
}
