import { fixedCeiling, underFixedCeiling, type CeilingHeld } from './ceiling.js';
import type { Floor } from './floor.js';
import { formatHours } from '../model/units.js';
import { findOomCycles, firstIndexAtOrAfter, grewBeforeRestart, segmentRanges, type Range } from './restarts.js';
import { findJumps, segmentFloor, usualChange, withoutJumps, type Jumps, type Segmented } from './segment.js';
import { theilSen } from './stats.js';
import {
  cannotGrow,
  isFinding,
  judgeSeasonal,
  judgeSpan,
  largestGiveBack,
  seasonalCannotGrow,
  type RestartFall,
  type SpanFinding,
  type SpanInput,
  type SpanRejection,
} from './trend.js';
import type { ResolvedDetectOptions, Verdict } from './types.js';
import {
  healthyVerdict,
  leakVerdict,
  oomVerdict,
  suspectedVerdict,
  underCeilingText,
  withCatalogueNote,
  unknownFloorVerdict,
  type VerdictContext,
} from './verdicts.js';
import { explainedByWarmup, WARMUP_SETTLED_SECONDS } from './warmup.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

export interface AnalyzeContext extends VerdictContext {
  /** The series began inside the window (or just before it): its first minutes are a warm-up. */
  startsInside: boolean;
  /** When the series began, if its samples show it (judge.ts `knownSeriesStart`); -Infinity if not. */
  seriesStart: number;
  options: ResolvedDetectOptions;
  /** The catalogue lists the image's version as affected (JudgeInput.knownAffected). */
  knownAffected?: boolean;
  /** The workload's earlier pods have shown a whole day: a first day of this pod is no blind spot. */
  dayKnown?: boolean;
}

/** The segment being judged: the history since the last restart, warm-up skipped. */
interface Current {
  seg: Segmented;
  ranges: Range[];
  restarts: number;
  /** The segment opens with a start or a restart (so it may open with a warm-up). */
  began: boolean;
  from: number;
  to: number;
  spanSeconds: number;
}

function currentSegment(floor: Floor, ctx: AnalyzeContext): Current {
  const o = ctx.options;
  const seg = segmentFloor(floor, o.restartDropFraction);
  const ranges = segmentRanges(seg);
  const restarts = ranges.length - 1;
  const last = ranges[ranges.length - 1]!;
  const began = restarts > 0 || ctx.startsInside;
  const from = began ? firstIndexAtOrAfter(seg.t, seg.t[last.from]! + o.warmupSeconds, last.from, last.to) : last.from;
  const spanSeconds = last.to > from ? seg.t[last.to - 1]! - seg.t[from]! : 0;
  return { seg, ranges, restarts, began, from, to: last.to, spanSeconds };
}

/** Share of the buckets in [from, to) not inside a run of empty buckets at least maxGapSeconds long. */
function coverageOf(
  bucket: readonly number[],
  from: number,
  to: number,
  bucketSeconds: number,
  maxGapSeconds: number,
): number {
  const expected = bucket[to - 1]! - bucket[from]! + 1;
  let missing = 0;
  for (let i = from + 1; i < to; i++) {
    const empty = bucket[i]! - bucket[i - 1]! - 1;
    if (empty > 0 && empty * bucketSeconds >= maxGapSeconds) missing += empty;
  }
  return 1 - missing / expected;
}

/** Why the current segment cannot be judged, or null. */
function unusable(c: Current, ctx: AnalyzeContext): string | null {
  const o = ctx.options;
  const since =
    c.restarts > 0 ? 'since the last restart' : ctx.startsInside ? 'since the container started' : 'in the window';
  const hours = formatHours(c.spanSeconds / HOUR);
  if (c.spanSeconds < o.minHistorySeconds)
    return `only ${hours} of usable data ${since} (need ${formatHours(o.minHistorySeconds / HOUR)})`;
  const coverage = coverageOf(c.seg.bucket, c.from, c.to, o.floorBucketSeconds, o.maxGapSeconds);
  if (coverage < o.minCoverage)
    return `data covers only ${Math.round(100 * coverage)}% of the last ${hours} (need ${Math.round(100 * o.minCoverage)}%)`;
  return null;
}

