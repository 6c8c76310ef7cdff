/**
 * The state the actor writes to the workload's annotations around each plan item: the intent first
 * (before the mutation, so a run killed mid-action leaves a trace), then the outcome. Pure.
 */
import { incidentBefore } from './ids.js';
import type { PlanAction, PlanItem, PlanNotice } from './types.js';
import type { Applied, HistoryEntry, ImageSwap, UpgradeTrack, WorkloadState } from '../model/state.js';
import type { ActionKind, ActionOutcome } from '../model/action.js';

const daySeconds = 86_400;

/**
 * `done`: the action took effect (or was found already done); `failed`/`abandoned`: it did not;
 * `unknown` (a leftover intent only): the cluster could not tell, so the intent is kept for the next run.
 */
export type Outcome = 'done' | 'failed' | 'abandoned' | 'unknown';

function keepLastDay(times: readonly number[], now: number): number[] {
  return times.filter((t) => t > now - daySeconds && t <= now);
}

/** Keeps the incident a new one follows (its IDs name it: see ids.ts). */
function withPrevious(state: WorkloadState): WorkloadState {
  const previous = incidentBefore(state);
  return previous === null ? state : { ...state, previousIncidentId: previous };
}

/** Moves the state to the action's incident; a different incident starts its count afresh. */
function inIncident(state: WorkloadState, incidentId: string, incidentStart: number): WorkloadState {
  if (state.incidentId === incidentId) return state;
  return { ...withPrevious(state), incidentId, incidentStart, actionCount: 0, rung: null, upgrade: null, history: [] };
}

/** Written before the action is carried out. */
export function stateWithIntent(action: PlanAction, state: WorkloadState, now: number): WorkloadState {
  const kind: ActionKind = action.kind === 'revert-workaround' ? 'workaround' : action.kind;
  const mode = action.kind === 'restart' ? action.details.restart?.mode : undefined;
  const evicted =
    mode === 'evict' && action.pod
      ? { pod: { name: action.pod.name, ...(action.pod.uid ? { uid: action.pod.uid } : {}) } }
      : {};
  const image = imageOf(action);
  return {
    ...inIncident(state, action.incidentId, action.incidentStart),
    intent: {
      actionId: action.id,
      kind,
      at: now,
      rung: action.rung,
      revert: action.kind === 'revert-workaround',
      disruptive: action.disruptive,
      ...(mode ? { restartMode: mode } : {}),
      ...evicted,
      ...(image ? { image } : {}),
    },
  };
}

/**
 * What a workaround action changes as planned, for a caller that does not say what it applied: the
 * image swap only (env and ConfigMap parts need the values read before, which only the actor has).
 */
function appliedByPlan(action: PlanAction): Applied | undefined {
  return action.kind === 'workaround' && action.details.image ? { image: action.details.image } : undefined;
}

/** The most actions an incident's history keeps (the oldest go first). */
const historyLimit = 20;

/** Appends what an action did, when, to its incident's history (quoted by the upgrade PR across runs). */
export function withHistory(state: WorkloadState, entry: HistoryEntry): WorkloadState {
  return { ...state, history: [...(state.history ?? []), entry].slice(-historyLimit) };
}

/** A workaround's parts applied so far, saved on its intent: a run that dies half-way leaves an exact record. */
export function stateWithProgress(state: WorkloadState, actionId: string, applied: Applied): WorkloadState {
  if (state.intent?.actionId !== actionId) return state;
  const { image: _image, ...parts } = applied;
  return { ...state, intent: { ...state.intent, applied: parts } };
}

/** The image swap an action makes (a workaround) or undoes (its revert). */
function imageOf(action: PlanAction): ImageSwap | undefined {
  return action.kind === 'revert-workaround' ? action.details.revert?.image : action.details.image;
}

interface Completed {
  actionId: string;
  kind: ActionKind;
  revert: boolean;
  rung: number | null;
  disruptive: boolean;
  /**
   * A workaround: what it applied (remembered so the revert restores exactly what was there). Empty: all
   * was already in place. Undefined: it took effect but what it replaced is not known (a run that died
   * before recording it), so it is counted as applied and nothing unknown is ever restored.
   */
  applied?: Applied | undefined;
}

function isEmpty(applied: Applied): boolean {
  return !applied.env && !applied.configMap && !applied.image;
}

/** The workaround fields after `done`: set by a workaround that changed something, cleared by a revert. */
function workaroundFields(state: WorkloadState, done: Completed, at: number): Partial<WorkloadState> {
  if (done.kind !== 'workaround') return {};
  if (done.revert)
    return { workaroundAppliedAt: null, workaround: null, ...(state.workaroundImage ? { workaroundImage: null } : {}) };
  const applied = done.applied;
  if (!applied) return { workaroundAppliedAt: at };
  if (isEmpty(applied)) return {};
  const { image, ...parts } = applied;
  return {
    workaroundAppliedAt: at,
    ...(parts.env || parts.configMap ? { workaround: parts } : {}),
    ...(image ? { workaroundImage: image } : {}),
  };
}

/** `at`: when the action took effect (a reconciled intent: when the dead run took it); `now`: this run. */
function completed(state: WorkloadState, done: Completed, now: number, at = now): WorkloadState {
  const restartTimes = done.disruptive ? [...state.restartTimes, at] : state.restartTimes;
  return {
    ...state,
    ...workaroundFields(state, done, at),
    intent: null,
    // A revert is bookkeeping within the workaround rung, not a rung of its own.
    lastAction: done.revert ? state.lastAction : done.kind,
    rung: done.revert ? (state.rung ?? null) : done.rung,
    lastActionId: done.actionId,
    lastActionAt: at,
    actionCount: state.actionCount + 1,
    restartTimes: keepLastDay(restartTimes, now),
  };
}

