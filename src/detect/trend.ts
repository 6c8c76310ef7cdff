import { fittedAt, leastSquaresSlope, median, theilSen, type TheilSen } from './stats.js';
import type { ResolvedDetectOptions } from './types.js';
import { WARMUP_SETTLED_SECONDS, WARMUP_TIME_CONSTANTS_HOURS } from './warmup.js';

const HOUR = 3600;

/** Why a span of floor counts as a leak; each names a different proof that it is not a look-alike. */
export type LeakTier =
  'fast' | 'relative' | 'straight' | 'sustained' | 'limit' | 'seasonal' | 'across-restart' | 'no-cycle';

export interface SpanFinding {
  tier: LeakTier;
  fit: TheilSen;
  fromT: number;
  toT: number;
  /** Projected hours until the floor reaches the limit, if a limit is known and the floor grows. */
  hoursToLimit: number | null;
}

/** A rejected span keeps the reason so a not-leaking verdict can say why. */
export interface SpanRejection {
  why: string;
  fit: TheilSen | null;
  fromT: number;
  toT: number;
  /** The span grows like a leak and only the proof that it is not a daily cycle is missing. */
  ambiguous?: true;
  /** A tier passed that the first day cannot trust (why, in words): the rise is suspected, not yet a leak. */
  held?: string;
}

export interface SpanInput {
  t: readonly number[];
  /** The floor with isolated jumps removed. */
  v: readonly number[];
  limitBytes: number | undefined;
  options: ResolvedDetectOptions;
  /**
   * The largest fall of the floor below an earlier level in the judged history (bytes): how much
   * a daily cycle or load swing has already been seen to give back. Growth smaller than this
   * proves nothing.
   */
  givenBackBytes: number;
  /**
   * The falls at the restarts in the window: how far the floor fell below the level before each (to
   * its lowest since), and how fast it grew over the last minHistory before it. See `climbingBack`.
   */
  falls?: readonly RestartFall[];
  /** The floor as measured (steps kept), when v has steps removed. */
  raw?: readonly number[];
  /** The floor without any of its steps, quick or slow, that stand apart from a flat floor. */
  stairFree?: readonly number[];
  /** Where those steps are: index of the first point after each. */
  stairsAt?: readonly number[];
  /**
   * The floor as measured since the segment's start or restart, its first minutes included (where a
   * warm-up shows best), and when that was; absent when the segment opens on older history.
   */
  sinceStart?: { t: readonly number[]; v: readonly number[]; startT: number };
  /**
   * The series has not shown a whole day yet, so a rise may be the rising half of a daily cycle
   * (firstDayHolds).
   */
  firstDay?: true;
}

export interface RestartFall {
  bytes: number;
  rateBefore: number;
}

/**
 * The largest fall at a restart that the floor had not been growing into: before it, the floor grew
 * at less than half of `slope` (the pace of the rise being judged). A dip of the level that lasts a
 * few buckets splits the floor like a restart, and its end climbs back at any pace; a leak that
 * resumes after a restart (an OOM kill, a probe) was already growing at its pace before it.
 */
export function climbingBack(falls: readonly RestartFall[] | undefined, slope: number): number {
  let most = 0;
  for (const f of falls ?? []) if (f.rateBefore < 0.5 * slope) most = Math.max(most, f.bytes);
  return most;
}

/** Largest drop of v below its running maximum. */
export function largestGiveBack(v: readonly number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x > peak) peak = x;
    else if (peak - x > worst) worst = peak - x;
  }
  return worst;
}

function projectHours(fit: TheilSen, atT: number, limitBytes: number | undefined): number | null {
  if (limitBytes === undefined || !(fit.slope > 0)) return null;
  return Math.max(0, (limitBytes - fittedAt(fit, atT)) / fit.slope);
}

/** The recent half must grow at least this fraction as fast as the early half (warm-ups slow down). */
const DECELERATION_RATIO = 0.7;
/**
 * A daily cycle falls for hours every day: history this long that never gave memory back has no
 * cycle to mistake growth for.
 */
const NO_CYCLE_HISTORY_SECONDS = 20 * HOUR;
/** Growth must exceed the largest give-back seen by this factor. */
const GIVE_BACK_MARGIN = 1.5;

/**
 * A span whose least-squares slope is far below the bar cannot pass the robust tests. Removing
 * upward jumps only lowers that slope and the last level, so a span that cannot grow in the raw
 * floor cannot grow once jumps are removed either: the backtest uses this to skip the rest.
 */