/** Floor of one series in its window → verdict. Shared by judge and the backtest. */
export function analyzeFloor(floor: Floor, ctx: AnalyzeContext): Verdict {
  const o = ctx.options;
  if (floor.v.length === 0) return unknownFloorVerdict('too few samples in the window to form a floor', ctx, null);
  const c = currentSegment(floor, ctx);
  const oom = c.restarts >= 2 ? findOomCycles(c.seg, c.ranges, o, ctx.limitBytes) : null;
  // Cycles in the past do not make a leak once the current process has stayed flat for a while.
  const currentFlat = (): boolean =>
    c.spanSeconds >= o.minHistorySeconds &&
    (theilSen(c.seg.t, c.seg.v, c.from, c.to)?.slope ?? 0) < 0.5 * o.minGrowthBytesPerHour;
  if (oom !== null && !currentFlat()) return oomVerdict(oom, c.seg, ctx);
  const problem = unusable(c, ctx);
  if (problem !== null) return unknownFloorVerdict(problem, ctx, c.seg);
  const verdict = judgeCurrent(c, ctx, floor);
  return ctx.knownAffected === true && ctx.detail ? withCatalogueNote(verdict) : verdict;
}

/**
 * Start indices of the spans ending now that are tested — 3 h, 6 h, 14 h and the whole segment — each
 * once, ascending (the longest span first). An indexed loop: asked of every series, a chain of array
 * methods and a Set, or an iterator's steps, are garbage.
 */
function spanStarts(t: readonly number[], spanSeconds: number, o: ResolvedDetectOptions): number[] {
  const end = t[t.length - 1]!;
  const starts = [0];
  const lengths = [o.minHistorySeconds, 2 * o.minHistorySeconds, o.sustainedSeconds];
  for (let k = 0; k < lengths.length; k++) {
    const seconds = lengths[k]!;
    if (!(seconds < spanSeconds)) continue;
    const start = firstIndexAtOrAfter(t, end - seconds, 0, t.length);
    if (!(t.length - start >= 6 && end - t[start]! >= 0.9 * o.minHistorySeconds) || starts.includes(start)) continue;
    // Put in its place (Array#sort's state and copies cost more than sorting four).
    let at = starts.length;
    for (; at > 0 && starts[at - 1]! > start; at--) starts[at] = starts[at - 1]!;
    starts[at] = start;
  }
  return starts;
}

/**
 * Start of the seasonal comparison: whole days before now, so both ends sit at the same time of day.
 * None while that point is still on the series' warm-up: within WARMUP_SETTLED_SECONDS of its start,
 * with the floor over the next minHistory following a warm-up curve from that start clearly better
 * than a line. A day earlier the level was still below where it settles, and a daily cycle on top
 * can hide that climb from a plain look at the window's first hours (dayRateOf).
 */
function dayStartOf(c: Current, t: readonly number[], raw: readonly number[], ctx: AnalyzeContext): number | null {
  const o = ctx.options;
  const days = Math.floor((c.spanSeconds + 2 * o.floorBucketSeconds) / DAY);
  if (c.began || days < 1) return null;
  const start = firstIndexAtOrAfter(t, t[t.length - 1]! - days * DAY - o.floorBucketSeconds / 2, 0, t.length);
  if (t[start]! - ctx.seriesStart >= WARMUP_SETTLED_SECONDS) return start;
  const next = firstIndexAtOrAfter(t, t[start]! + o.minHistorySeconds, start, t.length);
  return explainedByWarmup(t, raw, start, next, ctx.seriesStart) ? null : start;
}

/** One or two steps leave the floor flat; more make a staircase. */
const MAX_JUMPS = 2;
/** More steps than this in a day is a ramp, not a staircase of discrete events. */
const MAX_STAIRS = 8;
/** A relist or a burst of new CRs can take most of an hour (four buckets). */
const SLOW_STEP_BUCKETS = 4;

