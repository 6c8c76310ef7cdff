/**
 * What one run's items and outcomes for a workload mean for its incident: its phase, its severity and
 * what each step came to. Decisions only; Slack words them (src/report/slack-message.ts). Pure.
 */
import type { Verdict } from '../detect/types.js';
import type { ActionOutcome } from '../model/action.js';
import type { IncidentPhase, Severity } from '../model/incident.js';
import type { UpgradeTrack } from '../model/state.js';
import { workloadKey, type WorkloadRef } from '../model/workload.js';
import type { PlanAction, PlanItem, PlanNotice, PlanSkip } from './types.js';

/** A leak this close to its limit (hours) is critical; a leak further from it, or without a limit, a warning. */
export const CRITICAL_HOURS = 6;

export type StepStatus = 'planned' | 'done' | 'failed' | 'blocked' | 'skipped';

/** One action of the run and what it came to (no outcome: planned, or not reached). */
export interface IncidentStep {
  action: PlanAction;
  outcome: ActionOutcome | undefined;
  status: StepStatus;
}

export interface IncidentView {
  incidentId: string | null;
  phase: IncidentPhase;
  severity: Severity;
  /** The run's actions in the order they were carried out. */
  steps: IncidentStep[];
  /** Without an action: the skips that say why (the first one's reason stands for all). */
  skips: PlanSkip[];
  /** Where the fix stands (upgrade advised, rolled out, verified, ineffective), in order. */
  fix: PlanNotice[];
  /** What Slack was told last is compared on this: the first step, e.g. `restart:done` or `restart:planned:dry-run`. */
  actionTag: string | null;
  prUrl?: string;
}

/** The fix's notices and the phase each puts the incident in (the furthest one counts). */
const fixPhases: Partial<Record<PlanNotice['kind'], IncidentPhase>> = {
  'upgrade-advised': 'upgrade-proposed',
  'upgrade-rolled-out': 'upgrade-rolled-out',
  'upgrade-ineffective': 'upgrade-ineffective',
  'upgrade-verified': 'verified',
};

/**
 * Where the incident's upgrade stands in its durable state, once rolled out: a run that says nothing new
 * about the fix (a workaround removed a run after the verification, a recorded intent reconciled) is still
 * in that phase, never "healthy".
 */
export function upgradePhase(track: UpgradeTrack | null | undefined): IncidentPhase | null {
  if (track?.verifiedAt) return 'verified';
  if (track?.ineffectiveAt) return 'upgrade-ineffective';
  if (track?.rolledOutAt && !track.nextHop) return 'upgrade-rolled-out';
  return null;
}

export function severityOf(verdict: Pick<Verdict, 'kind' | 'hoursToLimit'> | undefined): Severity {
  if (verdict?.kind !== 'leaking') return 'info';
  return verdict.hoursToLimit !== null && verdict.hoursToLimit < CRITICAL_HOURS ? 'critical' : 'warning';
}

/**
 * What an action came to, and the phase a done, blocked or failed one puts the incident in. Removing the
 * workaround done is no remediation: the incident stays where it was (verified, or still leaking).
 */
function stepOf(action: PlanAction, outcome: ActionOutcome | undefined): { step: IncidentStep; phase?: IncidentPhase } {
  const step = (status: StepStatus): IncidentStep => ({ action, outcome, status });
  if (action.dryRun || !outcome) return { step: step('planned') };
  if (outcome.kind === 'eviction-blocked') return { step: step('blocked'), phase: 'blocked' };
  if (outcome.kind === 'failed') return { step: step('failed'), phase: 'failed' };
  if (outcome.kind === 'deferred' || outcome.kind === 'gitops-owned') return { step: step('skipped') };
  if (action.kind === 'revert-workaround') return { step: step('done') };
  const phase: IncidentPhase =
    action.kind === 'upgrade-pr' && action.together ? 'upgrade-proposed' : action.rung > 0 ? 'escalated' : 'remediated';
  return { step: step('done'), phase };
}

