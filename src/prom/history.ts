/**
 * A profile's history as Prometheus holds it: Prometheus' clock, the window in one range query, or —
 * a profile too large for one answer — in shards of whole workloads: each shard the profile's built-in
 * query narrowed to its pods' names, each answer within `maxSeries` and `maxResponseBytes`.
 */
import type { TargetFacts } from '../model/workload.js';
import { MetricsError } from './errors.js';
import { escapeRegex, type MemorySelection } from './queries.js';
import type { AnswerBudget, MetricsAnswer, MetricsSource, RangeQuery, RangeResult } from './types.js';

/** The caps every answer stays within (config `prometheus.maxSeries`, `maxResponseBytes`). */
export interface AnswerCaps {
  maxSeries: number;
  maxResponseBytes: number;
}

/** Prometheus' clock, or why it could not be read (then nothing can be judged this run). */
export type PrometheusClock = { now: number; problem: null } | { now: null; problem: string };

/** Prometheus' clock, not ours: windows and staleness are judged on the time the data lives in. */
export async function prometheusNow(metrics: MetricsSource, signal?: AbortSignal): Promise<PrometheusClock> {
  const answer = await metrics.query({ query: 'time()', ...(signal ? { signal } : {}) });
  if (answer.outcome === 'failed') return { now: null, problem: answer.error.message };
  const now = answer.series[0]?.sample.v;
  if (now === undefined || !Number.isFinite(now))
    return { now: null, problem: 'Prometheus answered time() without a finite value' };
  return { now, problem: null };
}

/** One profile's history over the detection window, ending at Prometheus' `now`. */
export function fetchHistory(
  metrics: MetricsSource,
  query: string,
  now: number,
  options: {
    windowSeconds: number;
    stepSeconds: number;
    signal?: AbortSignal;
    budget?: AnswerBudget;
    selection?: MemorySelection | undefined;
    onSeries?: RangeQuery['onSeries'];
  },
): Promise<MetricsAnswer<RangeResult>> {
  return metrics.queryRange({
    query,
    start: now - options.windowSeconds,
    end: now,
    stepSeconds: options.stepSeconds,
    ...(options.selection ? { selection: options.selection } : {}),
    ...(options.onSeries ? { onSeries: options.onSeries } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
  });
}

/** A history read that threw (a bug in reading the answer, say): that profile's history is missing, never a crash. */
export function readFailed(error: unknown): MetricsAnswer<RangeResult> {
  return {
    outcome: 'failed',
    error: new MetricsError('bad-response', `reading the history failed: ${(error as Error).message}`),
  };
}

/** JSON bytes one point of a range answer takes, rounded up: `[1765000000.123,"157286400"],`. */
const BYTES_PER_POINT = 32;
/** Shards of one profile read at once: enough to overlap Prometheus' work with reading, few enough to bound memory. */
const SHARD_CONCURRENCY = 3;

/**
 * Pods one shard of a profile's window may hold: half of what `maxSeries` and `maxResponseBytes` allow
 * (a container may answer with two series, labels vary in length), so that each answer stays within them.
 */
export function podsPerShard(prometheus: AnswerCaps & { step: number }, windowSeconds: number): number {
  const points = Math.floor(windowSeconds / prometheus.step) + 1;
  return Math.max(
    1,
    Math.min(
      Math.floor(prometheus.maxSeries / 2),
      Math.floor(prometheus.maxResponseBytes / 2 / (points * BYTES_PER_POINT)),
    ),
  );
}

/** The pods in shards of whole workloads (namespace, kind, name order), at most `size` pods each where a workload allows. */
export function podShards(
  targets: readonly TargetFacts[],
  size: number,
  workloadName: (facts: TargetFacts) => string,
): string[][] {
  const byWorkload = new Map<string, Set<string>>();
  for (const t of targets) {
    const key = `${t.workload.namespace}/${t.workload.kind}/${workloadName(t)}`;
    byWorkload.set(key, (byWorkload.get(key) ?? new Set()).add(t.pod.name));
  }
  const shards: string[][] = [];
  let current: string[] = [];
  for (const key of [...byWorkload.keys()].sort()) {
    const pods = [...byWorkload.get(key)!].sort();
    if (current.length > 0 && current.length + pods.length > size) {
      shards.push(current);
      current = [];
    }
    for (const pod of pods) {
      if (current.length >= size) {
        shards.push(current);
        current = [];
      }
      current.push(pod);
    }
  }
  if (current.length > 0) shards.push(current);
  return shards;
}

/** A profile's shards read: every answer handed on as it came, and their warnings together. */
export type ShardsRead =
  { outcome: 'answered'; warnings: string[] } | Extract<MetricsAnswer<RangeResult>, { outcome: 'failed' }>;

/**
 * A profile's window in shards (`podShards`), each read by `fetch` (the profile's query narrowed to
 * the shard's pods) with a budget of the caps, SHARD_CONCURRENCY at a time in the shards' order, and handed to `use` as it
 * comes (with the shard's index), so that a shard's series can be judged and dropped while the next
 * are read; one failed shard fails the profile's history, naming it, and no further shard is read.
 */
export async function readInShards(
  shards: readonly string[][],
  fetch: (podPattern: string, budget: AnswerBudget, shard: number) => Promise<MetricsAnswer<RangeResult>>,
  caps: AnswerCaps,
  use: (answer: RangeResult, shard: number) => void,
): Promise<ShardsRead> {
  const warnings: string[][] = new Array(shards.length);
  const failures: { index: number; error: MetricsError }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < shards.length && failures.length === 0) {
      const i = next++;
      const answer = await fetch(
        `(?:${shards[i]!.map(escapeRegex).join('|')})`,
        { bytes: caps.maxResponseBytes, series: caps.maxSeries },
        i,
      );
      if (answer.outcome === 'failed') {
        failures.push({ index: i, error: answer.error });
      } else if (failures.length === 0) {
        warnings[i] = answer.warnings;
        use(answer, i);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SHARD_CONCURRENCY, shards.length) }, worker));
  const [first] = failures.sort((a, b) => a.index - b.index);
  if (first) {
    const { index, error } = first;
    return {
      outcome: 'failed',
      error: new MetricsError(
        error.code,
        `shard ${index + 1} of ${shards.length} (${shards[index]!.length} pods): ${error.message}`,
      ),
    };
  }
  return { outcome: 'answered', warnings: warnings.flat() };
}
