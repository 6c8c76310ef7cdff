/**
 * Robust statistics on small arrays (≤ a few hundred points). Times in seconds, slopes in units
 * per hour. Scratch buffers are reused so the backtest does not allocate per tick.
 */

const SECONDS_PER_HOUR = 3600;
/** Two-sided 95% normal quantile. */
const Z95 = 1.959964;

let scratch = new Float64Array(4096);
let residualScratch = new Float64Array(256);
/** theilSen's points, copied: its loops then read one element kind, whatever array the caller holds. */
let timeScratch = new Float64Array(256);
let valueScratch = new Float64Array(256);

function ensureScratch(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, scratch.length * 2));
  return scratch;
}

/**
 * k-th smallest (0-based) of a[0..n) in place (Hoare quickselect, median-of-three pivot). After
 * it, a[lo..k) ≤ a[k] ≤ a(k..hi]; callers that already partitioned the array pass the bounds.
 */
export function selectKth(a: Float64Array | number[], n: number, k: number, lo = 0, hi = n - 1): number {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median-of-three keeps sorted inputs (the common case: growing pairs) linear.
    const x = a[lo]!,
      y = a[mid]!,
      z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i] = a[j]!;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Median of values (copies; does not reorder the input). */
export function median(values: ArrayLike<number>, from = 0, to = values.length): number {
  const n = to - from;
  if (n <= 0) return Number.NaN;
  const buf = new Float64Array(n);
  for (let i = 0; i < n; i++) buf[i] = values[from + i]!;
  const upper = selectKth(buf, n, n >> 1);
  if (n % 2 === 1) return upper;
  return (selectKth(buf, n, (n >> 1) - 1) + upper) / 2;
}

export interface TheilSen {
  /** Median pairwise slope, per hour. */
  slope: number;
  /** Sen's 95% interval from the Mann–Kendall variance, per hour. */
  low: number;
  high: number;
  /** Intercept such that y ≈ intercept + slope × (t − t0)/3600, with t0 the first time. */
  intercept: number;
  t0: number;
}

/**
 * Theil–Sen slope of (t, y)[from..to) with Sen's confidence interval. The interval is the range of
 * pairwise slopes that a Mann–Kendall test would not reject; its lower end above zero is the same
 * as a significant upward rank trend.
 */
export function theilSen(t: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number): TheilSen | null {
  const n = to - from;
  if (n < 3) return null;
  const pairs = (n * (n - 1)) / 2;
  const buf = ensureScratch(pairs);
  if (timeScratch.length < n) {
    timeScratch = new Float64Array(2 * n);
    valueScratch = new Float64Array(2 * n);
  }
  const ts = timeScratch;
  const ys = valueScratch;
  // Times rising by a millisecond or more and values within ±PLAIN_VALUE_BOUND (a memory series' floor):
  // every pair has a later time and a slope within ±SLOPE_BOUND, so the pairs' loop tests nothing.
  let plain = true;
  for (let i = 0; i < n; i++) {
    const ti = t[from + i]!;
    const yi = y[from + i]!;
    ts[i] = ti;
    ys[i] = yi;
    if (!(yi > -PLAIN_VALUE_BOUND && yi < PLAIN_VALUE_BOUND) || (i > 0 && !(ti - ts[i - 1]! >= 1e-3))) plain = false;
  }
  let m = 0;
  let bounded = true;
  if (plain) {
    for (let i = 0; i < n; i++) {
      const ti = ts[i]!;
      const yi = ys[i]!;
      for (let j = i + 1; j < n; j++) buf[m++] = ((ys[j]! - yi) / (ts[j]! - ti)) * SECONDS_PER_HOUR;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const ti = ts[i]!;
      const yi = ys[i]!;
      for (let j = i + 1; j < n; j++) {
        const dt = ts[j]! - ti;
        if (dt > 0) {
          const slope = ((ys[j]! - yi) / dt) * SECONDS_PER_HOUR;
          if (!(slope > -SLOPE_BOUND && slope < SLOPE_BOUND)) bounded = false;
          buf[m++] = slope;
        }
      }
    }
  }
  if (m === 0) return null;
  const mid = m >> 1;
  const c = Z95 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lowRank = Math.min(mid, Math.max(0, Math.floor((m - c) / 2) - 1));
  const highRank = Math.max(mid, Math.min(m - 1, Math.ceil((m + c) / 2)));
  let slope: number, low: number, high: number;
  if (bounded && selectRanks(buf, m, lowRank, mid, highRank, ranked)) {
    low = ranked[0]!;
    slope = ranked[1]!;
    high = ranked[2]!;
  } else {
    // The upper median for an even count: one selection, which leaves the array partitioned around it,
    // so the interval's ends need only search their own side.
    slope = selectKth(buf, m, mid);
    low = lowRank === mid ? slope : selectKth(buf, m, lowRank, 0, mid - 1);
    high = highRank === mid ? slope : selectKth(buf, m, highRank, mid + 1, m - 1);
  }
  const t0 = ts[0]!;
  if (residualScratch.length < n) residualScratch = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) residualScratch[i] = ys[i]! - (slope * (ts[i]! - t0)) / SECONDS_PER_HOUR;
  return { slope, low, high, intercept: selectKth(residualScratch, n, n >> 1), t0 };
}