function judgeCurrent(c: Current, ctx: AnalyzeContext, floor: Floor): Verdict {
  const o = ctx.options;
  const n = c.to - c.from;
  const t = part(c.seg.t, c.from, c.to);
  const raw = part(c.seg.v, c.from, c.to);
  const spans = spanStarts(t, c.spanSeconds, o);
  const dayStart = dayStartOf(c, t, raw, ctx);
  if (!ctx.detail) {
    // Removing steps only lowers growth, so spans that cannot grow in the raw floor never will.
    const cheap: SpanInput = { t, v: raw, limitBytes: ctx.limitBytes, options: o, givenBackBytes: 0 };
    const seasonalHopeless = dayStart === null || seasonalCannotGrow(cheap, dayStart, t.length, o.floorBucketSeconds);
    if (seasonalHopeless && spans.every((start) => cannotGrow(cheap, start, t.length))) {
      return { ...unknownFloorVerdict('no upward trend', ctx, c.seg), kind: 'not-leaking' };
    }
  }
  const bucket = part(c.seg.bucket, c.from, c.to);
  const usual = usualChange(raw, 0, n, bucket);
  const v = withoutJumps(raw, 0, n, MAX_JUMPS, { usual, bucket });
  const stairs = findJumps(raw, 0, n, MAX_STAIRS, {
    usual,
    bucket,
    maxBuckets: SLOW_STEP_BUCKETS,
    flatBeside: true,
  });
  const givenBackBytes = Math.max(largestGiveBack(v), regainedDrop(c, o.minHistorySeconds));
  const falls = fallsAtRestarts(c, ctx);
  const segmentFrom = c.ranges[c.ranges.length - 1]!.from;
  const startT = c.seg.t[segmentFrom]!;
  const input: SpanInput = {
    ...(c.began
      ? { sinceStart: { t: part(c.seg.t, segmentFrom, c.to), v: part(c.seg.v, segmentFrom, c.to), startT } }
      : {}),
    t,
    v,
    raw,
    stairFree: stairs.v,
    stairsAt: stairs.at,
    limitBytes: ctx.limitBytes,
    options: o,
    givenBackBytes,
    ...(falls.length > 0 ? { falls } : {}),
  };
  // Less than a day since the series began: nothing has shown yet whether a rise is a daily cycle.
  // With a workload whose earlier pods showed a whole day, its daily profile (workload history) speaks for the cycle.
  if (ctx.startsInside && !ctx.dayKnown && floor.t[floor.t.length - 1]! - floor.t[0]! < DAY) input.firstDay = true;
  const healthy = (why: string): Verdict => {
    const fit = ctx.detail ? theilSen(t, v, 0, t.length) : null;
    return healthyVerdict({ why, fit, fromT: t[0]!, toT: t[t.length - 1]! }, input, c.seg, ctx, n, c.restarts);
  };
  if (c.began && settlingDown(input, o.minGrowthBytesPerHour)) {
    return healthy('still settling after the start: growth has more than halved since (warm-up or cache fill)');
  }
  const stopped = stoppedStaircase(t, raw, stairs, o);
  if (stopped !== null) return healthy(stopped);
  // The longest passing span makes the best report; the backtest only needs any, shortest first.
  const order = ctx.detail ? spans : [...spans].reverse();
  let full: SpanRejection | null = null;
  let held: SpanRejection | null = null;
  let warmup: boolean | null = null;
  let ceiling: CeilingHeld | null | undefined;
  /** The floor rose under a ceiling that has not moved (null: it moved, or cannot be told). */
  // The rise a finding claims: over its span, or over the window for a leak claimed across a restart.
  const ceilingHeld = (f: SpanFinding, claimedSeconds = f.toT - f.fromT): CeilingHeld | null => {
    ceiling ??= fixedCeiling(floor, o);
    return underFixedCeiling(ceiling, (f.fit.slope * claimedSeconds) / HOUR) ? ceiling : null;
  };
  let underCeiling: CeilingHeld | null = null;
  // A start's warm-up curve can climb like a leak for hours; no proof counts while it explains the rise.
  const stillWarmingUp = (): boolean =>
    (warmup ??= c.began && t[n - 1]! - startT <= WARMUP_SETTLED_SECONDS && explainedByWarmup(t, raw, 0, n, startT));
  for (const start of order) {
    const result = judgeSpan(input, start, t.length);
    if (isFinding(result)) {
      if (stillWarmingUp())
        return healthy('the rise since the start fits a warm-up curve (time constant ≤ 3 h) better than a steady rise');
      const flat = ceilingHeld(result);
      if (flat === null)
        return leakVerdict(ctx.detail ? recentRate(result, input, order, start) : result, c.seg, n, c.restarts);
      underCeiling ??= flat;
      if (start === 0)
        full = {
          why: 'the floor rose under a ceiling that has not moved',
          fit: result.fit,
          fromT: result.fromT,
          toT: result.toT,
        };
      continue;
    }
    if (result.held !== undefined) held ??= result;
    if (start === 0) full = result;
  }
  if (dayStart !== null) {
    const result = judgeSeasonal(input, dayStart, t.length, o.floorBucketSeconds);
    if (isFinding(result)) {
      const flat = ceilingHeld(result);
      if (flat === null) return leakVerdict(result, c.seg, n, c.restarts);
      underCeiling ??= flat;
    }
  }
  const whole = full!;
  if (
    whole.ambiguous &&
    whole.fit &&
    c.restarts > 0 &&
    grewBeforeRestart(c.seg, c.ranges, o, whole.fit.slope, c.spanSeconds)
  ) {
    const finding: SpanFinding = {
      tier: 'across-restart',
      fit: whole.fit,
      fromT: whole.fromT,
      toT: whole.toT,
      hoursToLimit: null,
    };
    const flat = ceilingHeld(finding, floor.t[floor.t.length - 1]! - floor.t[0]!);
    if (flat === null) return leakVerdict(finding, c.seg, n, c.restarts);
    underCeiling ??= flat;
  }
  if (underCeiling !== null) return healthy(underCeilingText(underCeiling));
  if (held !== null) return suspectedVerdict(held, input, c.seg, ctx, n, c.restarts);
  return healthyVerdict(whole, input, c.seg, ctx, n, c.restarts);
}