export function cannotGrow(input: SpanInput, from: number, to: number): boolean {
  const { t, v, limitBytes, options: o } = input;
  const cheap = leastSquaresSlope(t, v, from, to);
  if (cheap >= 0.5 * o.minGrowthBytesPerHour) return false;
  return (
    limitBytes === undefined || !(cheap > 0) || ((limitBytes - v[to - 1]!) / cheap) * HOUR > 2 * o.oomHorizonSeconds
  );
}

/** The first test of judgeSeasonal, on its own (same monotonicity as cannotGrow). */
export function seasonalCannotGrow(input: SpanInput, from: number, to: number, bucketSeconds: number): boolean {
  return !(dayRateOf(input, from, to, bucketSeconds) >= input.options.minGrowthBytesPerHour);
}

function dayRateOf(input: SpanInput, from: number, to: number, bucketSeconds: number): number {
  const { t, v } = input;
  // Two buckets at each end: the two ends sit within half an hour of the same time of day.
  const edge = 2;
  const guard = Math.max(2, Math.round(HOUR / bucketSeconds));
  const minOf = (a: number, b: number): number => {
    let m = Infinity;
    for (let i = Math.max(from, a); i < Math.min(to, b); i++) m = Math.min(m, v[i]!);
    return m;
  };
  const first = minOf(from, from + edge);
  // A window that opens on a steep rise may open on a warm-up (a start just before it), which
  // must not pass for a day of growth: no verdict from this test until the window moves on. The
  // floor as measured says so: removing steps would hide the steep part of a fill.
  const raw = input.raw ?? v;
  const rawFirst = Math.min(raw[from]!, raw[from + 1] ?? Infinity);
  let rawLater = Infinity;
  for (let i = from + 2 * guard; i < Math.min(to, from + 3 * guard); i++) rawLater = Math.min(rawLater, raw[i]!);
  if (rawLater - rawFirst > 0.25 * input.options.minGrowthBytesPerHour * 24) return Number.NaN;
  const last = minOf(to - edge, to);
  return ((last - first) / (t[to - 1]! - t[from]!)) * HOUR;
}

/**
 * The steepest a daily cycle can move the floor, per hour, as a share of its peak-to-peak swing: a
 * sine rises at most π/24 of it per hour, a second harmonic of up to 0.4 (the steepest the detector
 * allows for) makes that 1.29× as steep.
 */
const CYCLE_SLOPE_PER_SWING = (Math.PI / 24) * 1.29;

/**
 * Which tier the first day cannot trust (null: none). Before a whole day is seen, a rise can be the
 * rising half of a daily cycle of any size nothing has shown yet, so:
 * - `fast` needs a rise steeper than a cycle of FIRST_DAY_SWING_FRACTION (120%) of its trough can rise;
 * - `limit` needs the limit to be reached even if the rise is most of a rising half-day: the floor
 *   climbing half as much again as it has since its lowest point must reach it;
 * - `sustained` needs one pace through the span (its three thirds within 1.5× of each other):
 *   a warm-up's tail in front of a rising half-day, or a cycle climbing out of its trough, does not.
 * The other tiers already prove more than a rising half-day can (`relative`, `straight`, `no-cycle`).
 */
function firstDayHolds(tier: LeakTier, input: SpanInput, fit: TheilSen, from: number, to: number): boolean {
  const { v, limitBytes } = input;
  if (tier === 'fast') {
    const { startLevel } = observedRise(v, from, to);
    return fit.slope < CYCLE_SLOPE_PER_SWING * FIRST_DAY_SWING_FRACTION * startLevel;
  }
  if (tier === 'relative') {
    // The first day has not shown the cycle's size: it may be as large as FIRST_DAY_SWING_FRACTION.
    // Such a cycle rises 80% of its start only out of its trough, slowly at first (the first third of
    // such a span rises at under half the span's pace): a rise that kept its pace through every third
    // is no such cycle. Otherwise it must beat what that cycle can rise over the span's length.
    if (risesThroughout(input.t, v, from, to, fit.slope, input.options.minGrowthBytesPerHour)) return false;
    const { startLevel, rise } = observedRise(v, from, to);
    const hours = (input.t[to - 1]! - input.t[from]!) / HOUR;
    const enough = FIRST_DAY_SWING_FRACTION * cycleRiseShare(hours) * startLevel;
    return !(rise >= enough && grewOtherThanBySteps(input, from, to, enough));
  }
  if (tier === 'limit' && limitBytes !== undefined) {
    let lowest = Infinity;
    for (let i = 0; i < to; i++) lowest = Math.min(lowest, v[i]!);
    const now = median(v, Math.max(from, to - 2), to);
    return limitBytes - now > CYCLE_REMAINING_RISE * (now - lowest);
  }
  if (tier === 'sustained') {
    // A warm-up's tail in front of a rising half-day keeps rising for 14 h too (steep first, then
    // slower, or flat in the trough between them), and so does a cycle climbing out of its trough
    // (slow first, then steeper): a steady leak keeps one pace through every third of the span.
    const third = Math.floor((to - from) / 3);
    // With the start's warm-up out: its tail can fill a trough's slow hours.
    const w = input.sinceStart === undefined ? v : withoutWarmup(input.t, v, from, to, input.sinceStart);
    const slopes = [0, 1, 2].map((k) => theilSen(input.t, w, from + k * third, k === 2 ? to : from + (k + 1) * third));
    if (slopes.some((f) => f === null || !(f.slope > 0))) return true;
    const paces = slopes.map((f) => f!.slope);
    return Math.max(...paces) > SUSTAINED_PACE_RATIO * Math.min(...paces);
  }
  return false;
}

