/**
 * The heap profile taken right before a restart destroys it (profiles with `diagnostics.heapProfile`):
 * fetched from the leaking pod through the API server's pod proxy, read into its top allocation sites,
 * kept with the incident in a ConfigMap, and told in an Event (HeapProfileCaptured, or
 * HeapProfileFailed with why). Bounded: the fetch by the profile's `timeout`, keeping it by
 * `keepTimeoutMs`; nothing here can fail or hold back the restart beyond that.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { describeKubeError } from '../kube/errors.js';
import type { Cluster } from '../kube/types.js';
import { heapConfigMapName } from '../kube/heap-store.js';
import type { PlanAction } from '../policy/types.js';
import type { WorkloadRef } from '../model/workload.js';
import { heapGrowth, readHeapProfile } from '../profile/heap.js';
import { HeapEventReason, heapCapturedNote, heapFailedNote, heapReport, type HeapCaptured, type HeapReport } from '../report/heap-text.js';

/** Keeping the profile (one ConfigMap read and write) is given this long after the fetch. */
export const keepTimeoutMs = 5_000;

export interface HeapCaptureDeps {
  config: Config;
  cluster: Cluster;
  logger: Logger;
  /** Told the lines Slack and the PR quote, once a profile was read. */
  onCaptured: (action: PlanAction, heap: HeapReport) => void;
}

type Capture = { ok: true; captured: HeapCaptured } | { ok: false; reason: string };

function within<T>(ms: number, work: Promise<T>, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(late), ms)));
  return Promise.race([work, bound]).finally(() => clearTimeout(timer));
}

/** The hook the actor calls right before a restart (dry-run included): never throws. */
export function heapCapturer(deps: HeapCaptureDeps): (action: PlanAction, options: { keep: boolean }) => Promise<void> {
  return async (action, { keep }) => {
    const settings = deps.config.profiles.find((p) => p.name === action.profile)?.diagnostics.heapProfile;
    if (!settings || !action.pod) return;
    const pod = action.pod.name;
    let capture: Capture;
    try {
      capture = await captureHeap(deps, action, action.pod, settings, keep);
    } catch (e) {
      capture = { ok: false, reason: `unexpected error (${e instanceof Error ? e.message.split('\n')[0] : 'unknown'})` };
    }
    const regarding = { kind: action.workload.kind, namespace: action.workload.namespace, name: action.workload.name, ...(action.workload.uid ? { uid: action.workload.uid } : {}) };
    const related = { kind: 'Pod', apiVersion: 'v1', namespace: action.workload.namespace, name: pod, uid: action.pod.uid };
    const draft = capture.ok
      ? { reason: HeapEventReason.HeapProfileCaptured, type: 'Normal' as const, note: heapCapturedNote(capture.captured) }
      : { reason: HeapEventReason.HeapProfileFailed, type: 'Warning' as const, note: heapFailedNote(pod, capture.reason, !keep) };
    if (capture.ok) deps.onCaptured(action, heapReport(capture.captured));
    const log = deps.logger.child({ profile: action.profile, pod });
    if (capture.ok) log.info({ actionId: action.id, top: capture.captured.summary.sites[0]?.function }, 'heap profile captured before the restart');
    else log.warn({ actionId: action.id, reason: capture.reason }, 'no heap profile before the restart');
    const event = await deps.cluster.recordEvent({ regarding, related, action: 'CaptureHeapProfile', key: action.id, ...draft });
    if (event.outcome === 'failed') log.warn({ error: describeKubeError(event.error) }, 'could not record the heap profile Event');
  };
}

async function captureHeap(
  deps: HeapCaptureDeps,
  action: PlanAction,
  target: NonNullable<PlanAction['pod']>,
  settings: NonNullable<Config['profiles'][number]['diagnostics']['heapProfile']>,
  keep: boolean,
): Promise<Capture> {
  const { cluster } = deps;
  const pod = { namespace: action.workload.namespace, name: target.name, uid: target.uid };
  const where = `port ${settings.port} path ${settings.path}`;
  const fetched = await cluster.fetchFromPod({ pod, port: settings.port, path: settings.path, maxBytes: settings.maxSize, timeoutMs: settings.timeout * 1000 });
  if (fetched.outcome === 'too-large') return { ok: false, reason: `the profile at ${where} is larger than maxSize (${Math.round(fetched.limitBytes / 1024)} KiB)` };
  if (fetched.outcome === 'failed') {
    const status = fetched.error.status === 403 ? 'forbidden: the chart renders pods/proxy only for profiles with diagnostics.heapProfile' : describeKubeError(fetched.error);
    return { ok: false, reason: `${where} did not answer through the pod proxy (${status})` };
  }
  const reading = readHeapProfile(fetched.bytes);
  if (!reading.ok) return { ok: false, reason: `the answer of ${where} is ${reading.reason}` };
  if (!keep) return { ok: true, captured: { pod: pod.name, summary: reading.summary, kept: { notKept: 'a dry run writes nothing but Events' } } };
  const kept = await within(
    keepTimeoutMs,
    cluster.keepHeapProfile({ workload: action.workload, incidentId: action.incidentId, actionId: action.id, pod: pod.name, bytes: fetched.bytes }),
    { outcome: 'failed' as const, error: { code: 'timeout' as const, message: `not written within ${keepTimeoutMs / 1000} s` } },
  );
  const namespace = action.workload.namespace;
  if (kept.outcome === 'kept') {
    const earlier = kept.earlier ? readHeapProfile(kept.earlier.bytes) : undefined;
    const growth = earlier?.ok ? heapGrowth(earlier.sites, reading.sites) : undefined;
    return { ok: true, captured: { pod: pod.name, summary: reading.summary, kept: { namespace, configMap: kept.configMap, key: kept.key }, ...(growth ? { growth } : {}) } };
  }
  const notKept = kept.outcome === 'not-ours' ? `ConfigMap ${kept.configMap} exists and is not leakguard's` : `ConfigMap write failed (${describeKubeError(kept.error)})`;
  return { ok: true, captured: { pod: pod.name, summary: reading.summary, kept: { notKept } } };
}

/**
 * What the profiles kept for an incident say (the latest's top sites, what grew since the first), for
 * the upgrade PR of a later rung and `leakguard report`; null when none are kept or they cannot be read.
 */
export async function keptHeapReport(cluster: Cluster, workload: WorkloadRef, incidentId: string): Promise<HeapReport | null> {
  const kept = await cluster.readHeapProfiles(workload, incidentId);
  if (kept.outcome !== 'read') return null;
  const first = kept.profiles[0];
  const latest = kept.profiles.at(-1);
  if (!latest) return null;
  const reading = readHeapProfile(latest.bytes);
  if (!reading.ok) return null;
  const earlier = first && first !== latest ? readHeapProfile(first.bytes) : undefined;
  const growth = earlier?.ok ? heapGrowth(earlier.sites, reading.sites) : undefined;
  const where = { namespace: workload.namespace, configMap: heapConfigMapName(workload), key: latest.key };
  return heapReport({ pod: latest.pod || 'unknown', summary: reading.summary, kept: where, ...(growth ? { growth } : {}) });
}