/** column[from, to): the column itself when that is all of it (both are read only), else a copy. */
function part(column: readonly number[], from: number, to: number): readonly number[] {
  return from === 0 && to === column.length ? column : column.slice(from, to);
}

/**
 * The finding a verdict reports: the longest span that passed (the most evidence), unless a shorter one
 * ending now that also passes grew faster beyond doubt (its interval's low end above the longer one's
 * slope): a leak that began or sped up inside the long span, whose rate and time to the limit are
 * those of the recent growth. Only the detailed analysis reports; the backtest needs only the kind.
 */
function recentRate(found: SpanFinding, input: SpanInput, order: readonly number[], start: number): SpanFinding {
  let best = found;
  for (const shorter of order) {
    if (shorter <= start) continue;
    const result = judgeSpan(input, shorter, input.t.length);
    if (isFinding(result) && result.fit.low > best.fit.slope) best = result;
  }
  return best;
}

/**
 * The drop at the last restart, when the floor climbed back to where it was before it within
 * `regainSeconds`: the process gave that memory back and took it again, like a load swing, so
 * growth since must exceed it like any other give-back. (A dip of an hour or two looks like a
 * restart to the floor.)
 */
function regainedDrop(c: Current, regainSeconds: number): number {
  if (c.restarts === 0) return 0;
  const { t, v } = c.seg;
  const start = c.ranges[c.ranges.length - 1]!.from;
  const before = start >= 2 ? Math.min(v[start - 1]!, v[start - 2]!) : v[start - 1]!;
  let low = Infinity;
  // Only a quick return: a leak that resumes after a real restart takes as long to refill.
  for (let i = start; i < c.to && t[i]! - t[start]! <= regainSeconds; i++) {
    low = Math.min(low, v[i]!);
    if (v[i]! >= before) return before - low;
  }
  return 0;
}