/**
 * How long a daily cycle that rises at some pace at (or before) its steepest point still climbs, at the
 * least, in hours of that pace: its half swing A over its steepest slope, A·π/12 per hour ×1.29 for a
 * second harmonic of 0.4 (CYCLE_SLOPE_PER_SWING) — 12/(1.29π) ≈ 2.96 h. A rise projected to reach the
 * limit sooner reaches it whether it is a leak or such a cycle; a cycle past its steepest point bends
 * over (held before this is asked) and slows down (no span passes).
 */
const CYCLE_CLIMB_HOURS = 1 / (2 * CYCLE_SLOPE_PER_SWING);

/**
 * The rise reaches the limit before any daily cycle rising at its pace could turn: the straight line
 * (of a span that passed a tier and does not bend over like an arc) reaches the limit within
 * CYCLE_CLIMB_HOURS. The first day's caution cannot wait for the day: the pod is OOM-killed first.
 */
function outrunsCycle(hoursToLimit: number | null): boolean {
  return hoursToLimit !== null && hoursToLimit <= CYCLE_CLIMB_HOURS;
}

/**
 * The shortest rising half of a daily cycle the detector allows for, hours: a second harmonic of 0.4
 * shortens it from 12 h to 8.3 h.
 */
const SHORTEST_RISING_HALF_HOURS = 8;

/**
 * The largest share of its peak-to-peak swing a daily cycle can rise over `hours`: a rise shaped like
 * a half cosine over SHORTEST_RISING_HALF_HOURS, taken around its steepest point (within 1.5% of the
 * most that sines with a second harmonic of up to 0.4 rise, and never below it).
 */
export function cycleRiseShare(hours: number): number {
  return Math.sin((Math.PI / 2) * Math.min(1, hours / SHORTEST_RISING_HALF_HOURS));
}

/**
 * The largest daily cycle the first day allows for, peak to peak, as a share of its trough: a cycle
 * that more than doubles the floor. After a day the cycle has shown its size (and given memory back,
 * which the give-back rule weighs), so `relativeRiseFraction` (80%) bounds it; before, cycles of a
 * whole trough are seen (one day up to 10% larger than the next), so `fast` must beat this one.
 */
const FIRST_DAY_SWING_FRACTION = 1.2;
/** Under the cycle hypothesis, the floor may still climb this share of what it rose since its lowest point. */
const CYCLE_REMAINING_RISE = 0.5;
/** In the first day, a sustained rise whose first and last thirds differ in pace by more than this is no steady leak. */
const SUSTAINED_PACE_RATIO = 1.5;

/** What the first day cannot tell yet, per tier firstDayHolds holds back. */
const FIRST_DAY_HELD: Partial<Record<LeakTier, string>> = {
  fast: 'a daily cycle as large as the first day allows for (120% of its trough) can rise this fast',
  relative:
    'a daily cycle as large as the first day allows for (120% of its trough) rises this far out of its trough, ' +
    'slowly at first as this rise did',
  limit: 'the limit would not be reached if this rise is most of a rising half-day',
  sustained:
    'its pace changed through the span, as a warm-up before a rising half-day or a cycle out of its trough does',
};

/**
 * How far the span bends over like the top of an arc (a rising half-day nearing its peak, a cache
 * filling), in bytes: the fitted parabola's fall below its chord mid-span, when a parabola fits
 * clearly better than a line and curves down; 0 otherwise. A straight line through such a span
 * says nothing about when, or whether, the floor reaches the limit.
 */