/**
 * Slopes beyond this (per hour) are no memory's: selectRanksInBuckets' arithmetic must not overflow, so
 * theilSen then selects by comparisons (as it does among NaN and ±Infinity).
 */
const SLOPE_BOUND = 1e150;
/** Values within this, a millisecond or more apart: slopes within 2e140 / 1e-3 s × 3600 < SLOPE_BOUND. */
const PLAIN_VALUE_BOUND = 1e140;
/** Below this many values selectRanks does not pay: theilSen selects among them all. */
const BUCKETED_MIN_VALUES = 512;
/** Buckets between the sample's bracket ends; bucket 0 holds what is below it, the last what is above. */
const BUCKETS = 126;
const TOP_BUCKET = BUCKETS + 1;
/** Values sampled to place the bracket, and sample ranks added on each side (~3 standard deviations). */
const SAMPLE = 256;
const SAMPLE_MARGIN = 24;
const sampleScratch = new Float64Array(SAMPLE);
const ranked = new Float64Array(3);
const bucketCounts = new Int32Array(TOP_BUCKET + 1);
/** For each bucket, which region of the collected values holds it (−1: not collected). */
const regionOf = new Int8Array(TOP_BUCKET + 1);
const regionStart = new Int32Array(3);
const regionEnd = new Int32Array(3);
const wantedRanks = new Int32Array(3);
const rankRegion = new Int32Array(3);
const rankInBucket = new Int32Array(3);
let bucketScratch = new Uint8Array(4096);
let collectedScratch = new Float64Array(256);

/**
 * The values ranked r0 ≤ r1 ≤ r2 (< n) of a[0..n), every value within ±SLOPE_BOUND, into out, exactly; false
 * when there are too few values to pay, or the sample cannot place a bracket (then nothing is written).
 * Selecting three close ranks among a few thousand slopes by comparisons is mostly branches the CPU
 * mispredicts; a sample brackets them instead, and selectRanksInBuckets counts its way to them.
 */
export function selectRanks(a: Float64Array, n: number, r0: number, r1: number, r2: number, out: Float64Array) {
  if (n < BUCKETED_MIN_VALUES) return false;
  const sample = sampleScratch;
  // A fixed pseudo-random sample (the same for the same input): spread over a, whatever its order.
  let h = 0x9e3779b9;
  for (let s = 0; s < SAMPLE; s++) {
    h = (Math.imul(h, 1664525) + 1013904223) >>> 0;
    sample[s] = a[((h / 2 ** 32) * n) | 0]!;
  }
  const first = Math.max(0, Math.floor((r0 / n) * SAMPLE) - SAMPLE_MARGIN);
  const last = Math.min(SAMPLE - 1, Math.ceil((r2 / n) * SAMPLE) + SAMPLE_MARGIN);
  const lowest = selectKth(sample, SAMPLE, first);
  const highest = selectKth(sample, SAMPLE, last, first, SAMPLE - 1);
  return selectRanksInBuckets(a, n, lowest, highest, r0, r1, r2, out);
}

