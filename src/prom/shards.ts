/**
 * A profile too large for one answer, read in shards of whole workloads: each shard the profile's
 * built-in query narrowed to its pods' names, each answer within `maxSeries` and `maxResponseBytes`.
 */
import type { TargetFacts } from '../model/workload.js';
import { MetricsError } from './errors.js';
import { escapeRegex } from './queries.js';
import type { AnswerBudget, MetricsAnswer, RangeResult } from './types.js';

/** The caps every answer stays within (config `prometheus.maxSeries`, `maxResponseBytes`). */
export interface AnswerCaps {
  maxSeries: number;
  maxResponseBytes: number;
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
  return Math.max(1, Math.min(Math.floor(prometheus.maxSeries / 2), Math.floor(prometheus.maxResponseBytes / 2 / (points * BYTES_PER_POINT))));
}

/** The pods in shards of whole workloads (namespace, kind, name order), at most `size` pods each where a workload allows. */
export function podShards(targets: readonly TargetFacts[], size: number, workloadName: (facts: TargetFacts) => string): string[][] {
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

/**
 * A profile's window in shards (`podShards`), each read by `fetch` (the profile's query narrowed to
 * the shard's pods) with a budget of the caps, SHARD_CONCURRENCY at a time; one failed shard fails
 * the profile's history, naming it.
 */
export async function fetchInShards(
  shards: readonly string[][],
  fetch: (podPattern: string, budget: AnswerBudget) => Promise<MetricsAnswer<RangeResult>>,
  caps: AnswerCaps,
): Promise<MetricsAnswer<RangeResult>> {
  const answers: MetricsAnswer<RangeResult>[] = new Array(shards.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < shards.length && !answers.some((a) => a?.outcome === 'failed')) {
      const i = next++;
      answers[i] = await fetch(`(?:${shards[i]!.map(escapeRegex).join('|')})`, { bytes: caps.maxResponseBytes, series: caps.maxSeries });
    }
  };
  await Promise.all(Array.from({ length: Math.min(SHARD_CONCURRENCY, shards.length) }, worker));
  const failed = answers.findIndex((a) => a?.outcome === 'failed');
  if (failed >= 0) {
    const { error } = answers[failed] as Extract<MetricsAnswer<RangeResult>, { outcome: 'failed' }>;
    return { outcome: 'failed', error: new MetricsError(error.code, `shard ${failed + 1} of ${shards.length} (${shards[failed]!.length} pods): ${error.message}`) };
  }
  const read = answers as ({ outcome: 'answered' } & RangeResult)[];
  return { outcome: 'answered', series: read.flatMap((a) => a.series), warnings: read.flatMap((a) => a.warnings) };
}
