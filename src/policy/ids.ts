/**
 * Deterministic identifiers. An action ID names (profile, workload, incident start, action kind,
 * rung): two runs that see the same incident at the same rung produce the same ID, so a CronJob that
 * fires twice, or a run that resumes a dead one's intent, finds its own earlier work by ID. The rung
 * is included so a ladder that repeats a kind (`[restart, restart, workaround]`) gets distinct IDs.
 * IDs are label-safe: ≤ 63 chars of [a-z0-9-], starting and ending with an alphanumeric.
 */
import type { PlanActionKind } from './types.js';
import type { WorkloadRef } from '../model/workload.js';

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

/** The hash input of incident and action IDs. Frozen: a new format would change every stored ID. */
function idInput(profile: string, workload: WorkloadRef): string {
  return `${profile}|${workload.kind}|${workload.namespace}|${workload.name}`;
}

export function incidentIdFor(profile: string, workload: WorkloadRef, incidentStart: number): string {
  return `inc-${stamp(incidentStart)}-${hash53(`${idInput(profile, workload)}|${incidentStart}`)}`;
}

export function actionIdFor(profile: string, workload: WorkloadRef, incidentStart: number, kind: PlanActionKind, rung: number): string {
  return `${kindSlug[kind]}-${stamp(incidentStart)}-${hash53(`${idInput(profile, workload)}|${incidentStart}|${kind}|${rung}`)}`;
}