export function bendBytes(t: readonly number[], v: readonly number[], from: number, to: number): number {
  const n = to - from;
  if (n < 8) return 0;
  const t0 = t[to - 1]!;
  // Normal equations of y ≈ a + b·x + c·x², x in hours before the end.
  let s1 = 0,
    s2 = 0,
    s3 = 0,
    s4 = 0,
    sy = 0,
    sxy = 0,
    sx2y = 0,
    syy = 0;
  for (let i = from; i < to; i++) {
    const x = (t[i]! - t0) / HOUR;
    const y = v[i]! / (1024 * 1024);
    s1 += x;
    s2 += x * x;
    s3 += x * x * x;
    s4 += x * x * x * x;
    sy += y;
    sxy += x * y;
    sx2y += x * x * y;
    syy += y * y;
  }
  const m = [
    [n, s1, s2],
    [s1, s2, s3],
    [s2, s3, s4],
  ];
  const det = (a: number[][]) =>
    a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) -
    a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) +
    a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!);
  const d = det(m);
  if (!(Math.abs(d) > 0)) return 0;
  const rhs = [sy, sxy, sx2y];
  const coef = [0, 1, 2].map((k) => det(m.map((row, r) => row.map((x, c) => (c === k ? rhs[r]! : x)))) / d);
  const [a, b, c] = coef as [number, number, number];
  if (!(c < 0)) return 0;
  const quadSse = syy - a * sy - b * sxy - c * sx2y;
  const lineB = (n * sxy - s1 * sy) / (n * s2 - s1 * s1);
  const lineA = (sy - lineB * s1) / n;
  const lineSse = syy - lineA * sy - lineB * sxy;
  if (!(quadSse < BENDING_FIT * lineSse)) return 0;
  const halfSpanHours = (t[to - 1]! - t[from]!) / HOUR / 2;
  return -c * halfSpanHours * halfSpanHours * 1024 * 1024;
}

/**
 * The span bends over by at least `minBendBytes` (half an hour of minimum growth): a straight
 * floor leaves both fits at rounding noise, whose ratio means nothing.
 */
export function bendsOver(
  t: readonly number[],
  v: readonly number[],
  from: number,
  to: number,
  minBendBytes: number,
): boolean {
  return bendBytes(t, v, from, to) >= minBendBytes;
}

/**
 * The most a daily cycle can bend, per hour², as a share of its peak-to-peak swing: a sine's
 * curvature peaks at (π/12)²/2 of it, and a second harmonic of up to 0.4 makes that up to 2.6× as much.
 */
const CYCLE_CURVATURE_PER_SWING = ((Math.PI / 12) ** 2 / 2) * 2.6;
/** A bend is measured on noisy points: one up to this many times what the cycle allows can still be its top. */
const CYCLE_BEND_MARGIN = 2;

/**
 * The span [from, to) bends over like the top of a daily cycle: by at least half an hour of
 * minimum growth, and by no more than a cycle of the largest size the detector allows for
 * (`relativeRiseFraction` of the span's starting level) can bend over the span's length (its
 * curvature × length² / 8). A rise that bends far more sharply over minutes — cAdvisor's first
 * readings of a container, scrape jitter, a stalled tick — is not a day's arc: the general rules
 * (warm-up curve, deceleration) judge it as they would on any day.
 */
function bendsLikeCycleTop(input: SpanInput, from: number, to: number): boolean {
  const { t, v, options: o } = input;
  const bend = bendBytes(t, v, from, to);
  if (bend < 0.5 * o.minGrowthBytesPerHour) return false;
  const hours = (t[to - 1]! - t[from]!) / HOUR;
  const swing = o.relativeRiseFraction * observedRise(v, from, to).startLevel;
  return bend <= (CYCLE_BEND_MARGIN * CYCLE_CURVATURE_PER_SWING * swing * hours * hours) / 8;
}

/**
 * How straight the rising half of a daily cycle can be: over a span of L hours, a sine (the shape of
 * the cycles the detector allows for; a second harmonic only curves it more) leaves a root-mean-square
 * residual around its least-squares line of at least this share of its rise × a², a = π·L/24 the
 * span's half-angle — least when the span is centred on the steepest point, where the rise is an S:
 * sin x ≈ x − x³/6 on [−a, a] leaves √(2/7 − 12/25 + 6/25)/√2 · a³/6 ≈ 0.0252·a³ around its line,
 * for a rise of ~2a. It does not depend on the cycle's size: only on its period, a day.
 */
