/**
 * Deterministic identifiers. An action ID names (profile, workload, incident, action kind, rung): two
 * runs that see the same incident at the same rung produce the same ID, so a CronJob that fires twice,
 * or a run that resumes a dead one's intent, finds its own earlier work by ID. The rung is included so
 * a ladder that repeats a kind (`[restart, restart, workaround]`) gets distinct IDs.
 * An incident is named by its start (floored to the hour) and by the workload's incident before it: a
 * leak that returns after escalateWithin within the hour the last incident started (a fast leak,
 * restarted minutes after its pod started) is a new incident, and its restart must not carry the ID
 * the pod template already has — the cluster would report it done and nothing would restart.
 * IDs are label-safe: ≤ 63 chars of [a-z0-9-], starting and ending with an alphanumeric.
 */
import type { PlanActionKind } from './types.js';
import type { WorkloadRef } from '../model/workload.js';
import type { WorkloadState } from '../model/state.js';

const hourSeconds = 3600;

/** cyrb53: a 53-bit string hash, pure and fast; collisions are irrelevant at this scale. */
export function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const value = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return value.toString(36).padStart(11, '0');
}

/** Rounds down to the hour, so small differences between two evaluations do not change an incident. */
export function floorToHour(unixSeconds: number): number {
  return Math.floor(unixSeconds / hourSeconds) * hourSeconds;
}

/** `202611262100`: UTC minute stamp, readable in `kubectl get events`. */
function stamp(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

const kindSlug: Record<PlanActionKind, string> = {
  restart: 'restart',
  workaround: 'workaround',
  'upgrade-pr': 'upgrade',
  'revert-workaround': 'revert',
};

/** Which incident: its start, and the ID of the workload's incident before it (null for its first). */
export interface IncidentKey {
  start: number;
  follows: string | null;
}

/**
 * The incident a new one follows, from the workload's state: the current one (still recorded, its
 * escalation window past), else the last closed one. State written before closed incidents were kept
 * names only its last action, which belonged to the incident before.
 */
export function incidentBefore(state: WorkloadState): string | null {
  return state.incidentId ?? state.previousIncidentId ?? state.lastActionId ?? null;
}

/**
 * The hash input of incident and action IDs. Frozen: a new format would change every stored ID (a
 * workload's first incident hashes as before incidents named the one they follow).
 */
function idInput(profile: string, workload: WorkloadRef, incident: IncidentKey): string {
  const after = incident.follows === null ? '' : `|after ${incident.follows}`;
  return `${profile}|${workload.kind}|${workload.namespace}|${workload.name}|${incident.start}${after}`;
}

export function incidentIdFor(profile: string, workload: WorkloadRef, incident: IncidentKey): string {
  return `inc-${stamp(incident.start)}-${hash53(idInput(profile, workload, incident))}`;
}

export function actionIdFor(
  profile: string,
  workload: WorkloadRef,
  incident: IncidentKey,
  kind: PlanActionKind,
  rung: number,
): string {
  return `${kindSlug[kind]}-${stamp(incident.start)}-${hash53(`${idInput(profile, workload, incident)}|${kind}|${rung}`)}`;
}
