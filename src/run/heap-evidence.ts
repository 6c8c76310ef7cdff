/**
 * The heap profile taken right before a restart destroys it (profiles with `diagnostics.heapProfile`):
 * fetched from the leaking pod through the API server's pod proxy, read into its top allocation sites,
 * kept with the incident in a ConfigMap, and told in an Event (HeapProfileCaptured, or
 * HeapProfileFailed with why). Bounded: the fetch by the profile's `timeout`, keeping it by
 * `keepTimeoutMs`; nothing here can fail or hold back the restart beyond that.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { EventRecorder, EvidenceStore } from '../kube/types.js';
import { captureHeap, type Capture } from '../kube/heap-capture.js';
import { recordWorkloadEvent } from '../kube/events.js';
import type { PlanAction } from '../policy/types.js';
import { HeapEventReason, heapCapturedNote, heapFailedNote, heapReport, type HeapReport } from '../report/heap-text.js';

export interface HeapCaptureDeps {
  config: Config;
  cluster: EvidenceStore & EventRecorder;
  logger: Logger;
  /** Told the lines Slack and the PR quote, once a profile was read. */
  onCaptured: (action: PlanAction, heap: HeapReport) => void;
}

/** The hook the actor calls right before a restart (dry-run included): never throws. */
export function heapCapturer(deps: HeapCaptureDeps): (action: PlanAction, options: { keep: boolean }) => Promise<void> {
  return async (action, { keep }) => {
    const settings = deps.config.profiles.find((p) => p.name === action.profile)?.diagnostics.heapProfile;
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
    if (capture.ok) deps.onCaptured(action, heapReport(capture.captured));
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