/**
 * Each restart in the window: how far the floor fell below the level before it (the lower of the last
 * two buckets, as `regainedDrop`) to its lowest since, and the pace of the floor over the last
 * minHistory before it (after the warm-up of the segment it ended). A restart with too little before
 * it to tell a pace (under six buckets) is left out: nothing is known of the level it fell from.
 */
function fallsAtRestarts(c: Current, ctx: AnalyzeContext): RestartFall[] {
  const o = ctx.options;
  const { t, v } = c.seg;
  const falls: RestartFall[] = [];
  for (let r = 1; r < c.ranges.length; r++) {
    const start = c.ranges[r]!.from;
    const prev = c.ranges[r - 1]!;
    const before = start >= 2 ? Math.min(v[start - 1]!, v[start - 2]!) : v[start - 1]!;
    let low = Infinity;
    for (let i = start; i < c.to; i++) low = Math.min(low, v[i]!);
    if (!(before > low)) continue;
    const opened = r > 1 || ctx.startsInside;
    const from = opened ? firstIndexAtOrAfter(t, t[prev.from]! + o.warmupSeconds, prev.from, prev.to) : prev.from;
    const tail = firstIndexAtOrAfter(t, t[prev.to - 1]! - o.minHistorySeconds, from, prev.to);
    const fit = prev.to - tail >= 6 ? theilSen(t, v, tail, prev.to) : null;
    if (fit !== null) falls.push({ bytes: before - low, rateBefore: fit.slope });
  }
  return falls;
}

/**
 * Three or more isolated steps on a floor that does not grow otherwise, the last further back than
 * the longest interval between them and than minHistory, with the floor flat since: a staircase
 * that stopped (relists, new CRs). A leak keeps stepping. Returns the reason, or null.
 */
function stoppedStaircase(
  t: readonly number[],
  raw: readonly number[],
  stairs: Jumps,
  o: ResolvedDetectOptions,
): string | null {
  const n = t.length;
  const { at } = stairs;
  if (at.length <= MAX_JUMPS || at.length >= MAX_STAIRS) return null;
  const last = at[at.length - 1]!;
  let interval = 0;
  for (let k = 1; k < at.length; k++) interval = Math.max(interval, t[at[k]!]! - t[at[k - 1]!]!);
  const flatSeconds = t[n - 1]! - t[last]!;
  if (flatSeconds < Math.max(interval, o.minHistorySeconds)) return null;
  // Flat: neither growing nor falling back (the falling half of a daily cycle is not a plateau).
  const since = theilSen(t, raw, last, n);
  if (since === null || Math.abs(since.slope) >= 0.5 * o.minGrowthBytesPerHour) return null;
  // Steps on a floor that grows anyway (the top of a daily cycle over a leak) are no staircase.
  if ((theilSen(t, stairs.v, 0, n)?.slope ?? 0) >= 0.5 * o.minGrowthBytesPerHour) return null;
  return `a staircase of ${at.length} steps that stopped: flat for ${formatHours(flatSeconds / HOUR)} since the last one (longest interval between them ${formatHours(interval / HOUR)})`;
}

/**
 * Since a start, the floor grew fast at first and has since slowed to less than half that pace:
 * a warm-up still settling, even if its last few hours alone look steep.
 */
function settlingDown(input: SpanInput, minGrowthBytesPerHour: number): boolean {
  const n = input.t.length;
  if (n < 8) return false;
  const half = n >> 1;
  const early = theilSen(input.t, input.v, 0, half);
  const recent = theilSen(input.t, input.v, half, n);
  return early !== null && recent !== null && early.slope >= minGrowthBytesPerHour && recent.slope < 0.5 * early.slope;
}
