/**
 * Reading rendered manifests: the pod template of a CronJob or Deployment, the Pod Security
 * Standards "restricted" profile as a list of violations, and RBAC rules.
 * Pure functions over plain objects, so they judge `helm template` output and live objects alike.
 */
import type { Manifest } from './helm.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects read loosely on purpose. */
/** A Kubernetes object or part of one, read without its full type (tests compare it to literals). */
export type Loose = any;
export type PodTemplate = { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: any };

export function podTemplateOf(workload: Manifest | { kind: string; spec?: any }): PodTemplate {
  const spec = (workload as { spec?: any }).spec;
  switch (workload.kind) {
    case 'CronJob':
      return spec.jobTemplate.spec.template;
    case 'Job':
    case 'Deployment':
      return spec.template;
    default:
      throw new Error(`no pod template in a ${workload.kind}`);
  }
}

const allowedVolumeTypes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/**
 * What keeps `spec` from the "restricted" Pod Security Standard (kubernetes.io/docs/concepts/security/
 * pod-security-standards), plus the chart's own promises (UID 65532, read-only root, /tmp emptyDir).
 * Empty means compliant.
 */
export function restrictedViolations(spec: any): string[] {
  const problems: string[] = [];
  const pod = spec.securityContext ?? {};
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[host]) problems.push(`pod: ${host}`);
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (!type || !allowedVolumeTypes.includes(type)) problems.push(`volume ${volume.name}: type ${type}`);
  }
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  if (containers.length === 0) problems.push('pod: no containers');
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged === true) problems.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${at}: capabilities.drop lacks ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') problems.push(`${at}: adds capability ${cap}`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${at}: runAsNonRoot is not true`);
    const uid = sc.runAsUser ?? pod.runAsUser;
    if (uid === 0) problems.push(`${at}: runAsUser 0`);
    if (uid !== 65532) problems.push(`${at}: runAsUser ${uid} (the image's nonroot user is 65532)`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${at}: seccompProfile ${seccomp}`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: root filesystem is writable`);
    for (const port of c.ports ?? []) if (port.hostPort) problems.push(`${at}: hostPort ${port.hostPort}`);
    const tmp = (c.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
    const tmpVolume = tmp && (spec.volumes ?? []).find((v: any) => v.name === tmp.name);
    if (!tmpVolume?.emptyDir) problems.push(`${at}: /tmp is not an emptyDir`);
  }
  return problems;
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export function rulesOf(role: Manifest): PolicyRule[] {
  return (role as unknown as { rules?: PolicyRule[] }).rules ?? [];
}