/**
 * Outcomes come in the order the actions were carried out (none in dry-run); `track` is the incident's
 * upgrade as the durable state holds it after the run.
 */
export function incidentView(
  items: readonly PlanItem[],
  outcomes: readonly ActionOutcome[],
  verdict: Pick<Verdict, 'kind' | 'hoursToLimit'> | undefined,
  track?: UpgradeTrack | null,
): IncidentView {
  const actions = items.filter((i): i is PlanAction => i.type === 'action');
  const skips = items.filter((i): i is PlanSkip => i.type === 'skip');
  const notices = items.filter((i): i is PlanNotice => i.type === 'notice');
  const incidentId =
    actions[0]?.incidentId ?? notices.find((n) => n.incidentId)?.incidentId ?? skips[0]?.incidentId ?? null;
  const leaking = verdict?.kind === 'leaking';
  let phase: IncidentPhase = notices.some((n) => n.kind === 'leak-resolved')
    ? 'resolved'
    : notices.some((n) => n.kind === 'leak-suspected')
      ? 'suspected'
      : leaking
        ? 'leaking'
        : 'healthy';
  const steps: IncidentStep[] = [];
  let prUrl: string | undefined;
  actions.forEach((action, i) => {
    const done = stepOf(action, outcomes[i]);
    steps.push(done.step);
    if (done.phase && (i === 0 || done.phase === 'upgrade-proposed' || done.phase === 'failed')) phase = done.phase;
    const outcome = outcomes[i];
    if (done.step.status === 'done' && outcome?.kind === 'pr' && outcome.url) prUrl = outcome.url;
  });
  const fix = notices.filter((n) => fixPhases[n.kind] !== undefined);
  const furthest = fix.at(-1);
  if (furthest && (phase as IncidentPhase) !== 'failed') phase = fixPhases[furthest.kind]!;
  else if (phase === 'healthy') phase = upgradePhase(track) ?? phase;
  const first = steps[0];
  const skip = skips[0];
  const actionTag = first
    ? `${first.action.kind}:${first.status}${first.action.dryRun ? ':dry-run' : ''}`
    : skip
      ? `${skip.wanted ?? 'none'}:skipped${skip.reason === 'dry-run' ? ':dry-run' : ''}`
      : null;
  return {
    incidentId,
    phase,
    severity: severityOf(verdict),
    steps,
    skips: steps.length === 0 ? skips : [],
    fix,
    actionTag,
    ...(prUrl ? { prUrl } : {}),
  };
}

/** The run's items per workload (by workload key), in plan order, with that workload's outcomes. */
export function itemsByWorkload(
  items: readonly PlanItem[],
  outcomes: ReadonlyMap<string, ActionOutcome[]>,
): { key: string; items: PlanItem[]; outcomes: ActionOutcome[] }[] {
  const byKey = new Map<string, PlanItem[]>();
  for (const item of items) {
    const key = workloadKey(item.workload);
    byKey.set(key, [...(byKey.get(key) ?? []), item]);
  }
  return [...byKey].map(([key, list]) => ({ key, items: list, outcomes: outcomes.get(key) ?? [] }));
}

/**
 * Workloads whose incident changed phase this run (the upgrade rolled out or judged, the workaround
 * removed), once each, as [profile, workload]: their open upgrade PR's status is re-written.
 */
export function phaseChanged(items: readonly PlanItem[]): [string, WorkloadRef][] {
  const changed = new Map<string, [string, WorkloadRef]>();
  for (const item of items) {
    const phase =
      item.type === 'notice'
        ? ['upgrade-rolled-out', 'upgrade-verified', 'upgrade-ineffective'].includes(item.kind)
        : item.type === 'action' && item.kind === 'revert-workaround';
    if (phase) changed.set(workloadKey(item.workload), [item.profile, item.workload]);
  }
  return [...changed.values()];
}
