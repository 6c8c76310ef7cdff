/**
 * Heap profiles kept with their incident: one ConfigMap per workload, in the workload's namespace,
 * owned by leakguard (label `app.kubernetes.io/managed-by: leakguard`, owner reference to the
 * workload so it goes when the workload goes). It holds the incident's first capture and its latest
 * (binaryData, each bounded by the capture's size cap so two fit the 1 MiB a ConfigMap may hold); a
 * new incident replaces the previous incident's profiles; a ConfigMap of that name that leakguard
 * does not own is never touched. Keys are named by action ID, so keeping the same capture twice
 * changes nothing.
 */
import { trimEnd } from '../model/text.js';
import type { V1ConfigMap, V1OwnerReference } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { WorkloadRef } from '../model/workload.js';
import { apiVersionOf } from '../model/workload.js';
import type { KubeContext } from './context.js';
import type { Failed } from './types.js';

export const managedByLabel = 'app.kubernetes.io/managed-by';
export const incidentLabel = 'leakguard.io/incident';

export interface HeapProfileToKeep {
  workload: WorkloadRef;
  incidentId: string;
  /** The restart's action ID: names the key. */
  actionId: string;
  /** The pod it was taken from. */
  pod: string;
  bytes: Buffer;
}

const orderAnnotation = 'leakguard.io/heap-order';
const podsAnnotation = 'leakguard.io/heap-pods';

function podsOf(annotations: Record<string, string> | undefined): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(annotations?.[podsAnnotation] ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export type KeepHeapResult =
  | {
      outcome: 'kept';
      configMap: string;
      key: string;
      /** The incident's first capture, when this is a later one (what grew is judged against it). */
      earlier?: { key: string; bytes: Buffer };
    }
  | { outcome: 'not-ours'; configMap: string }
  | Failed;

/** `leakguard-heap-<kind>-<name>`, a valid ConfigMap name (long names end in a hash). */
export function heapConfigMapName(workload: WorkloadRef): string {
  const name = `leakguard-heap-${workload.kind.toLowerCase()}-${workload.name}`;
  if (name.length <= 253) return name;
  return `${trimEnd(name.slice(0, 236), '.-')}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}

export function heapKey(actionId: string): string {
  return `heap-${actionId}.pb.gz`;
}

function ownerOf(workload: WorkloadRef): V1OwnerReference[] {
  if (!workload.uid) return [];
  return [{ apiVersion: apiVersionOf(workload.kind), kind: workload.kind, name: workload.name, uid: workload.uid }];
}

export async function keepHeapProfile(ctx: KubeContext, profile: HeapProfileToKeep): Promise<KeepHeapResult> {
  const { workload } = profile;
  const name = heapConfigMapName(workload);
  const namespace = workload.namespace;
  const key = heapKey(profile.actionId);
  const read = await ctx.call(() => ctx.core.readNamespacedConfigMap({ name, namespace }));
  if (!read.ok && read.error.code !== 'not-found') return { outcome: 'failed', error: read.error };
  const existing = read.ok ? read.value : undefined;
  if (existing && existing.metadata?.labels?.[managedByLabel] !== 'leakguard')
    return { outcome: 'not-ours', configMap: name };
  const sameIncident = existing?.metadata?.labels?.[incidentLabel] === profile.incidentId;
  // Keys of this incident, oldest first (binaryData keeps insertion order only by accident: use the annotation).
  const order = sameIncident
    ? (existing?.metadata?.annotations?.[orderAnnotation] ?? '').split(',').filter(Boolean)
    : [];
  const binary = sameIncident ? { ...(existing?.binaryData ?? {}) } : {};
  const firstKey = order.find((k) => k !== key && binary[k] !== undefined);
  const earlier = firstKey ? { key: firstKey, bytes: Buffer.from(binary[firstKey]!, 'base64') } : undefined;
  if (binary[key] !== undefined) return { outcome: 'kept', configMap: name, key, ...(earlier ? { earlier } : {}) };
  // The first capture stays; a later one replaces the previous later one.
  const kept = order.filter((k) => binary[k] !== undefined).slice(0, 1);
  const next: Record<string, string> = {};
  for (const k of kept) next[k] = binary[k]!;
  next[key] = profile.bytes.toString('base64');
  const body: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      labels: { [managedByLabel]: 'leakguard', [incidentLabel]: profile.incidentId },
      annotations: {
        [orderAnnotation]: [...kept, key].join(','),
        [podsAnnotation]: JSON.stringify(
          Object.fromEntries([
            ...kept.map((k) => [k, podsOf(existing?.metadata?.annotations)[k] ?? '']),
            [key, profile.pod],
          ]),
        ),
      },
      ownerReferences: ownerOf(workload),
      ...(existing?.metadata?.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
    },
    binaryData: next,
  };
  const write = existing
    ? await ctx.call(() =>
        ctx.core.replaceNamespacedConfigMap({ name, namespace, body, fieldManager: ctx.fieldManager }),
      )
    : await ctx.call(() => ctx.core.createNamespacedConfigMap({ namespace, body, fieldManager: ctx.fieldManager }));
  if (!write.ok) return { outcome: 'failed', error: write.error };
  return { outcome: 'kept', configMap: name, key, ...(earlier ? { earlier } : {}) };
}

export type ReadHeapResult = { outcome: 'read'; profiles: { key: string; pod: string; bytes: Buffer }[] } | Failed;

/** The profiles kept for `incidentId`, first capture first; none when the ConfigMap is another incident's or not leakguard's. */
export async function readHeapProfiles(
  ctx: KubeContext,
  workload: WorkloadRef,
  incidentId: string,
): Promise<ReadHeapResult> {
  const read = await ctx.call(() =>
    ctx.core.readNamespacedConfigMap({ name: heapConfigMapName(workload), namespace: workload.namespace }),
  );
  if (!read.ok)
    return read.error.code === 'not-found'
      ? { outcome: 'read', profiles: [] }
      : { outcome: 'failed', error: read.error };
  const metadata = read.value.metadata;
  if (metadata?.labels?.[managedByLabel] !== 'leakguard' || metadata.labels[incidentLabel] !== incidentId)
    return { outcome: 'read', profiles: [] };
  const binary = read.value.binaryData ?? {};
  const order = (metadata.annotations?.[orderAnnotation] ?? '').split(',').filter((k) => binary[k] !== undefined);
  const pods = podsOf(metadata.annotations);
  return {
    outcome: 'read',
    profiles: order.map((key) => ({ key, pod: pods[key] ?? '', bytes: Buffer.from(binary[key]!, 'base64') })),
  };
}
