/**
 * Pure fact extraction from API objects: what discovery reports about a pod and its workload.
 * Naming: `xOf(object)` reads one fact; nothing here makes a request.
 */
import type {
  V1Container,
  V1DaemonSet,
  V1Deployment,
  V1ObjectMeta,
  V1Pod,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { GitOpsOwner } from '../model/workload.js';
import { parseQuantityBytes } from './quantity.js';

export type Workload =
  | { kind: 'Deployment'; object: V1Deployment }
  | { kind: 'StatefulSet'; object: V1StatefulSet }
  | { kind: 'DaemonSet'; object: V1DaemonSet };

export const fluxLabels = ['kustomize.toolkit.fluxcd.io/name', 'helm.toolkit.fluxcd.io/name'] as const;
export const argoLabel = 'argocd.argoproj.io/instance';
export const argoTrackingAnnotation = 'argocd.argoproj.io/tracking-id';

/** Which GitOps tool (if any) reconciles this object, from its labels and annotations. */
export function gitopsOwnerOf(meta: V1ObjectMeta | undefined): GitOpsOwner | null {
  const labels = meta?.labels ?? {};
  const annotations = meta?.annotations ?? {};
  if (fluxLabels.some((l) => labels[l] !== undefined)) return 'flux';
  if (labels[argoLabel] !== undefined || annotations[argoTrackingAnnotation] !== undefined) return 'argocd';
  return null;
}

/** The named container, or the first one when no name is configured; null if the name is absent. */
export function containerOf(pod: V1Pod, name: string | undefined): V1Container | null {
  const containers = pod.spec?.containers ?? [];
  if (!name) return containers[0] ?? null;
  return containers.find((c) => c.name === name) ?? null;
}

export function memoryLimitOf(container: V1Container): number | null {
  return parseQuantityBytes(container.resources?.limits?.['memory']);
}

/** Command and args of each container (not init containers: they have exited), by container name. */
export function podCommandsOf(pod: V1Pod): Record<string, string[]> {
  const commands: Record<string, string[]> = {};
  for (const c of pod.spec?.containers ?? []) commands[c.name] = [...(c.command ?? []), ...(c.args ?? [])];
  return commands;
}

/** Literal env values (entries with valueFrom are not literals and are left out). */
export function literalEnvOf(container: V1Container | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container?.env ?? []) if (e.valueFrom === undefined) env[e.name] = e.value ?? '';
  return env;
}

export function restartCountOf(pod: V1Pod, container: string): number {
  return pod.status?.containerStatuses?.find((s) => s.name === container)?.restartCount ?? 0;
}

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function unixSeconds(time: Date | string | undefined | null): number | null {
  if (time === undefined || time === null) return null;
  const ms = time instanceof Date ? time.getTime() : Date.parse(time);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/** Mirrors `kubectl rollout status`: a rollout is in progress until the controller has caught up. */
export function isRollingOut(workload: Workload): boolean {
  const meta = workload.object.metadata;
  const generationBehind = (workload.object.status?.observedGeneration ?? 0) < (meta?.generation ?? 0);
  if (generationBehind) return true;
  switch (workload.kind) {
    case 'Deployment': {
      const spec = workload.object.spec;
      const s = workload.object.status ?? {};
      const desired = spec?.replicas ?? 1;
      const updated = s.updatedReplicas ?? 0;
      return (
        updated < desired ||
        (s.replicas ?? 0) > updated ||
        (s.availableReplicas ?? 0) < updated ||
        (s.unavailableReplicas ?? 0) > 0
      );
    }
    case 'StatefulSet': {
      const s = workload.object.status;
      const desired = workload.object.spec?.replicas ?? 1;
      const rolling =
        workload.object.spec?.updateStrategy?.type !== 'OnDelete' &&
        !!s?.updateRevision &&
        s.updateRevision !== s.currentRevision;
      return rolling || (s?.updatedReplicas ?? 0) < desired || (s?.readyReplicas ?? 0) < desired;
    }
    case 'DaemonSet': {
      const s = workload.object.status;
      return (s?.updatedNumberScheduled ?? 0) < (s?.desiredNumberScheduled ?? 0) || (s?.numberUnavailable ?? 0) > 0;
    }
  }
}

/** Replicas the controller wants that are not ready. */
export function unreadyReplicasOf(workload: Workload): number {
  switch (workload.kind) {
    case 'Deployment':
      return Math.max(0, (workload.object.spec?.replicas ?? 1) - (workload.object.status?.readyReplicas ?? 0));
    case 'StatefulSet':
      return Math.max(0, (workload.object.spec?.replicas ?? 1) - (workload.object.status?.readyReplicas ?? 0));
    case 'DaemonSet':
      return Math.max(
        0,
        (workload.object.status?.desiredNumberScheduled ?? 0) - (workload.object.status?.numberReady ?? 0),
      );
  }
}

export function controllerOf(meta: V1ObjectMeta | undefined) {
  return meta?.ownerReferences?.find((o) => o.controller === true) ?? null;
}
