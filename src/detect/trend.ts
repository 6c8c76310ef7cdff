import { fittedAt, leastSquaresSlope, median, theilSen, type TheilSen } from './stats.js';
import type { ResolvedDetectOptions } from './types.js';

const HOUR = 3600;

/** Why a span of floor counts as a leak; each names a different proof that it is not a look-alike. */
export type LeakTier = 'fast' | 'relative' | 'sustained' | 'limit' | 'seasonal' | 'across-restart' | 'no-cycle';

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
  /** The floor as measured (steps kept), when v has steps removed. */
  raw?: readonly number[];
  /** The floor without any of its steps, quick or slow, that stand apart from a flat floor. */
  stairFree?: readonly number[];
  /** Where those steps are: index of the first point after each. */
  stairsAt?: readonly number[];
}

/** Largest drop of v below its running maximum. */
export function largestGiveBack(v: readonly number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const x of v) {
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
  return limitBytes === undefined || !(cheap > 0) || ((limitBytes - v[to - 1]!) / cheap) * HOUR > 2 * o.oomHorizonSeconds;
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
  if (limitBytes === undefined && recent.slope < 0.5 * o.minGrowthBytesPerHour) return { why: 'growth has stopped', fit: null, fromT, toT };
  const fit = theilSen(t, v, from, to);
  if (fit === null) return { why: 'too few points', fit, fromT, toT };
  const hoursToLimit = projectHours(fit, toT, limitBytes);
  const headsForLimit = hoursToLimit !== null && hoursToLimit * HOUR <= o.oomHorizonSeconds;
  if (!(fit.low > 0)) return { why: 'no significant upward trend', fit, fromT, toT };
  if (fit.slope < o.minGrowthBytesPerHour && !headsForLimit) return { why: 'growth below the threshold', fit, fromT, toT };

  const early = theilSen(t, v, from, half);
  if (early === null) return { why: 'too few points', fit, fromT, toT };
  const bar = Math.min(fit.slope, o.minGrowthBytesPerHour);
  if (recent.slope < 0.5 * bar) return { why: 'growth has stopped', fit, fromT, toT };
  if (recent.slope < DECELERATION_RATIO * early.slope) return { why: 'growth is slowing down (warm-up or cache fill)', fit, fromT, toT };

  const { startLevel, rise } = observedRise(v, from, to);
  if (rise < GIVE_BACK_MARGIN * input.givenBackBytes) return { why: 'the floor has fallen back this far before (load cycle)', fit, fromT, toT };
  let tier: LeakTier | null = null;
  if (fit.slope >= o.fastGrowthBytesPerHour && fit.low >= 0.5 * fit.slope) tier = 'fast';
  else if (startLevel > 0 && rise >= o.relativeRiseFraction * startLevel && grewOtherThanBySteps(input, from, to, o.relativeRiseFraction * startLevel)) tier = 'relative';
  else if (spanSeconds >= 0.95 * o.sustainedSeconds && risesThroughout(t, v, from, to, fit.slope, o.minGrowthBytesPerHour)) tier = 'sustained';
  // Extrapolate no further ahead than the growth has been watched: a rising half-day aimed at
  // the limit is not yet a leak.
  else if (headsForLimit && hoursToLimit! * HOUR <= spanSeconds) tier = 'limit';
  else if (
    spanSeconds >= 0.95 * 2 * o.minHistorySeconds &&
    t[to - 1]! - t[0]! >= NO_CYCLE_HISTORY_SECONDS &&
    rise >= 4 * input.givenBackBytes &&
    risesThroughout(t, v, from, to, fit.slope, o.minGrowthBytesPerHour)
  ) {
    tier = 'no-cycle';
  }
  if (tier === null) return { why: 'growth could still be a daily cycle', fit, fromT, toT, ambiguous: true };
  return { tier, fit, fromT, toT, hoursToLimit };
}

/**
 * A full day of floor compared with itself a day earlier: a daily cycle returns to where it was,
 * a leak under the cycle does not. Needs about 24 h of history without a restart.
 */
export function judgeSeasonal(input: SpanInput, from: number, to: number, bucketSeconds: number): SpanFinding | SpanRejection {
  const { t, v, options: o } = input;
  const fromT = t[from]!;
  const toT = t[to - 1]!;
  const why = 'no growth from one day to the next';
  if (seasonalCannotGrow(input, from, to, bucketSeconds)) return { why, fit: null, fromT, toT };
  const fit = theilSen(t, v, from, to);
  if (fit === null || !(fit.low > 0) || fit.slope < 0.5 * o.minGrowthBytesPerHour) return { why, fit, fromT, toT };
  return { tier: 'seasonal', fit, fromT, toT, hoursToLimit: projectHours(fit, toT, input.limitBytes) };
}

/**
 * Each third of the span rises at a good part of the overall rate: a rising half-day that is
 * preceded by its trough or followed by its peak does not.
 */
function risesThroughout(t: readonly number[], v: readonly number[], from: number, to: number, slope: number, minGrowthBytesPerHour: number): boolean {
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
  if (v === undefined) return true;
  // Many steps are a staircase that keeps stepping; a few are events (a relist, new CRs).
  if ((input.stairsAt ?? []).filter((at) => at > from && at < to).length > FEW_STEPS) return true;
  if (observedRise(v, from, to).rise >= enough) return true;
  // Steps on a floor that also grows between them (hourly bursts under a daily rise) are growth.
  // The median pairwise slope, so that a step still under way at the end does not count as it.
  return (theilSen(input.t, v, from, to)?.slope ?? 0) >= input.options.minGrowthBytesPerHour;
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
