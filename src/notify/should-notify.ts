/**
 * When to speak. Slack hears about an incident when its state changes, never once per run:
 * `shouldNotify` compares the state recorded at the last message with the state now.
 */
import type { IncidentPhase, Severity } from '../model/incident.js';

/** What a message last said about a workload (kept by the caller in workload state). */
export interface NotifyState {
  incidentId: string | null;
  phase: IncidentPhase;
  severity: Severity;
  /** Last action and its outcome, e.g. `restart:done` or `upgrade-pr:opened`; null when none. */
  action: string | null;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface NotifyDecision {
  notify: boolean;
  reason: string;
}

const QUIET: ReadonlySet<IncidentPhase> = new Set(['healthy', 'resolved']);

export function shouldNotify(prev: NotifyState | null, next: NotifyState): NotifyDecision {
  const before: NotifyState = prev ?? { incidentId: null, phase: 'healthy', severity: 'info', action: null };
  if (QUIET.has(next.phase) && QUIET.has(before.phase)) return { notify: false, reason: 'no incident' };
  if (next.incidentId !== before.incidentId && next.incidentId !== null)
    return { notify: true, reason: 'new incident' };
  if (next.phase !== before.phase) return { notify: true, reason: `phase ${before.phase} → ${next.phase}` };
  if (next.action !== before.action && next.action !== null) return { notify: true, reason: `action ${next.action}` };
  if (RANK[next.severity] > RANK[before.severity])
    return { notify: true, reason: `severity ${before.severity} → ${next.severity}` };
  return { notify: false, reason: 'unchanged' };
}
