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
  for (let i = 0; i < n; i++) {
    ts[i] = t[from + i]!;
    ys[i] = y[from + i]!;
  }
  let m = 0;
  let finite = true;
  for (let i = 0; i < n; i++) {
    const ti = ts[i]!;
    const yi = ys[i]!;
    for (let j = i + 1; j < n; j++) {
      const dt = ts[j]! - ti;
      if (dt > 0) {
        const slope = ((ys[j]! - yi) / dt) * SECONDS_PER_HOUR;
        if (slope !== slope) finite = false;
        buf[m++] = slope;
      }
    }
  }
  if (m === 0) return null;
  const mid = m >> 1;
  const c = Z95 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lowRank = Math.min(mid, Math.max(0, Math.floor((m - c) / 2) - 1));
  const highRank = Math.max(mid, Math.min(m - 1, Math.ceil((m + c) / 2)));
  // Only the slopes ranked lowRank..highRank matter: those of a band around them when one is found
  // (NaN has no rank: then all of them). The upper median for an even count: one selection instead
  // of two, and it partitions the array so the interval ends below need only search their own side.
  const band = finite ? bandAround(buf, m, lowRank, highRank) : null;
  const a = band?.values ?? buf;
  const count = band?.count ?? m;
  const below = band?.below ?? 0;
  const slope = selectKth(a, count, mid - below);
  const low = lowRank === mid ? slope : selectKth(a, count, lowRank - below, 0, mid - below - 1);
  const high = highRank === mid ? slope : selectKth(a, count, highRank - below, mid - below + 1, count - 1);
  const t0 = ts[0]!;
  if (residualScratch.length < n) residualScratch = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) residualScratch[i] = ys[i]! - (slope * (ts[i]! - t0)) / SECONDS_PER_HOUR;
  return { slope, low, high, intercept: selectKth(residualScratch, n, n >> 1), t0 };
}

/** Below this many values bandAround does not pay: theilSen selects among them all. */
const BAND_MIN_VALUES = 1024;
/** Values sampled to place the band, and sample ranks added on each side (~3 standard deviations). */
const BAND_SAMPLE = 256;
const BAND_MARGIN = 24;
const sampleScratch = new Float64Array(BAND_SAMPLE);
let bandScratch = new Float64Array(1024);

/** The values of a[0..n) in a band around ranks fromRank..toRank, and how many are below it. */
interface Band {
  values: Float64Array;
  count: number;
  /** Values below the band: rank r of a is rank r − below of the band. */
  below: number;
}

/**
 * The values of a[0..n) (no NaN) between two values of a sample that bracket ranks fromRank..toRank,
 * or null when there are too few to pay or the sample missed (those ranks are then not all inside).
 * Selecting three close ranks among a few thousand slopes is mostly mispredicted branches; among
 * the third or so in the band, one pass and a third of the work, and the ranks' values are the same.
 */
export function bandAround(a: Float64Array, n: number, fromRank: number, toRank: number): Band | null {
  if (n < BAND_MIN_VALUES) return null;
  const sample = sampleScratch;
  // A fixed pseudo-random sample (the same for the same input): spread over a, whatever its order.
  let h = 0x9e3779b9;
  for (let s = 0; s < BAND_SAMPLE; s++) {
    h = (Math.imul(h, 1664525) + 1013904223) >>> 0;
    sample[s] = a[Math.floor((h / 2 ** 32) * n)]!;
  }
  const first = Math.max(0, Math.floor((fromRank / n) * BAND_SAMPLE) - BAND_MARGIN);
  const last = Math.min(BAND_SAMPLE - 1, Math.ceil((toRank / n) * BAND_SAMPLE) + BAND_MARGIN);
  const lowest = selectKth(sample, BAND_SAMPLE, first);
  const highest = selectKth(sample, BAND_SAMPLE, last, first, BAND_SAMPLE - 1);
  if (bandScratch.length < n) bandScratch = new Float64Array(2 * n);
  const values = bandScratch;
  let below = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    if (x < lowest) below++;
    else if (x <= highest) values[count++] = x;
  }
  return fromRank >= below && toRank < below + count ? { values, count, below } : null;
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
