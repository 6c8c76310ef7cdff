import type { SampleColumns } from './columns.js';

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

/** Appends the floor of samples[from..to) (sorted by time) to `into`. */
export function appendFloor(
  into: Floor,
  samples: SampleColumns,
  from: number,
  to: number,
  bucketSeconds: number,
): void {
  const { t, v } = samples;
  let i = from;
  while (i < to) {
    const bucket = bucketOf(t[i]!, bucketSeconds);
    const first = i;
    let minT = t[i]!;
    let minV = v[i]!;
    i++;
    while (i < to && bucketOf(t[i]!, bucketSeconds) === bucket) {
      if (v[i]! < minV) {
        minV = v[i]!;
        minT = t[i]!;
      }
      i++;
    }
    into.t.push(minT);
    into.v.push(minV);
    into.bucket.push(bucket);
    into.top?.push(highQuantile(v, first, i));
    into.count?.push(i - first);
  }
}

/** Reused by highQuantile: one bucket's samples, sorted (a copy per bucket was most of a run's garbage). */
let bucketScratch = new Float64Array(64);

/** The CEILING_QUANTILE of v[from..to) (nearest rank). */
function highQuantile(v: Float64Array, from: number, to: number): number {
  const n = to - from;
  if (n === 1) return v[from]!;
  if (bucketScratch.length < n) bucketScratch = new Float64Array(2 * n);
  const sorted = bucketScratch;
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
  return sorted[Math.min(n - 1, Math.ceil(CEILING_QUANTILE * n) - 1)]!;
}

/** a comes after b in Float64Array#sort's order. */
function sortsAfter(a: number, b: number): boolean {
  if (a > b) return true;
  if (a < b) return false;
  if (a === b) return a === 0 && 1 / a > 1 / b;
  return a !== a && b === b;
}

/** Floor of samples[from..to) (sorted by time). */
export function buildFloor(samples: SampleColumns, from: number, to: number, bucketSeconds: number): Floor {
  const floor = emptyFloor();
  appendFloor(floor, samples, from, to, bucketSeconds);
  return floor;
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

/** Drops the first and last buckets when the window covers less than half of them. */
export function trimPartialBuckets(floor: Floor, windowStart: number, now: number, bucketSeconds: number): Floor {
  let from = 0;
  let to = floor.bucket.length;
  if (to > 0 && (floor.bucket[0]! + 1) * bucketSeconds - windowStart < bucketSeconds / 2) from++;
  if (to > from && now - floor.bucket[to - 1]! * bucketSeconds < bucketSeconds / 2) to--;
  const sparse = sparseBuckets(floor.count, from, to);
  if (from === 0 && to === floor.bucket.length && sparse === null) return floor;
  // Every run cuts the window's partial first bucket: one copy of each column, filtered only when a bucket is sparse.
  const part = (column: number[]): number[] =>
    sparse === null ? column.slice(from, to) : column.slice(from, to).filter((_, k) => !sparse.has(from + k));
  const cut: Floor = { t: part(floor.t), v: part(floor.v), bucket: part(floor.bucket) };
  if (floor.top) cut.top = part(floor.top);
  if (floor.count) cut.count = part(floor.count);
  return cut;
}

/**
 * A bucket holding less than this share of the samples the window's buckets usually hold (their
 * median count) is left out: its few samples (after a gap in the scrapes, say) sit anywhere on the GC
 * sawtooth, and their minimum is no floor.
 */
const SPARSE_BUCKET_SHARE = 0.25;

/** Indices in [from, to) of the buckets that hold too few samples to give a floor; null when none. */
function sparseBuckets(count: readonly number[] | undefined, from: number, to: number): Set<number> | null {
  if (count === undefined || to - from < 3) return null;
  const sorted = count.slice(from, to).sort((a, b) => a - b);
  const usual = sorted[(sorted.length - 1) >> 1]!;
  const least = SPARSE_BUCKET_SHARE * usual;
  const out = new Set<number>();
  // Not the first: a series' start cuts its first bucket (the window's start is weighed by time above).
  for (let k = from + 1; k < to; k++) if (count[k]! < least) out.add(k);
  return out.size > 0 ? out : null;
}
