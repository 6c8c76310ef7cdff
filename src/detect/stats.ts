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
  for (let i = 0; i < n; i++) {
    const ti = ts[i]!;
    const yi = ys[i]!;
    for (let j = i + 1; j < n; j++) {
      const dt = ts[j]! - ti;
      if (dt > 0) buf[m++] = ((ys[j]! - yi) / dt) * SECONDS_PER_HOUR;
    }
  }
  if (m === 0) return null;
  // The upper median for an even count: one selection instead of two, and it partitions the
  // array so the interval ends below need only search their own side.
  const mid = m >> 1;
  const slope = selectKth(buf, m, mid);
  const c = Z95 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lowRank = Math.min(mid, Math.max(0, Math.floor((m - c) / 2) - 1));
  const highRank = Math.max(mid, Math.min(m - 1, Math.ceil((m + c) / 2)));
  const low = lowRank === mid ? slope : selectKth(buf, m, lowRank, 0, mid - 1);
  const high = highRank === mid ? slope : selectKth(buf, m, highRank, mid + 1, m - 1);
  const t0 = ts[0]!;
  if (residualScratch.length < n) residualScratch = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) residualScratch[i] = ys[i]! - (slope * (ts[i]! - t0)) / SECONDS_PER_HOUR;
  return { slope, low, high, intercept: selectKth(residualScratch, n, n >> 1), t0 };
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