const CYCLE_CURVE_PER_RISE = 0.0126;
/**
 * A rise counts as straighter than any daily cycle when it leaves at most this share of the straightest
 * cycle's residual: a warm-up's tail (concave) can straighten a cycle's slow start out of its trough
 * (convex), and the floor's noise only adds to a leak's residual, so a margin keeps healthy pods out.
 */
const STRAIGHT_MARGIN = 0.5;

/** How far above its estimate the curved part may be, in noise variances (χ², 2 degrees of freedom, 95%). */
const CURVE_CHI2 = 6;

/** Makes q orthogonal to the orthonormal vectors of `basis` (Gram–Schmidt, in place); returns its norm left. */
function orthogonalize(q: number[], basis: readonly (readonly number[])[]): number {
  const n = q.length;
  for (const b of basis) {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += q[i]! * b[i]!;
    for (let i = 0; i < n; i++) q[i]! -= dot * b[i]!;
  }
  let norm = 0;
  for (let i = 0; i < n; i++) norm += q[i]! * q[i]!;
  return Math.sqrt(norm);
}

/** 1, x, x², x³ at the points x made orthonormal (Gram–Schmidt); null when the points cannot carry a cubic. */
function cubicBasis(x: readonly number[]): number[][] | null {
  const basis: number[][] = [];
  for (let k = 0; k < 4; k++) {
    const q = x.map((xi) => xi ** k);
    const norm = orthogonalize(q, basis);
    if (!(norm > 0)) return null;
    basis.push(q.map((qi) => qi / norm));
  }
  return basis;
}

/**
 * How much [from, to) curves, as a share of its rise: the root mean square of its quadratic and cubic
 * parts (orthogonal to its line; a cycle's S and arc live there), at the top of what the noise left
 * around the cubic allows (their estimated energy plus CURVE_CHI2 times the noise's variance), over
 * the line's rise across the span. Infinity when it does not rise. Noise only raises it.
 */
export function curvePerRise(t: readonly number[], v: readonly number[], from: number, to: number): number {
  const n = to - from;
  if (n < 12) return Infinity;
  const t0 = t[from]!;
  const span = t[to - 1]! - t0;
  if (!(span > 0)) return Infinity;
  // 1, x, x², x³ at the points (x in [−1, 1]) made orthonormal, then v's coefficients on them.
  const basis = cubicBasis(Array.from({ length: n }, (_, i) => (2 * (t[from + i]! - t0)) / span - 1));
  if (!basis) return Infinity;
  const c = basis.map((b) => {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += b[i]! * v[from + i]!;
    return dot;
  });
  // The line's rise: its coefficient on the unit linear basis vector, over that vector's rise.
  const linearRise = basis[1]![n - 1]! - basis[1]![0]!;
  const rise = c[1]! * linearRise;
  if (!(rise > 0)) return Infinity;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    let fitted = 0;
    for (let k = 0; k < 4; k++) fitted += c[k]! * basis[k]![i]!;
    sse += (v[from + i]! - fitted) ** 2;
  }
  const noise = sse / (n - 4);
  const curved = c[2]! ** 2 + c[3]! ** 2 + CURVE_CHI2 * noise;
  return Math.sqrt(curved / n) / rise;
}

/**
 * Time constants of the warm-up taken out, hours: every one up to the slowest the detector tells apart,
 * fast ones included (a fill that is mostly over when the judged span begins still bends its first
 * hours, and a slower curve put in its place would bend them the other way).
 */
const REMOVED_WARMUP_TIME_CONSTANTS_HOURS = [0.1, 0.2, 0.3, ...WARMUP_TIME_CONSTANTS_HOURS];

/**
 * v on [from, to) with the start's warm-up taken out (v itself when none shows). The warm-up curve
 * (level − fill·e^(−age/τ), τ up to 3 h) is measured where it shows, on the floor since the start
 * (`since`, its first minutes included) beside a cubic for whatever else moves the floor; it is
 * subtracted when it rises (a fill) and stands out of the noise. Near a start, a warm-up's concave
 * tail can cancel a cycle's convex climb out of its trough, or fill its trough, into a steady rise.
 */
