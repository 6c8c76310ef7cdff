/** The words of an incident's life that Slack, the ledger and the report share: its phases and severities. Pure. */

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const INCIDENT_PHASES = [
  'healthy',
  'suspected',
  'leaking',
  'remediated',
  'escalated',
  'blocked',
  'failed',
  'upgrade-proposed',
  'upgrade-rolled-out',
  'verified',
  'upgrade-ineffective',
  'resolved',
  'metrics-unavailable',
] as const;
export type IncidentPhase = (typeof INCIDENT_PHASES)[number];
