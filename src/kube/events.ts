/**
 * Kubernetes Events (events.k8s.io/v1) for every decision and action, so that
 * `kubectl events --for deployment/<name>` tells the story. Names are deterministic (object +
 * reason + idempotency key), so a re-run that records the same action finds its Event instead of
 * adding a second one: `ensureEvent`.
 */
import { createHash } from 'node:crypto';
import { V1MicroTime, type EventsV1Event, type V1ObjectReference } from '@kubernetes/client-node';
import { mergePatch, type KubeContext } from './context.js';
import type { Logger } from 'pino';
import { describeKubeError } from './errors.js';
import type { EventInput, EventRecorder, EventResult, ObjectRef } from './types.js';
import { apiVersionOf, type WorkloadRef } from '../model/workload.js';
import { trimEnd } from '../model/text.js';

export const reportingController = 'leakguard';
/** The API server rejects longer notes. */
export const noteLimitBytes = 1024;

/** Cut to at most `limitBytes` of UTF-8, ending with an ellipsis when cut, never splitting a character. */
export function truncateUtf8(text: string, limitBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= limitBytes) return text;
  const ellipsis = '…';
  let out = '';
  let bytes = Buffer.byteLength(ellipsis, 'utf8');
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > limitBytes) break;
    out += ch;
    bytes += size;
  }
  return out + ellipsis;
}

/** `<object name>.<16 hex>`: stable for (object, reason, key), a valid DNS subdomain. */
export function eventName(input: Pick<EventInput, 'regarding' | 'reason' | 'key' | 'note'>): string {
  const r = input.regarding;
  const digest = createHash('sha256')
    .update([r.kind, r.namespace, r.name, r.uid ?? '', input.reason, input.key ?? input.note].join('\u0000'))
    .digest('hex')
    .slice(0, 16);
  const base = r.name
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .slice(0, 200);
  return `${trimEnd(base, '.-') || 'object'}.${digest}`;
}

function objectReference(ref: ObjectRef): V1ObjectReference {
  const reference: V1ObjectReference = {
    apiVersion: ref.apiVersion ?? apiVersionOf(ref.kind),
    kind: ref.kind,
    namespace: ref.namespace,
    name: ref.name,
  };
  if (ref.uid) reference.uid = ref.uid;
  return reference;
}

/** The Event object leakguard writes for `input`. Pure apart from the clock. */
export function buildEvent(input: EventInput, identity: string, now: Date): EventsV1Event {
  const event: EventsV1Event = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: eventName(input), namespace: input.regarding.namespace },
    eventTime: new V1MicroTime(now.getTime()),
    reportingController,
    reportingInstance: identity.slice(0, 128),
    action: input.action.slice(0, 128),
    reason: input.reason.slice(0, 128),
    note: truncateUtf8(input.note, noteLimitBytes),
    type: input.type,
    regarding: objectReference(input.regarding),
  };
  if (input.related) event.related = objectReference(input.related);
  return event;
}

export async function ensureEvent(ctx: KubeContext, input: EventInput): Promise<EventResult> {
  const body = buildEvent(input, ctx.identity, new Date());
  const name = body.metadata?.name ?? '';
  const namespace = input.regarding.namespace;
  const created = await ctx.call(() =>
    ctx.events.createNamespacedEvent({ namespace, body, fieldManager: ctx.fieldManager }),
  );
  if (created.ok) return { outcome: 'created', name };
  if (created.error.code !== 'already-exists') return { outcome: 'failed', error: created.error };
  if (!input.countRepeats) return { outcome: 'exists', name };

  const existing = await ctx.call(() => ctx.events.readNamespacedEvent({ name, namespace }));
  if (!existing.ok)
    return existing.error.code === 'not-found'
      ? ensureEvent(ctx, { ...input, countRepeats: false })
      : { outcome: 'failed', error: existing.error };
  const count = (existing.value.series?.count ?? 1) + 1;
  const patch = {
    metadata: { resourceVersion: existing.value.metadata?.resourceVersion },
    series: { count, lastObservedTime: new V1MicroTime(Date.now()) },
  };
  const patched = await ctx.call(() =>
    ctx.events.patchNamespacedEvent({ name, namespace, body: patch, fieldManager: ctx.fieldManager }, mergePatch),
  );
  if (!patched.ok) return { outcome: 'failed', error: patched.error };
  return { outcome: 'counted', name, count };
}

/** An Event's words as src/report/ drafts them. */
export type EventText = Pick<EventInput, 'reason' | 'action' | 'note' | 'type'> & { key?: string };

/**
 * Records a drafted Event about a workload (and the pod concerned): the one mapping from a draft to an
 * Event. One that cannot be written is logged, never a reason to stop or undo an action.
 */
export async function recordWorkloadEvent(
  recorder: EventRecorder,
  log: Logger,
  workload: WorkloadRef,
  draft: EventText,
  options: { pod?: { name: string; uid?: string | undefined } | null | undefined; countRepeats?: boolean } = {},
): Promise<void> {
  const { namespace } = workload;
  const { pod } = options;
  const result = await recorder.recordEvent({
    regarding: {
      kind: workload.kind,
      apiVersion: apiVersionOf(workload.kind),
      namespace,
      name: workload.name,
      uid: workload.uid,
    },
    ...(pod
      ? { related: { kind: 'Pod', apiVersion: 'v1', namespace, name: pod.name, ...(pod.uid ? { uid: pod.uid } : {}) } }
      : {}),
    reason: draft.reason,
    action: draft.action,
    note: draft.note,
    type: draft.type,
    ...(draft.key === undefined ? {} : { key: draft.key }),
    ...(options.countRepeats ? { countRepeats: true } : {}),
  });
  if (result.outcome === 'failed')
    log.warn(
      { reason: draft.reason, error: describeKubeError(result.error) },
      `could not record the ${draft.reason} Event`,
    );
}
