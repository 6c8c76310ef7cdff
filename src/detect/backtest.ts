import { analyzeFloor } from './analyze.js';
import { bucketOf, buildFloor, emptyFloor, firstAfter, trimPartialBuckets, type Floor } from './floor.js';
import { sortedColumns, toColumns, type SampleColumns, type SampleSeries } from './columns.js';
import {
  checkWindow,
  hasBadTime,
  isBadValue,
  knownSeriesStart,
  resolveOptions,
  seriesStartsInside,
  validLimit,
} from './judge.js';
import { applyPast, type WorkloadPast } from './predecessors.js';
import type { DetectOptions } from './types.js';

export interface BacktestOptions {
  /** Distance between ticks; ticks sit at multiples of it since the epoch. */
  everySeconds: number;
  options: DetectOptions;
  limitBytes?: number;
  /** What the workload's earlier pods teach (`pastsOfSeries`); absent or null: judged as a lone pod. */
  past?: WorkloadPast | null;
  /** The image is on a version the catalogue lists as affected by a leak (JudgeInput.knownAffected). */
  knownAffected?: boolean;
}

export interface BacktestResult {
  /** First tick at which the series was judged leaking, unix seconds; null if never. */
  detectedAt: number | null;
  /** Ticks judged (the replay stops at the first detection). */
  ticks: number;
}

/**
 * Replays the detector over a series: at each tick (every multiple of `everySeconds` since the
 * epoch, from the first sample to the last) it judges the series with only the samples up to and
 * including that tick, exactly as `judge` would. Each bucket's floor is computed once; at a tick
 * only the buckets cut by the window edges are recomputed, so a tick costs the analysis of about
 * a hundred floor points rather than a pass over the raw samples. With a workload's `past`, each
 * tick is judged as `judgeWithPast` would.
 */
export function backtestSeries(input: SampleSeries, opts: BacktestOptions): BacktestResult {
  const { everySeconds } = opts;
  const options = resolveOptions(opts.options);
  if (!(everySeconds > 0)) throw new RangeError('everySeconds must be positive');
  const columns = toColumns(input);
  if (columns.t.length === 0 || hasBadTime(columns)) return { detectedAt: null, ticks: 0 };
  const samples = sortedColumns(columns);
  const { t, v } = samples;
  const count = t.length;
  const bucketSeconds = options.floorBucketSeconds;
  const all = buildFloor(samples, 0, count, bucketSeconds);
  // Sample range of each bucket, to tell whole buckets (reusable) from cut ones.
  const bucketEnd: number[] = [];
  const sampleBucket = new Int32Array(count);
  for (let i = 0, j = 0; i < count; i++) {
    if (bucketOf(t[i]!, bucketSeconds) !== all.bucket[j]) {
      bucketEnd.push(i);
      j++;
    }
    sampleBucket[i] = j;
  }
  bucketEnd.push(count);
  const badPrefix = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) badPrefix[i + 1] = badPrefix[i]! + (isBadValue(v[i]!) ? 1 : 0);

  const limitBytes = validLimit(opts.limitBytes);
  const past = opts.past ?? null;
  const firstTick = Math.ceil(t[0]! / everySeconds) * everySeconds;
  const lastT = t[count - 1]!;
  let from = 0;
  let to = 0;
  let ticks = 0;
  for (let now = firstTick; now <= lastT; now += everySeconds) {
    ticks++;
    const windowStart = now - options.windowSeconds;
    from = firstAfter(t, windowStart, from);
    to = firstAfter(t, now, Math.max(from, to));
    const problem = checkWindow(samples, from, to, badPrefix[to]! - badPrefix[from]!, now, options);
    if (problem !== null) continue;
    const floor = trimPartialBuckets(
      windowFloor(samples, all, bucketEnd, sampleBucket, from, to, bucketSeconds),
      windowStart,
      now,
      bucketSeconds,
    );
    const startsInside = seriesStartsInside(samples, from, windowStart, options.warmupSeconds);
    const ctx = {
      now,
      windowStart,
      startsInside,
      seriesStart: knownSeriesStart(samples, from, windowStart),
      limitBytes,
      options,
      detail: false,
      knownAffected: opts.knownAffected === true,
    };
    let verdict = analyzeFloor(floor, ctx);
    if (past) {
      const life = () =>
        trimPartialBuckets(
          windowFloor(samples, all, bucketEnd, sampleBucket, 0, to, bucketSeconds),
          -Infinity,
          now,
          bucketSeconds,
        );
      // The past weighs the leak's evidence span and slope, which only the detailed analysis picks as
      // `judge` does (the longest passing span; the fast one stops at any): judge that tick in full.
      const detailed = { ...ctx, detail: true };
      verdict = applyPast(
        verdict.kind === 'leaking' && past.profile !== null ? analyzeFloor(floor, detailed) : verdict,
        floor,
        detailed,
        life,
        t[0]!,
        past,
      );
    }
    if (verdict.kind === 'leaking') return { detectedAt: now, ticks };
  }
  return { detectedAt: null, ticks };
}

function windowFloor(
  samples: SampleColumns,
  all: Floor,
  bucketEnd: readonly number[],
  sampleBucket: Int32Array,
  from: number,
  to: number,
  bucketSeconds: number,
): Floor {
  const floor = emptyFloor();
  const first = sampleBucket[from]!;
  const last = sampleBucket[to - 1]!;
  for (let j = first; j <= last; j++) {
    const start = j === 0 ? 0 : bucketEnd[j - 1]!;
    const end = bucketEnd[j]!;
    if (start >= from && end <= to) {
      floor.t.push(all.t[j]!);
      floor.v.push(all.v[j]!);
      floor.bucket.push(all.bucket[j]!);
      floor.top!.push(all.top![j]!);
      floor.count!.push(all.count![j]!);
    } else {
      const part = buildFloor(samples, Math.max(start, from), Math.min(end, to), bucketSeconds);
      floor.t.push(part.t[0]!);
      floor.v.push(part.v[0]!);
      floor.bucket.push(part.bucket[0]!);
      floor.top!.push(part.top![0]!);
      floor.count!.push(part.count![0]!);
    }
  }
  return floor;
}