export function withoutWarmup(
  t: readonly number[],
  v: readonly number[],
  from: number,
  to: number,
  since: { t: readonly number[]; v: readonly number[]; startT: number },
): readonly number[] {
  const { startT } = since;
  const n = since.t.length;
  const t0 = since.t[0]!;
  const span = since.t[n - 1]! - t0;
  if (n < 12 || !(span > 0) || t[from]! - startT >= WARMUP_SETTLED_SECONDS) return v;
  const basis = cubicBasis(since.t.map((ti) => (2 * (ti - t0)) / span - 1));
  if (!basis) return v;
  // What the cubic leaves of the floor's energy.
  let total = 0;
  for (let i = 0; i < n; i++) total += since.v[i]! * since.v[i]!;
  for (const b of basis) {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += b[i]! * since.v[i]!;
    total -= dot * dot;
  }
  // The warm-up's coefficient beside the cubic: its part orthogonal to the cubic, over that part's norm.
  let best: { gain: number; fill: number; tau: number } | null = null;
  for (const tau of REMOVED_WARMUP_TIME_CONSTANTS_HOURS) {
    const q = since.t.map((ti) => -Math.exp(-(ti - startT) / (tau * HOUR)));
    const norm = orthogonalize(q, basis);
    if (!(norm > 0)) continue;
    let dot = 0;
    for (let i = 0; i < n; i++) dot += (q[i]! / norm) * since.v[i]!;
    if (best === null || dot * dot > best.gain) best = { gain: dot * dot, fill: dot / norm, tau };
  }
  // Only a warm-up the data show: it takes more out of the residual than CURVE_CHI2 noise variances.
  const noise = best === null ? Infinity : Math.max(0, total - best.gain) / (n - 5);
  if (best === null || !(best.fill > 0) || !(best.gain > CURVE_CHI2 * noise)) return v;
  const rest = v.slice(0, to);
  for (let i = from; i < to; i++) rest[i] = v[i]! + best.fill * Math.exp(-(t[i]! - startT) / (best.tau * HOUR));
  return rest;
}

/**
 * The span rises straighter than the rising half of any daily cycle can over its length: a leak
 * keeps one pace, a cycle's rise is an S (slow out of its trough, steepest half-way, slow into its
 * peak) whatever its size. Only spans of at least twice minHistory (6 h) count: over a few hours even
 * a sine is nearly straight, and noise on the floor hides the difference.
 */
function straighterThanCycle(input: SpanInput, from: number, to: number, margin: number): boolean {
  const { t, v, sinceStart } = input;
  const hours = (t[to - 1]! - t[from]!) / HOUR;
  const a = (Math.PI * hours) / 24;
  const most = margin * CYCLE_CURVE_PER_RISE * a * a;
  if (!(curvePerRise(t, v, from, to) <= most)) return false;
  // What is left once the warm-up is out must be as straight (a leak's is; a cycle's S shows again).
  return sinceStart === undefined || curvePerRise(t, withoutWarmup(t, v, from, to, sinceStart), from, to) <= most;
}

/** A parabola fits "clearly better" when it leaves less than this share of the line's squared residual. */
const BENDING_FIT = 0.6;

/**
 * Judges the floor points [from, to) as one span ending now. The span is a leak when the rank
 * trend is significant, growth is at least minGrowth (or heads for the limit), the recent half
 * still grows and is not decelerating (warm-up), and one tier shows it is more than a daily cycle.
 */