/**
 * selectRanks' counting, for a bracket lowest < highest: one pass counts the values of each of 128
 * buckets by value (arithmetic only: BUCKETS between the bracket's ends, one below it, one above), the
 * counts tell which bucket holds each rank and at which place in it, and only those buckets' values are
 * collected and selected among. Exact whatever the bracket: the bucket never decreases as the value
 * grows, so a bucket's values are ranked where the counts say; a bracket that misses the ranks only
 * makes the selected buckets larger. False (nothing written) for a bracket under ~1e-148 wide.
 */
export function selectRanksInBuckets(
  a: Float64Array,
  n: number,
  lowest: number,
  highest: number,
  r0: number,
  r1: number,
  r2: number,
  out: Float64Array,
): boolean {
  const scale = BUCKETS / (highest - lowest);
  if (!(scale > 0 && scale < SLOPE_BOUND)) return false;
  if (bucketScratch.length < n) bucketScratch = new Uint8Array(2 * n);
  const bucketOf = bucketScratch;
  const counts = bucketCounts;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    // v clamped to [0, TOP_BUCKET] without Math.min/max (calls without TurboFan, which the image
    // turns off) or branches: max(v, 0) = (v + |v|)/2 exactly, min(w, top) = top − max(top − w, 0),
    // each step exact or one correctly rounded operation, so the bucket never decreases as a[i] grows.
    // |v| stays under 1e301 (values and scale within SLOPE_BOUND): nothing overflows.
    const v = (a[i]! - lowest) * scale + 1;
    const w = (v + Math.abs(v)) * 0.5;
    const d = TOP_BUCKET - w;
    const bucket = (TOP_BUCKET - (d + Math.abs(d)) * 0.5) | 0;
    bucketOf[i] = bucket;
    counts[bucket]!++;
  }
  // The bucket of each rank, and its place among that bucket's values; one region per distinct bucket.
  const ranks = wantedRanks;
  ranks[0] = r0;
  ranks[1] = r1;
  ranks[2] = r2;
  regionOf.fill(-1);
  let regions = 0;
  let collected = 0;
  let k = 0;
  for (let bucket = 0, below = 0; bucket <= TOP_BUCKET && k < 3; below += counts[bucket++]!) {
    const count = counts[bucket]!;
    for (; k < 3 && ranks[k]! < below + count; k++) {
      if (regionOf[bucket]! < 0) {
        regionOf[bucket] = regions;
        regionStart[regions] = regionEnd[regions] = collected;
        collected += count;
        regions++;
      }
      rankRegion[k] = regionOf[bucket]!;
      rankInBucket[k] = ranks[k]! - below;
    }
  }
  if (k < 3) throw new RangeError(`ranks ${r0}, ${r1}, ${r2} are not 0 ≤ r0 ≤ r1 ≤ r2 < ${n}`);
  if (collectedScratch.length < collected) collectedScratch = new Float64Array(2 * collected);
  const values = collectedScratch;
  for (let i = 0; i < n; i++) {
    const region = regionOf[bucketOf[i]!]!;
    if (region >= 0) values[regionEnd[region]!++] = a[i]!;
  }
  for (k = 0; k < 3; k++) {
    const from = regionStart[rankRegion[k]!]!;
    out[k] = selectKth(values, collected, from + rankInBucket[k]!, from, regionEnd[rankRegion[k]!]! - 1);
  }
  return true;
}

/** Fitted value of a Theil–Sen line at time t. */
export function fittedAt(fit: TheilSen, t: number): number {
  return fit.intercept + (fit.slope * (t - fit.t0)) / SECONDS_PER_HOUR;
}

/** Ordinary least-squares slope per hour of (t, y)[from..to); NaN with fewer than two distinct times. */
export function leastSquaresSlope(t: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  if (n < 2) return Number.NaN;
  const t0 = t[from]!;
  let st = 0,
    sy = 0,
    stt = 0,
    sty = 0;
  for (let i = from; i < to; i++) {
    const x = t[i]! - t0;
    const v = y[i]!;
    st += x;
    sy += v;
    stt += x * x;
    sty += x * v;
  }
  const den = n * stt - st * st;
  if (den <= 0) return Number.NaN;
  return ((n * sty - st * sy) / den) * SECONDS_PER_HOUR;
}
