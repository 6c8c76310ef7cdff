/**
 * What each ReplicaSet's pods run, so that detection can tell a rollout of something new from a
 * restart: a rollout restart (`kubectl rollout restart`, or leakguard's own) only stamps the pod template
 * with when and why, yet gives it a new pod-template-hash, as a new image or new settings do.
 */
import { createHash } from 'node:crypto';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { listNamespaced, type KubeContext } from './context.js';
import { restartedAtAnnotation, restartIdAnnotation } from './restart.js';
import type { PodTemplatesResult } from './types.js';

/** Template metadata that says when or why pods were made, not what they run. */
const restartStamps = new Set([restartedAtAnnotation, restartIdAnnotation]);
const templateHashLabel = 'pod-template-hash';

/** Full ReplicaSets (their templates) per list page: a template is a few KB. */
const pageSize = 100;

/**
 * A digest of what a pod template runs: equal for two ReplicaSets of a Deployment that differ only by
 * a rollout restart, different when anything else in the template changed (image, env, arguments, …).
 */
export function templateKey(template: V1PodTemplateSpec): string {
  const metadata = template.metadata ?? {};
  const content = {
    labels: without(metadata.labels, (k) => k === templateHashLabel),
    annotations: without(metadata.annotations, (k) => restartStamps.has(k)),
    spec: template.spec ?? {},
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 32);
}

/**
 * The template key of every ReplicaSet in `namespace` that `selector` matches (a ReplicaSet carries its
 * pods' labels), by ReplicaSet name: one paged list, each template reduced to its key as the page arrives.
 */
export async function readPodTemplates(
  ctx: KubeContext,
  namespace: string,
  selector: string,
): Promise<PodTemplatesResult> {
  const byReplicaSet = new Map<string, string>();
  const options = { limit: pageSize, metadata: false, labelSelector: selector };
  const listed = await listNamespaced(ctx, 'ReplicaSet', namespace, options, (rs) => {
    const name = rs.metadata?.name;
    if (name !== undefined && rs.spec?.template) byReplicaSet.set(name, templateKey(rs.spec.template));
  });
  return listed.ok ? { outcome: 'listed', byReplicaSet } : { outcome: 'failed', error: listed.error };
}

function without(map: Record<string, string> | undefined, drop: (key: string) => boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !drop(k)));
}

/** JSON with every object's keys sorted and undefined members left out: the same content, the same text. */
function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