export function judgeSpan(input: SpanInput, from: number, to: number): SpanFinding | SpanRejection {
  const { t, v, limitBytes, options: o } = input;
  const fromT = t[from]!;
  const toT = t[to - 1]!;
  const spanSeconds = toT - fromT;
  if (cannotGrow(input, from, to)) return { why: 'no upward trend', fit: null, fromT, toT };
  const half = from + ((to - from) >> 1);
  // Without a limit the bar below is minGrowth, so the cheaper recent half can reject first.
  const recent = theilSen(t, v, half, to);
  if (recent === null) return { why: 'too few points', fit: null, fromT, toT };
  if (limitBytes === undefined && recent.slope < 0.5 * o.minGrowthBytesPerHour)
    return { why: 'growth has stopped', fit: null, fromT, toT };
  const fit = theilSen(t, v, from, to);
  if (fit === null) return { why: 'too few points', fit, fromT, toT };
  const hoursToLimit = projectHours(fit, toT, limitBytes);
  const headsForLimit = hoursToLimit !== null && hoursToLimit * HOUR <= o.oomHorizonSeconds;
  if (!(fit.low > 0)) return { why: 'no significant upward trend', fit, fromT, toT };
  if (fit.slope < o.minGrowthBytesPerHour && !headsForLimit)
    return { why: 'growth below the threshold', fit, fromT, toT };

  const early = theilSen(t, v, from, half);
  if (early === null) return { why: 'too few points', fit, fromT, toT };
  const bar = Math.min(fit.slope, o.minGrowthBytesPerHour);
  if (recent.slope < 0.5 * bar) return { why: 'growth has stopped', fit, fromT, toT };
  if (recent.slope < DECELERATION_RATIO * early.slope)
    return { why: 'growth is slowing down (warm-up or cache fill)', fit, fromT, toT };

  const { startLevel, rise } = observedRise(v, from, to);
  if (rise < GIVE_BACK_MARGIN * input.givenBackBytes)
    return { why: 'the floor has fallen back this far before (load cycle)', fit, fromT, toT };
  // Growth that has not yet gone well beyond a level the floor held before a fall is a return to it.
  if (rise < GIVE_BACK_MARGIN * climbingBack(input.falls, fit.slope))
    return { why: 'the floor is climbing back to a level it held before it fell', fit, fromT, toT };
  // The span, or its recent half, bends over: the top of an arc, whose straight line overshoots.
  let bent: boolean | undefined;
  const bending = (): boolean =>
    (bent ??=
      bendsOver(t, v, from, to, 0.5 * o.minGrowthBytesPerHour) ||
      bendsOver(t, v, half, to, 0.5 * o.minGrowthBytesPerHour));
  let top: boolean | undefined;
  const cycleTop = (): boolean => (top ??= bendsLikeCycleTop(input, from, to) || bendsLikeCycleTop(input, half, to));
  const tiers: [LeakTier, () => boolean][] = [
    ['fast', () => fit.slope >= o.fastGrowthBytesPerHour && fit.low >= 0.5 * fit.slope],
    [
      'relative',
      () =>
        startLevel > 0 &&
        rise >= o.relativeRiseFraction * startLevel &&
        grewOtherThanBySteps(input, from, to, o.relativeRiseFraction * startLevel),
    ],
    [
      'sustained',
      () =>
        spanSeconds >= 0.95 * o.sustainedSeconds && risesThroughout(t, v, from, to, fit.slope, o.minGrowthBytesPerHour),
    ],
    // Extrapolate no further ahead than the growth has been watched (a rising half-day aimed at
    // the limit is not yet a leak), and never along a line through an arc that bends over.
    ['limit', () => headsForLimit && hoursToLimit! * HOUR <= spanSeconds && !bending()],
    [
      'straight',
      () => spanSeconds >= 0.95 * 2 * o.minHistorySeconds && straighterThanCycle(input, from, to, STRAIGHT_MARGIN),
    ],
    [
      'no-cycle',
      () =>
        spanSeconds >= 0.95 * 2 * o.minHistorySeconds &&
        t[to - 1]! - t[0]! >= NO_CYCLE_HISTORY_SECONDS &&
        rise >= 4 * input.givenBackBytes &&
        risesThroughout(t, v, from, to, fit.slope, o.minGrowthBytesPerHour),
    ],
  ];
  let held: string | undefined;
  for (const [tier, passes] of tiers) {
    if (!passes()) continue;
    if (input.firstDay === undefined) return { tier, fit, fromT, toT, hoursToLimit };
    // A rise that bends over like the top of an arc is what a rising half-day looks like near its
    // peak, and nothing like the known leaks: held back whatever else is known.
    if (cycleTop()) {
      held ??= 'the rise bends over like the top of an arc';
      continue;
    }
    if (!firstDayHolds(tier, input, fit, from, to) || outrunsCycle(hoursToLimit))
      return { tier, fit, fromT, toT, hoursToLimit };
    held ??= FIRST_DAY_HELD[tier];
  }
  if (held !== undefined)
    return {
      why: 'a rise in the first day could still be the rising half of a daily cycle',
      fit,
      fromT,
      toT,
      ambiguous: true,
      held,
    };
  return { why: 'growth could still be a daily cycle', fit, fromT, toT, ambiguous: true };
}

/**
 * A full day of floor compared with itself a day earlier: a daily cycle returns to where it was,
 * a leak under the cycle does not. Needs about 24 h of history without a restart.
 */
