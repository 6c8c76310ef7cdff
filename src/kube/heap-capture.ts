/**
 * A Go heap profile before a restart destroys it: fetched from the leaking pod through the API server's
 * pod proxy (bounded by `maxSize` and `timeout`), read into its top allocation sites, and kept with the
 * incident in a ConfigMap (bounded by `keepTimeoutMs`), and told in an Event (HeapProfileCaptured, or
 * HeapProfileFailed with why); and what the profiles kept for an incident say. Nothing here can fail or
 * hold back the restart beyond those bounds.
 */
import type { Logger } from 'pino';
import type { WorkloadRef } from '../model/workload.js';
import { heapGrowth, readHeapProfile } from '../profile/heap.js';
import {
  HeapEventReason,
  heapCapturedNote,
  heapFailedNote,
  heapNotKeptReason,
  heapReport,
  heapUnansweredReason,
  heapUnreadableReason,
  heapTooLargeReason,
  type HeapCaptured,
  type HeapReport,
} from '../report/heap-text.js';
import { describeKubeError } from './errors.js';
import { recordWorkloadEvent } from './events.js';
import { heapConfigMapName } from './heap-store.js';
import type { EventRecorder, EvidenceStore } from './types.js';

/** Keeping the profile (one ConfigMap read and write) is given this long after the fetch. */
export const keepTimeoutMs = 5_000;

/** Where a profile is served (config `diagnostics.heapProfile`). */
export interface HeapEndpoint {
  port: number;
  path: string;
  /** Bytes. */
  maxSize: number;
  /** Seconds. */
  timeout: number;
}

/** The restart a profile is taken before: whose pod, which incident and action. */
export interface HeapCaptureRequest {
  workload: WorkloadRef;
  pod: { name: string; uid: string };
  incidentId: string;
  actionId: string;
  /** False when nothing may be written (dry-run): the profile is read, not kept. */
  keep: boolean;
}

export type Capture = { ok: true; captured: HeapCaptured } | { ok: false; reason: string };

function within<T>(ms: number, work: Promise<T>, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(late), ms)));
  return Promise.race([work, bound]).finally(() => clearTimeout(timer));
}

/** Fetches, reads and (when it may) keeps the pod's heap profile; why not, as plain data. */
export async function captureHeap(
  store: EvidenceStore,
  request: HeapCaptureRequest,
  settings: HeapEndpoint,
): Promise<Capture> {
  const { workload, keep } = request;
  const pod = { namespace: workload.namespace, name: request.pod.name, uid: request.pod.uid };
  const where = `port ${settings.port} path ${settings.path}`;
  const fetched = await store.fetchFromPod({
    pod,
    port: settings.port,
    path: settings.path,
    maxBytes: settings.maxSize,
    timeoutMs: settings.timeout * 1000,
  });
  if (fetched.outcome === 'too-large') return { ok: false, reason: heapTooLargeReason(where, fetched.limitBytes) };
  if (fetched.outcome === 'failed')
    return {
      ok: false,
      reason: heapUnansweredReason(
        where,
        fetched.error.status === 403 ? 'forbidden' : describeKubeError(fetched.error),
      ),
    };
  const reading = readHeapProfile(fetched.bytes);
  if (!reading.ok) return { ok: false, reason: heapUnreadableReason(where, reading.reason) };
  if (!keep)
    return {
      ok: true,
      captured: { pod: pod.name, summary: reading.summary, kept: { notKept: heapNotKeptReason({ dryRun: true }) } },
    };
  const kept = await within(
    keepTimeoutMs,
    store.keepHeapProfile({
      workload,
      incidentId: request.incidentId,
      actionId: request.actionId,
      pod: pod.name,
      bytes: fetched.bytes,
    }),
    {
      outcome: 'failed' as const,
      error: { code: 'timeout' as const, message: `not written within ${keepTimeoutMs / 1000} s` },
    },
  );
  if (kept.outcome === 'kept') {
    const earlier = kept.earlier ? readHeapProfile(kept.earlier.bytes) : undefined;
    const growth = earlier?.ok ? heapGrowth(earlier.sites, reading.sites) : undefined;
    return {
      ok: true,
      captured: {
        pod: pod.name,
        summary: reading.summary,
        kept: { namespace: workload.namespace, configMap: kept.configMap, key: kept.key },
        ...(growth ? { growth } : {}),
      },
    };
  }
  const notKept =
    kept.outcome === 'not-ours'
      ? heapNotKeptReason({ notOurs: kept.configMap })
      : heapNotKeptReason({ failed: describeKubeError(kept.error) });
  return { ok: true, captured: { pod: pod.name, summary: reading.summary, kept: { notKept } } };
}

/**
 * What the profiles kept for an incident say (the latest's top sites, what grew since the first), for
 * the upgrade PR of a later rung and `leakguard report`; null when none are kept or they cannot be read.
 */
export async function keptHeapReport(
  cluster: EvidenceStore,
  workload: WorkloadRef,
  incidentId: string,
): Promise<HeapReport | null> {
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
  return heapReport({
    pod: latest.pod || 'unknown',
    summary: reading.summary,
    kept: where,
    ...(growth ? { growth } : {}),
  });
}

/** The restart a profile may be taken before (a plan's restart action). */
export interface RestartToCapture {
  id: string;
  profile: string;
  workload: WorkloadRef;
  incidentId: string;
  pod?: { name: string; uid: string } | null;
}

export interface HeapCaptureDeps {
  cluster: EvidenceStore & EventRecorder;
  logger: Logger;
  /** A profile's `diagnostics.heapProfile`; undefined when it takes none. */
  endpointOf: (profile: string) => HeapEndpoint | undefined;
  /** Told the lines Slack and the PR quote, once a profile was read. */
  onCaptured: (workload: WorkloadRef, heap: HeapReport) => void;
}

/** The hook the actor calls right before a restart (dry-run included; `keep` false): never throws. */
export function heapCapturer(
  deps: HeapCaptureDeps,
): (action: RestartToCapture, options: { keep: boolean }) => Promise<void> {
  return async (action, { keep }) => {
    const settings = deps.endpointOf(action.profile);
    if (!settings || !action.pod) return;
    const pod = action.pod.name;
    let capture: Capture;
    try {
      const { workload, incidentId, id: actionId } = action;
      capture = await captureHeap(deps.cluster, { workload, pod: action.pod, incidentId, actionId, keep }, settings);
    } catch (e) {
      capture = {
        ok: false,
        reason: `unexpected error (${e instanceof Error ? e.message.split('\n')[0] : 'unknown'})`,
      };
    }
    const draft = capture.ok
      ? {
          reason: HeapEventReason.HeapProfileCaptured,
          type: 'Normal' as const,
          note: heapCapturedNote(capture.captured),
        }
      : {
          reason: HeapEventReason.HeapProfileFailed,
          type: 'Warning' as const,
          note: heapFailedNote(pod, capture.reason, !keep),
        };
    if (capture.ok) deps.onCaptured(action.workload, heapReport(capture.captured));
    const log = deps.logger.child({ profile: action.profile, pod });
    if (capture.ok)
      log.info(
        { actionId: action.id, top: capture.captured.summary.sites[0]?.function },
        'heap profile captured before the restart',
      );
    else log.warn({ actionId: action.id, reason: capture.reason }, 'no heap profile before the restart');
    await recordWorkloadEvent(
      deps.cluster,
      log,
      action.workload,
      { ...draft, action: 'CaptureHeapProfile', key: action.id },
      { pod: action.pod },
    );
  };
}
