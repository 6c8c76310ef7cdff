/**
 * Kubernetes Events (events.k8s.io/v1) for every decision and action, so that
 * `kubectl events --for deployment/<name>` tells the story. Names are deterministic (object +
 * reason + idempotency key), so a re-run that records the same decision finds its Event instead of
 * adding a second one: `ensureEvent`.
 *
 * Repeats do not flood the API server. A run lists leakguard's own Events once per namespace it records
 * in (`eventJournal`), and a decision whose Event is there already (the same leak still suspected, the
 * same action still planned or held back) costs no request — until the Event is `eventRefreshMs` old:
 * then its series is counted up, as client-go's recorder refreshes an ongoing series, which also renews
 * the Event's expiry (the API server's --event-ttl, 1 h by default), so it stays in `kubectl events`
 * while the decision holds. What must be seen each time (an action carried out, Prometheus down) is
 * recorded with `countRepeats`: every repeat counted.
 */
import { createHash } from 'node:crypto';
import { V1MicroTime, type EventsV1Event, type V1ObjectReference } from '@kubernetes/client-node';
import { mergePatch, type KubeContext } from './context.js';
import type { Logger } from 'pino';
import { describeKubeError, type KubeError } from './errors.js';
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

/**
 * A repeated decision's Event is written again once it is this old (client-go's series refresh
 * interval): half the API server's default Event lifetime, so it is renewed before it expires. The
 * times compared are the Event's own (written by earlier runs, each from its node's clock); a skew
 * of minutes only moves the refresh by as much.
 */
export const eventRefreshMs = 30 * 60 * 1000;

/** One of leakguard's Events as the run found it. */
export interface EventSeen {
  /** Occurrences recorded (its series count, 1 without a series). */
  count: number;
  /** When it was last written: its series' lastObservedTime, else its eventTime (unix ms). */
  lastWriteMs: number;
  resourceVersion: string | undefined;
}

/**
 * Pure: the request recording an Event needs, given the Event as the run found it (undefined: there
 * is none): `create` it, `count` it (its series), or `none` — a repeat whose Event is fresh.
 */
export function eventWrite(
  seen: EventSeen | undefined,
  countRepeats: boolean,
  nowMs: number,
): 'create' | 'count' | 'none' {
  if (!seen) return 'create';
  return countRepeats || nowMs - seen.lastWriteMs >= eventRefreshMs ? 'count' : 'none';
}

/** leakguard's Events in a namespace, by name, from one paged list of the Events it reported (null: unreadable). */
type SeenEvents = Map<string, EventSeen> | null;

async function listOwnEvents(ctx: KubeContext, namespace: string): Promise<SeenEvents> {
  const seen = new Map<string, EventSeen>();
  let cont: string | undefined;
  do {
    const params = {
      namespace,
      fieldSelector: `reportingController=${reportingController}`,
      limit: 500,
      _continue: cont,
    };
    const page = await ctx.call(() => ctx.events.listNamespacedEvent(params));
    if (!page.ok) {
      ctx.logger.warn(
        { namespace, error: describeKubeError(page.error) },
        page.error.code === 'forbidden'
          ? 'cannot list Events (the Role lacks list on events.k8s.io events): each Event is created again and again'
          : 'cannot list Events: each Event is created again and again this run',
      );
      return null;
    }
    for (const event of page.value.items) {
      const name = event.metadata?.name;
      if (name) seen.set(name, seenOf(event));
    }
    cont = page.value.metadata?._continue || undefined;
  } while (cont);
  return seen;
}

function seenOf(event: EventsV1Event): EventSeen {
  const time = (t: Date | string | undefined) => (t === undefined ? NaN : new Date(t).getTime());
  const last = time(event.series?.lastObservedTime) || time(event.eventTime) || time(event.metadata?.creationTimestamp);
  return {
    count: event.series?.count ?? 1,
    // An Event without a readable time is treated as old: refreshed, never left to expire.
    lastWriteMs: Number.isFinite(last) ? last : 0,
    resourceVersion: event.metadata?.resourceVersion,
  };
}