export function judgeSeasonal(
  input: SpanInput,
  from: number,
  to: number,
  bucketSeconds: number,
): SpanFinding | SpanRejection {
  const { t, v, options: o } = input;
  const fromT = t[from]!;
  const toT = t[to - 1]!;
  const why = 'no growth from one day to the next';
  if (seasonalCannotGrow(input, from, to, bucketSeconds)) return { why, fit: null, fromT, toT };
  // A few steps on a flat floor (a relist, new CRs) lift it above a day earlier once, and a staircase
  // that stopped is no leak until it steps again: once the floor has stayed flat since the last step
  // for longer than minHistory and than the longest interval between steps, the day's growth must
  // show without them (more steps are a staircase still stepping).
  if (stepsStopped(input, from, to) && seasonalCannotGrow({ ...input, v: input.stairFree! }, from, to, bucketSeconds))
    return { why: 'the floor is higher than a day earlier only by steps that stopped', fit: null, fromT, toT };
  const fit = theilSen(t, v, from, to);
  if (fit === null || !(fit.low > 0) || fit.slope < 0.5 * o.minGrowthBytesPerHour) return { why, fit, fromT, toT };
  return { tier: 'seasonal', fit, fromT, toT, hoursToLimit: projectHours(fit, toT, input.limitBytes) };
}

/**
 * Each third of the span rises at a good part of the overall rate: a rising half-day that is
 * preceded by its trough or followed by its peak does not.
 */
function risesThroughout(
  t: readonly number[],
  v: readonly number[],
  from: number,
  to: number,
  slope: number,
  minGrowthBytesPerHour: number,
): boolean {
  const third = Math.floor((to - from) / 3);
  for (let k = 0; k < 3; k++) {
    const fit = theilSen(t, v, from + k * third, k === 2 ? to : from + (k + 1) * third);
    if (fit === null || fit.slope < Math.max(0.6 * slope, 0.5 * minGrowthBytesPerHour)) return false;
  }
  return true;
}

/** Up to this many steps in a span are events; more are a staircase still stepping. */
const FEW_STEPS = 3;

/**
 * The span grew by `enough` other than by a few steps standing apart from a flat floor, quick or slow (a
 * relist, a burst of new CRs), or grows between its steps: such events are neither a daily cycle
 * nor noise, so on their own they prove nothing about either.
 */
function grewOtherThanBySteps(input: SpanInput, from: number, to: number, enough: number): boolean {
  const v = input.stairFree;
  if (v === undefined || !fewStepsOnly(input, from, to)) return true;
  if (observedRise(v, from, to).rise >= enough) return true;
  // Steps on a floor that also grows between them (hourly bursts under a daily rise) are growth.
  // The median pairwise slope, so that a step still under way at the end does not count as it.
  return (theilSen(input.t, v, from, to)?.slope ?? 0) >= input.options.minGrowthBytesPerHour;
}

/**
 * The span's steps standing apart from a flat floor are known and at most FEW_STEPS (events, not a
 * staircase that keeps stepping), so `stairFree` shows how the floor grew without them.
 */
function fewStepsOnly(input: SpanInput, from: number, to: number): boolean {
  if (input.stairFree === undefined) return false;
  // Many steps are a staircase that keeps stepping; a few are events (a relist, new CRs).
  return (input.stairsAt ?? []).filter((at) => at > from && at < to).length <= FEW_STEPS;
}

/**
 * The span's steps are few (fewStepsOnly) and have stopped: the floor as measured has stayed flat
 * (under half of minGrowth either way) since the last one, for longer than minHistory and than the
 * longest interval between them. A leak keeps stepping.
 */
function stepsStopped(input: SpanInput, from: number, to: number): boolean {
  if (!fewStepsOnly(input, from, to)) return false;
  const { t, options: o } = input;
  const at = (input.stairsAt ?? []).filter((i) => i > from && i < to);
  if (at.length === 0) return false;
  let interval = 0;
  for (let k = 1; k < at.length; k++) interval = Math.max(interval, t[at[k]!]! - t[at[k - 1]!]!);
  const last = at[at.length - 1]!;
  if (t[to - 1]! - t[last]! < Math.max(interval, o.minHistorySeconds)) return false;
  const since = theilSen(t, input.raw ?? input.v, last, to);
  return since !== null && Math.abs(since.slope) < 0.5 * o.minGrowthBytesPerHour;
}

/** Level at the start and growth since, from the medians of the first and last few points. */
function observedRise(v: readonly number[], from: number, to: number): { startLevel: number; rise: number } {
  const k = Math.max(2, Math.min(4, Math.floor((to - from) / 6)));
  const startLevel = median(v, from, from + k);
  return { startLevel, rise: median(v, to - k, to) - startLevel };
}

export function isFinding(x: SpanFinding | SpanRejection): x is SpanFinding {
  return 'tier' in x;
}
