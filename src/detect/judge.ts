import { analyzeFloor, type AnalyzeContext } from './analyze.js';
import { firstAfter, floorInWindow, type Floor } from './floor.js';
import { MIB, formatHours } from '../model/units.js';
import { sortedColumns, toColumns, type SampleColumns } from './columns.js';
import type { DetectOptions, JudgeInput, ResolvedDetectOptions, Verdict } from './types.js';

const HOUR = 3600;

export const defaultDetectOptions: ResolvedDetectOptions = Object.freeze({
  windowSeconds: 24 * HOUR,
  minGrowthBytesPerHour: 5 * MIB,
  oomHorizonSeconds: 24 * HOUR,
  maxStalenessSeconds: 10 * 60,
  minHistorySeconds: 3 * HOUR,
  minCoverage: 0.6,
  maxGapSeconds: 15 * 60,
  floorBucketSeconds: 15 * 60,
  fastGrowthBytesPerHour: 60 * MIB,
  sustainedSeconds: 14 * HOUR,
  relativeRiseFraction: 0.8,
  warmupSeconds: 30 * 60,
  restartDropFraction: 0.1,
});

/** Options already resolved, by the object they were resolved from: a run judges every series with the same one. */
const resolved = new WeakMap<DetectOptions, ResolvedDetectOptions>();

/** Fills omitted tunables with their defaults (the same frozen result for the same options object). */
export function resolveOptions(options: DetectOptions): ResolvedDetectOptions {
  const known = resolved.get(options);
  if (known) return known;
  const out = { ...defaultDetectOptions } as ResolvedDetectOptions;
  for (const [key, value] of Object.entries(options) as [keyof ResolvedDetectOptions, number | undefined][]) {
    if (value !== undefined) out[key] = value;
  }
  resolved.set(options, Object.freeze(out));
  return out;
}

/** The verdict for data that cannot be judged, or null when the window is usable. */
export function checkWindow(
  samples: SampleColumns,
  from: number,
  to: number,
  badInWindow: number,
  now: number,
  options: DetectOptions,
): string | null {
  if (badInWindow > 0) return `${badInWindow} sample(s) in the window are not finite non-negative numbers`;
  if (to <= from) return `no samples in the last ${formatHours(options.windowSeconds / HOUR)}`;
  const ageSeconds = now - samples.t[to - 1]!;
  if (ageSeconds > options.maxStalenessSeconds) {
    return `newest sample is ${formatHours(ageSeconds / HOUR)} old (max ${formatHours(options.maxStalenessSeconds / HOUR)})`;
  }
  return null;
}

/**
 * Number.isFinite of a number, by two comparisons (false for NaN and ±Infinity): asked of every sample,
 * and without TurboFan (--no-opt) Number.isFinite is a call, four times slower over a series.
 */
function isFiniteNumber(x: number): boolean {
  return x > -Infinity && x < Infinity;
}

export function isBadValue(v: number): boolean {
  return !isFiniteNumber(v) || v < 0;
}

export function hasBadTime(samples: SampleColumns): boolean {
  const { t } = samples;
  for (let i = 0; i < t.length; i++) if (!isFiniteNumber(t[i]!)) return true;
  return false;
}

export function unknownVerdict(reason: string, windowStart: number, now: number): Verdict {
  return {
    kind: 'unknown',
    slope: null,
    currentBytes: null,
    hoursToLimit: null,
    reasons: [reason],
    evidence: { from: windowStart, to: now, pointsUsed: 0, restarts: 0 },
  };
}

/**
 * Judges the working set of one container as of `now`, using the samples in
 * (now − windowSeconds, now]. Pure: same input, same verdict.
 */
export function judge(input: JudgeInput, detectOptions: DetectOptions = defaultDetectOptions): Verdict {
  return prepareJudgement(input, detectOptions).verdict;
}

/** What judging computed on the way: the sorted samples, the window's floor and the context (null when the window was unusable). */
export interface Judgement {
  verdict: Verdict;
  samples: SampleColumns;
  /** Samples [0, to) are those up to `now`. */
  to: number;
  floor: Floor | null;
  ctx: AnalyzeContext | null;
}

const NO_SAMPLES: SampleColumns = { t: new Float64Array(0), v: new Float64Array(0) };

export function prepareJudgement(input: JudgeInput, detectOptions: DetectOptions): Judgement {
  const { now, limitBytes } = input;
  const options = resolveOptions(detectOptions);
  const windowStart = now - options.windowSeconds;
  const columns = toColumns(input.samples);
  if (hasBadTime(columns))
    return {
      verdict: unknownVerdict('some samples have no valid timestamp', windowStart, now),
      samples: NO_SAMPLES,
      to: 0,
      floor: null,
      ctx: null,
    };
  const samples = sortedColumns(columns);
  const from = firstAfter(samples.t, windowStart);
  const to = firstAfter(samples.t, now, from);
  let bad = 0;
  for (let i = from; i < to; i++) if (isBadValue(samples.v[i]!)) bad++;
  const problem = checkWindow(samples, from, to, bad, now, options);
  if (problem !== null)
    return { verdict: unknownVerdict(problem, windowStart, now), samples, to, floor: null, ctx: null };
  const floor = floorInWindow(samples, from, to, windowStart, now, options.floorBucketSeconds);
  const startsInside = seriesStartsInside(samples, from, windowStart, options.warmupSeconds);
  const ctx: AnalyzeContext = {
    now,
    windowStart,
    startsInside,
    seriesStart: knownSeriesStart(samples, from, windowStart),
    limitBytes: validLimit(limitBytes),
    options,
    detail: true,
    knownAffected: input.knownAffected === true,
  };
  return { verdict: analyzeFloor(floor, ctx), samples, to, floor, ctx };
}

/**
 * The series began inside the window (its first sample came well after the window opened) or
 * within a warm-up before it: the first minutes in the window may be a warm-up, not growth.
 */
export function seriesStartsInside(
  samples: SampleColumns,
  from: number,
  windowStart: number,
  warmupSeconds: number,
): boolean {
  const first = samples.t[0]!;
  return from === 0 ? first > windowStart + 300 : first > windowStart - warmupSeconds;
}

/**
 * When the series began, as far as its samples show: its first sample, when they reach back before
 * the window or begin well inside it. A series whose samples begin right at the window's start (a
 * run reads only the window) may have begun at any time before: -Infinity.
 */
export function knownSeriesStart(samples: SampleColumns, from: number, windowStart: number): number {
  const first = samples.t[0]!;
  return from > 0 || first > windowStart + 300 ? first : -Infinity;
}

export function validLimit(limitBytes: number | undefined): number | undefined {
  return limitBytes !== undefined && Number.isFinite(limitBytes) && limitBytes > 0 ? limitBytes : undefined;
}