/**
 * The run's Event recorder: leakguard's Events of a namespace are listed the first time the run records
 * there, and each Event then written only when `eventWrite` says so. Without the list (RBAC), every
 * Event is created and a conflict means it exists, as `ensureEvent` alone does.
 */
export function eventJournal(ctx: KubeContext): (input: EventInput) => Promise<EventResult> {
  const byNamespace = new Map<string, Promise<SeenEvents>>();
  return async (input) => {
    const { namespace } = input.regarding;
    let seen = byNamespace.get(namespace);
    if (!seen) byNamespace.set(namespace, (seen = listOwnEvents(ctx, namespace)));
    return ensureEvent(ctx, input, (await seen) ?? undefined);
  };
}

/**
 * Records `input` as its deterministic Event: created, counted into its series (`countRepeats`, or a
 * repeat due for refresh), or left as it is. `seen` (the namespace's Events as listed this run, kept up
 * to date here) spares the requests for Events that are fresh; without it the create is tried and a
 * conflict read as "it exists".
 */
export async function ensureEvent(
  ctx: KubeContext,
  input: EventInput,
  seen?: Map<string, EventSeen>,
): Promise<EventResult> {
  const name = eventName(input);
  const namespace = input.regarding.namespace;
  const countRepeats = input.countRepeats === true;
  const known = seen?.get(name);
  const write = seen ? eventWrite(known, countRepeats, Date.now()) : 'create';
  if (write === 'none') return { outcome: 'exists', name };
  if (write === 'count' && known) {
    const counted = await countEvent(ctx, name, namespace, known);
    if (counted.ok) {
      seen?.set(name, counted.seen);
      return { outcome: 'counted', name, count: counted.seen.count };
    }
    // Changed since the list: re-read and counted from what it holds. Expired since: created anew.
    if (counted.error.code === 'conflict') return countByReading(ctx, input, name, seen);
    if (counted.error.code !== 'not-found') return { outcome: 'failed', error: counted.error };
    seen?.delete(name);
  }
  const body = buildEvent(input, ctx.identity, new Date());
  const created = await ctx.call(() =>
    ctx.events.createNamespacedEvent({ namespace, body, fieldManager: ctx.fieldManager }),
  );
  if (created.ok) {
    seen?.set(name, seenOf(created.value));
    return { outcome: 'created', name };
  }
  if (created.error.code !== 'already-exists') return { outcome: 'failed', error: created.error };
  if (!countRepeats) return { outcome: 'exists', name };
  return countByReading(ctx, input, name, seen);
}

/** The Event read, then counted: a repeat whose Event the run has not seen as it is now. */
async function countByReading(
  ctx: KubeContext,
  input: EventInput,
  name: string,
  seen: Map<string, EventSeen> | undefined,
): Promise<EventResult> {
  const namespace = input.regarding.namespace;
  const existing = await ctx.call(() => ctx.events.readNamespacedEvent({ name, namespace }));
  if (!existing.ok) {
    if (existing.error.code !== 'not-found') return { outcome: 'failed', error: existing.error };
    seen?.delete(name);
    return ensureEvent(ctx, { ...input, countRepeats: false }, seen);
  }
  const counted = await countEvent(ctx, name, namespace, seenOf(existing.value));
  if (!counted.ok) return { outcome: 'failed', error: counted.error };
  seen?.set(name, counted.seen);
  return { outcome: 'counted', name, count: counted.seen.count };
}

/** One more occurrence in the Event's series, guarded by the resourceVersion it was seen at. */
async function countEvent(
  ctx: KubeContext,
  name: string,
  namespace: string,
  known: EventSeen,
): Promise<{ ok: true; seen: EventSeen } | { ok: false; error: KubeError }> {
  const nowMs = Date.now();
  const count = known.count + 1;
  const patch = {
    metadata: { resourceVersion: known.resourceVersion },
    series: { count, lastObservedTime: new V1MicroTime(nowMs) },
  };
  const patched = await ctx.call(() =>
    ctx.events.patchNamespacedEvent({ name, namespace, body: patch, fieldManager: ctx.fieldManager }, mergePatch),
  );
  if (!patched.ok) return patched;
  return { ok: true, seen: { count, lastWriteMs: nowMs, resourceVersion: patched.value.metadata?.resourceVersion } };
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
