import type { SampleColumns } from './columns.js';
import { Scratch } from './scratch.js';
import { selectKth } from './stats.js';

/**
 * The floor: the minimum of each epoch-aligned bucket. Peaks (GC sawtooth, spikes, scrape jitter)
 * disappear; what remains is the memory the process cannot give back, which is what a leak grows.
 * Buckets are aligned to the epoch so the floor of a bucket never depends on where a window
 * starts, which lets the backtest compute each bucket once. A bucket cut to less than half by
 * either end of the window is left out: the minimum of a few samples is not a floor.
 */
export interface Floor {
  /** Time of the bucket's minimum sample, unix seconds. */
  t: number[];
  v: number[];
  /** Bucket number: bucket k holds (k·bucketSeconds, (k+1)·bucketSeconds]. */
  bucket: number[];
  /**
   * The ceiling: a high quantile (CEILING_QUANTILE) of each bucket's samples. A leak lifts it with
   * the floor; a floor that rises and falls under a cache's or a machine's fixed cap does not.
   * With one sample per bucket (a query that already keeps the minimum per step) it is the floor.
   */
  top?: number[];
  /** Samples in each bucket (absent: not counted, no bucket left out for holding too few). */
  count?: number[];
}

/** The bucket's ceiling is this quantile of its samples: the highest ones are spikes. */
export const CEILING_QUANTILE = 0.9;

/**
 * Buckets are closed at their end so that a window ending on a bucket boundary (the backtest's
 * ticks) ends with a whole bucket rather than a bucket of one sample.
 */
export function bucketOf(t: number, bucketSeconds: number): number {
  return Math.ceil(t / bucketSeconds) - 1;
}

export function emptyFloor(): Floor {
  return { t: [], v: [], bucket: [], top: [], count: [] };
}

/**
 * Floor of samples[from..to) (sorted by time). Each column is allocated once, at the most buckets the
 * samples can fill: grown by push, then cut at the window's ends, the columns were most of a run's garbage.
 */
export function buildFloor(samples: SampleColumns, from: number, to: number, bucketSeconds: number): Floor {
  const { t, v } = samples;
  const spanned = from < to ? bucketOf(t[to - 1]!, bucketSeconds) - bucketOf(t[from]!, bucketSeconds) + 1 : 0;
  const most = spanned < to - from ? spanned : to - from;
  const floor: Floor = {
    t: new Array<number>(most),
    v: new Array<number>(most),
    bucket: new Array<number>(most),
    top: new Array<number>(most),
    count: new Array<number>(most),
  };
  let k = 0;
  let i = from;
  while (i < to) {
    const bucket = bucketOf(t[i]!, bucketSeconds);
    // The samples up to the bucket's end (bucketOf of each, without a Math.ceil per sample).
    const end = bucket + 1;
    const first = i;
    let minT = t[i]!;
    let minV = v[i]!;
    i++;
    while (i < to && t[i]! / bucketSeconds <= end) {
      if (v[i]! < minV) {
        minV = v[i]!;
        minT = t[i]!;
      }
      i++;
    }
    floor.t[k] = minT;
    floor.v[k] = minV;
    floor.bucket[k] = bucket;
    floor.top![k] = highQuantile(v, first, i);
    floor.count![k] = i - first;
    k++;
  }
  // Cut in place to the buckets filled (no iteration over the columns: each step of one is garbage).
  floor.t.length = k;
  floor.v.length = k;
  floor.bucket.length = k;
  floor.top!.length = k;
  floor.count!.length = k;
  return floor;
}

/** Reused by highQuantile: one bucket's samples, sorted (a copy per bucket was most of a run's garbage). */
const bucketScratch = new Scratch(64);

/** The CEILING_QUANTILE of v[from..to) (nearest rank). */
function highQuantile(v: Float64Array, from: number, to: number): number {
  const n = to - from;
  if (n === 1) return v[from]!;
  const sorted = bucketScratch.take(n);
  // Insertion sort in the order Float64Array#sort gives (-0 before +0, NaN last): buckets hold a few samples.
  for (let i = 0; i < n; i++) {
    const x = v[from + i]!;
    let j = i;
    while (j > 0 && sortsAfter(sorted[j - 1]!, x)) {
      sorted[j] = sorted[j - 1]!;
      j--;
    }
    sorted[j] = x;
  }
  // Not Math.min: without TurboFan (--no-opt) it boxes a fractional number on every call.
  const rank = Math.ceil(CEILING_QUANTILE * n) - 1;
  return sorted[rank < n - 1 ? rank : n - 1]!;
}