/**
 * The state after a plan item, as of `now`. Actions and reconciled intents need an outcome; notices
 * open (leak-suspected) or close (leak-resolved) the incident; skips change nothing.
 */
export function stateAfter(
  item: PlanItem,
  state: WorkloadState,
  now: number,
  outcome: Outcome = 'done',
  applied?: Applied,
): WorkloadState {
  if (item.type === 'action') {
    const base = inIncident(state, item.incidentId, item.incidentStart);
    if (outcome !== 'done') return { ...base, intent: base.intent?.actionId === item.id ? null : base.intent };
    const kind: ActionKind = item.kind === 'revert-workaround' ? 'workaround' : item.kind;
    const done = completed(
      base,
      {
        actionId: item.id,
        kind,
        revert: item.kind === 'revert-workaround',
        rung: item.rung,
        disruptive: item.disruptive,
        applied: applied ?? appliedByPlan(item),
      },
      now,
    );
    return item.kind === 'upgrade-pr' ? { ...done, upgrade: proposed(item, done, now) } : done;
  }
  if (item.type === 'skip') return state;
  switch (item.kind) {
    case 'leak-suspected': {
      const opened =
        item.incidentId !== null && item.incidentStart !== null
          ? inIncident(state, item.incidentId, item.incidentStart)
          : state;
      return { ...opened, leakBytesPerHour: item.verdict?.bytesPerHour ?? null };
    }
    case 'leak-resolved':
      return {
        ...withPrevious(state),
        incidentId: null,
        incidentStart: null,
        actionCount: 0,
        rung: null,
        upgrade: null,
      };
    case 'reconcile-intent': {
      const intent = state.intent;
      if (!intent || intent.actionId !== item.intent?.actionId) return state;
      if (outcome === 'failed' || outcome === 'abandoned') return { ...state, intent: null };
      if (outcome === 'unknown') return state;
      const disruptive = intent.disruptive ?? intent.kind !== 'upgrade-pr';
      // The action happened when the dead run took it, not now: cooldown and the daily cap count from then.
      const recorded: Applied = { ...(intent.applied ?? {}), ...(intent.image ? { image: intent.image } : {}) };
      const applied = isEmpty(recorded) ? undefined : recorded;
      return completed(
        state,
        {
          actionId: intent.actionId,
          kind: intent.kind,
          revert: intent.revert === true,
          rung: intent.rung ?? null,
          disruptive,
          applied,
        },
        now,
        Math.min(now, intent.at),
      );
    }
    case 'leak-confirmed':
      // Once the new version runs, its growth is the verification's business, not the incident's rate.
      return state.upgrade?.rolledOutAt
        ? state
        : { ...state, leakBytesPerHour: item.verdict?.bytesPerHour ?? state.leakBytesPerHour ?? null };
    case 'workaround-ineffective':
      return state;
    case 'upgrade-advised':
      return item.upgrade ? { ...state, upgrade: withEarlierHops(item.upgrade, state.upgrade) } : state;
    case 'upgrade-rolled-out':
      return { ...state, upgrade: rolledOut(state.upgrade ?? null, item, now) };
    case 'upgrade-verified':
      return state.upgrade ? { ...state, upgrade: { ...state.upgrade, verifiedAt: now } } : state;
    case 'upgrade-ineffective':
      return state.upgrade ? { ...state, upgrade: { ...state.upgrade, ineffectiveAt: now } } : state;
  }
}

/** The upgrade an upgrade-pr action proposed: followed from now on (a PR for the same bump keeps its first time). */
function proposed(action: PlanAction, state: WorkloadState, now: number): UpgradeTrack | null {
  const bump = action.details.upgrade;
  const current = state.upgrade ?? null;
  if (!bump) return current;
  if (current && !current.nextHop && current.toVersion === bump.toVersion && current.fromVersion === bump.fromVersion)
    return current;
  const track = {
    issueId: bump.issueId,
    fromVersion: bump.fromVersion,
    toVersion: bump.toVersion,
    proposedAt: now,
    leakBytesPerHour: state.leakBytesPerHour ?? null,
  };
  return withEarlierHops(track, current);
}

/** A new proposal in the same incident keeps the hops already rolled out (the PR shows where it is on the path). */
function withEarlierHops(track: UpgradeTrack, current: UpgradeTrack | null | undefined): UpgradeTrack {
  return current?.nextHop && current.earlierHops ? { ...track, earlierHops: current.earlierHops } : track;
}

/**
 * The pods run a new version: the fix is judged on it — unless the known issue still affects it (an
 * intermediate hop, a patch before the fix): then the next hop is proposed from it, or, with none
 * reachable, following ends there.
 */
function rolledOut(upgrade: UpgradeTrack | null, item: PlanNotice, now: number): UpgradeTrack | null {
  const rollout = item.rollout;
  if (!upgrade || !rollout) return upgrade;
  if (!rollout.stillAffected) return { ...upgrade, rolledOutAt: now, rolledOutVersion: rollout.version };
  if (!rollout.next) return { ...upgrade, rolledOutVersion: rollout.version, ineffectiveAt: now };
  const earlierHops = [...(upgrade.earlierHops ?? []), { from: upgrade.fromVersion, to: rollout.version }];
  return {
    ...upgrade,
    fromVersion: rollout.version,
    toVersion: rollout.next,
    rolledOutAt: null,
    rolledOutVersion: null,
    nextHop: true,
    earlierHops,
  };
}

/** Done means the cluster is now as the action wanted; blocked, deferred or failed means it is not. */
export function isDone(outcome: ActionOutcome): boolean {
  return !['failed', 'eviction-blocked', 'deferred', 'gitops-owned'].includes(outcome.kind);
}