/** a comes after b in Float64Array#sort's order. */
function sortsAfter(a: number, b: number): boolean {
  if (a > b) return true;
  if (a < b) return false;
  if (a === b) return a === 0 && 1 / a > 1 / b;
  return a !== a && b === b;
}

/** Index of the first sample with t > bound (times sorted). */
export function firstAfter(times: Float64Array, bound: number, lo = 0, hi = times.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! > bound) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Index of the first time ≥ bound (sorted). */
export function firstAtOrAfter(t: ArrayLike<number>, bound: number): number {
  let lo = 0,
    hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! >= bound) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The window (windowStart, …] covers less than half of bucket `bucket`, its first. */
function cutAtStart(bucket: number, windowStart: number, bucketSeconds: number): boolean {
  return (bucket + 1) * bucketSeconds - windowStart < bucketSeconds / 2;
}

/** The window (…, now] covers less than half of bucket `bucket`, its last. */
function cutAtEnd(bucket: number, now: number, bucketSeconds: number): boolean {
  return now - bucket * bucketSeconds < bucketSeconds / 2;
}

/** Drops the first and last buckets when the window covers less than half of them. */
export function trimPartialBuckets(floor: Floor, windowStart: number, now: number, bucketSeconds: number): Floor {
  let from = 0;
  let to = floor.bucket.length;
  if (to > 0 && cutAtStart(floor.bucket[0]!, windowStart, bucketSeconds)) from++;
  if (to > from && cutAtEnd(floor.bucket[to - 1]!, now, bucketSeconds)) to--;
  const sparse = sparseBuckets(floor.count, from, to);
  if (from === 0 && to === floor.bucket.length && sparse === null) return floor;
  // One copy of each column, filtered only when a bucket is sparse.
  const part = (column: number[]): number[] =>
    sparse === null ? column.slice(from, to) : column.slice(from, to).filter((_, k) => !sparse.has(from + k));
  const cut: Floor = { t: part(floor.t), v: part(floor.v), bucket: part(floor.bucket) };
  if (floor.top) cut.top = part(floor.top);
  if (floor.count) cut.count = part(floor.count);
  return cut;
}

/**
 * The floor of samples[from..to) (sorted by time) in the window (windowStart, now]:
 * `trimPartialBuckets(buildFloor(…))`, with the samples of the buckets the window cuts left out before
 * the floor is built rather than each column copied without them (every run cuts the window's first bucket).
 */
export function floorInWindow(
  samples: SampleColumns,
  from: number,
  to: number,
  windowStart: number,
  now: number,
  bucketSeconds: number,
): Floor {
  const { t } = samples;
  if (from < to && cutAtStart(bucketOf(t[from]!, bucketSeconds), windowStart, bucketSeconds)) {
    const end = bucketOf(t[from]!, bucketSeconds) + 1;
    while (from < to && t[from]! / bucketSeconds <= end) from++;
  }
  if (from < to && cutAtEnd(bucketOf(t[to - 1]!, bucketSeconds), now, bucketSeconds)) {
    const start = bucketOf(t[to - 1]!, bucketSeconds);
    while (to > from && t[to - 1]! / bucketSeconds > start) to--;
  }
  // The ends are whole now: trimPartialBuckets leaves out only sparse buckets, if any.
  return trimPartialBuckets(buildFloor(samples, from, to, bucketSeconds), windowStart, now, bucketSeconds);
}

/**
 * A bucket holding less than this share of the samples the window's buckets usually hold (their
 * median count) is left out: its few samples (after a gap in the scrapes, say) sit anywhere on the GC
 * sawtooth, and their minimum is no floor.
 */
const SPARSE_BUCKET_SHARE = 0.25;

const countScratch = new Scratch(128);

/** Indices in [from, to) of the buckets that hold too few samples to give a floor; null when none. */
function sparseBuckets(count: readonly number[] | undefined, from: number, to: number): Set<number> | null {
  if (count === undefined || to - from < 3) return null;
  // The lower median, selected in a reused buffer (a sorted copy per series was a tenth of a run's garbage).
  const n = to - from;
  const counts = countScratch.take(n);
  for (let k = 0; k < n; k++) counts[k] = count[from + k]!;
  const usual = selectKth(counts, n, (n - 1) >> 1);
  const least = SPARSE_BUCKET_SHARE * usual;
  let out: Set<number> | null = null;
  // Not the first: a series' start cuts its first bucket (the window's start is weighed by time above).
  for (let k = from + 1; k < to; k++) if (count[k]! < least) (out ??= new Set()).add(k);
  return out;
}
