import type { Floor } from './floor.js';
import { formatBytesPerHour, formatHours, formatMiB } from './format.js';
import { segmentFloor, withoutJumps, type Segmented } from './segment.js';
import { theilSen } from './stats.js';
import { cannotGrow, isFinding, judgeSeasonal, judgeSpan, largestGiveBack, seasonalCannotGrow, type SpanFinding, type SpanInput, type SpanRejection } from './trend.js';
import type { ResolvedDetectOptions, Verdict } from './types.js';

const HOUR = 3600;
const DAY = 24 * HOUR;
const MIB = 1024 * 1024;

export interface AnalyzeContext {
  now: number;
  /** Samples judged have t > windowStart. */
  windowStart: number;
  /** The first floor point is the first sample of the series, inside the window: a start. */
  startsInside: boolean;
  limitBytes: number | undefined;
  options: ResolvedDetectOptions;
  /** Full reasons and a slope for non-leaks; the backtest only needs the kind. */
  detail: boolean;
}

interface Range {
  from: number;
  to: number;
}

const LEAK_TIER_TEXT: Record<SpanFinding['tier'], string> = {
  fast: 'grows faster than a daily load cycle could explain',
  relative: 'grew by more than a daily load cycle or noise could explain',
  sustained: 'has kept growing for longer than any rising half-day',
  limit: 'is projected to reach the memory limit within the horizon',
  seasonal: 'is higher than the same time a day earlier, beyond the daily cycle',
  'across-restart': 'grew at the same rate before the last restart, and the restart did not stop it',
  'no-cycle': 'has not fallen back once in the last 20 h, so there is no daily cycle to explain the growth',
};

function isGrowthCycle(seg: Segmented, r: Range, o: ResolvedDetectOptions): boolean {
  if (r.to - r.from < 3) return false;
  const first = Math.min(seg.v[r.from]!, seg.v[r.from + 1]!);
  const peak = seg.v[r.to - 1]!;
  if (peak - first < Math.max(0.15 * first, 16 * MIB)) return false;
  // Killed while still growing: the last bucket is the highest. A warm-up that plateaued and
  // then restarted for another reason peaks anywhere on its plateau.
  for (let i = r.from; i < r.to - 1; i++) if (seg.v[i]! > peak * 1.02) return false;
  // Each cycle starts with a warm-up; the growth that matters comes after it.
  const from = Math.min(firstIndexAtOrAfter(seg.t, seg.t[r.from]! + o.warmupSeconds, r.from, r.to), r.to - 3);
  const n = r.to - from;
  const fit = theilSen(seg.t, seg.v, from, r.to);
  if (fit === null || fit.slope < o.minGrowthBytesPerHour) return false;
  if (n < 6) return true;
  const half = from + (n >> 1);
  const early = theilSen(seg.t, seg.v, from, half);
  const recent = theilSen(seg.t, seg.v, half, r.to);
  return early !== null && recent !== null && recent.slope >= 0.5 * early.slope;
}

/**
 * OOM-kill cycles: the completed segments before the current one each grew until a drop, up to
 * about the same ceiling (the limit). Such cycles in a row are a leak even when each is shorter
 * than the history a single segment needs.
 */
function findOomCycles(seg: Segmented, ranges: Range[], ctx: AnalyzeContext): { cycles: number; ceilingBytes: number } | null {
  const o = ctx.options;
  const ceilings: number[] = [];
  const durations: number[] = [];
  for (let i = ranges.length - 2; i >= 0; i--) {
    const r = ranges[i]!;
    if (!isGrowthCycle(seg, r, o)) break;
    ceilings.push(seg.v[r.to - 1]!);
    // The first range may be cut by the window; the others are whole cycles.
    if (i > 0) durations.push(seg.t[r.to - 1]! - seg.t[r.from]!);
  }
  // Two cycles at the limit are enough; without that evidence a third rules out chance restarts.
  const nearLimit = ctx.limitBytes !== undefined && Math.min(...ceilings) >= 0.85 * ctx.limitBytes;
  if (ceilings.length < (nearLimit ? 2 : 3)) return null;
  // A leak refills the same headroom at the same rate: cycles take about as long as each other.
  if (durations.length >= 2 && Math.max(...durations) > 2.5 * Math.min(...durations)) return null;
  const hi = Math.max(...ceilings);
  const lo = Math.min(...ceilings);
  if (hi > 1.15 * lo && !nearLimit) return null;
  return { cycles: ceilings.length, ceilingBytes: hi };
}

function segmentRanges(seg: Segmented): Range[] {
  return seg.starts.map((from, i) => ({ from, to: seg.starts[i + 1] ?? seg.v.length }));
}

function firstIndexAtOrAfter(t: readonly number[], bound: number, from: number, to: number): number {
  let i = from;
  while (i < to && t[i]! < bound) i++;
  return i;
}

/** Share of the buckets in [from, to) not inside a run of empty buckets at least maxGapSeconds long. */
function coverageOf(bucket: readonly number[], from: number, to: number, bucketSeconds: number, maxGapSeconds: number): number {
  const expected = bucket[to - 1]! - bucket[from]! + 1;
  let missing = 0;
  for (let i = from + 1; i < to; i++) {
    const empty = bucket[i]! - bucket[i - 1]! - 1;
    if (empty > 0 && empty * bucketSeconds >= maxGapSeconds) missing += empty;
  }
  return 1 - missing / expected;
}

function unknown(reason: string, ctx: AnalyzeContext, seg: Segmented | null): Verdict {
  return {
    kind: 'unknown',
    slope: null,
    currentBytes: seg && seg.v.length > 0 ? seg.v[seg.v.length - 1]! : null,
    hoursToLimit: null,
    reasons: [reason],
    evidence: { from: ctx.windowStart, to: ctx.now, pointsUsed: 0, restarts: seg ? Math.max(0, seg.starts.length - 1) : 0 },
  };
}

/** Floor of one series in its window → verdict. Shared by judge and the backtest. */
export function analyzeFloor(floor: Floor, ctx: AnalyzeContext): Verdict {
  const o = ctx.options;
  if (floor.v.length === 0) return unknown("too few samples in the window to form a floor", ctx, null);
  const seg = segmentFloor(floor, o.restartDropFraction);
  const ranges = segmentRanges(seg);
  const restarts = ranges.length - 1;
  const current = ranges[ranges.length - 1]!;
  const began = restarts > 0 || ctx.startsInside;
  const from = began ? firstIndexAtOrAfter(seg.t, seg.t[current.from]! + o.warmupSeconds, current.from, current.to) : current.from;
  const to = current.to;
  const n = to - from;
  const spanSeconds = n > 0 ? seg.t[to - 1]! - seg.t[from]! : 0;
  const oom = restarts >= 2 ? findOomCycles(seg, ranges, ctx) : null;
  // Cycles in the past do not make a leak once the current process has stayed flat for a while.
  const currentFlat = (): boolean =>
    spanSeconds >= o.minHistorySeconds && (theilSen(seg.t, seg.v, from, to)?.slope ?? 0) < 0.5 * o.minGrowthBytesPerHour;
  if (oom !== null && !currentFlat()) return oomVerdict(oom, seg, ctx);

  const since = restarts > 0 ? 'since the last restart' : ctx.startsInside ? 'since the container started' : 'in the window';
  if (spanSeconds < o.minHistorySeconds) {
    return unknown(`only ${formatHours(spanSeconds / HOUR)} of usable data ${since} (need ${formatHours(o.minHistorySeconds / HOUR)})`, ctx, seg);
  }
  const bucketSeconds = o.floorBucketSeconds;
  const coverage = coverageOf(seg.bucket, from, to, bucketSeconds, o.maxGapSeconds);
  if (coverage < o.minCoverage) {
    return unknown(`data covers only ${Math.round(100 * coverage)}% of the last ${formatHours(spanSeconds / HOUR)} (need ${Math.round(100 * o.minCoverage)}%)`, ctx, seg);
  }

  const t = seg.t.slice(from, to);
  const end = t[t.length - 1]!;
  const spans = [o.minHistorySeconds, 2 * o.minHistorySeconds, o.sustainedSeconds]
    .filter((s) => s < spanSeconds)
    .map((s) => firstIndexAtOrAfter(t, end - s, 0, t.length))
    .filter((start) => t.length - start >= 6 && end - t[start]! >= 0.9 * o.minHistorySeconds);
  spans.push(0);
  // Compare with whole days earlier only, so both ends sit at the same time of day.
  const days = Math.floor((spanSeconds + 2 * bucketSeconds) / DAY);
  const seasonal = !began && days >= 1;
  const dayStart = seasonal ? firstIndexAtOrAfter(t, end - days * DAY - bucketSeconds / 2, 0, t.length) : 0;
  if (!ctx.detail) {
    const raw: SpanInput = { t, v: seg.v.slice(from, to), limitBytes: ctx.limitBytes, options: o, givenBackBytes: 0 };
    const hopeless = spans.every((start) => cannotGrow(raw, start, t.length)) && (!seasonal || seasonalCannotGrow(raw, dayStart, t.length, bucketSeconds));
    if (hopeless) return { ...unknown('no upward trend', ctx, seg), kind: 'not-leaking' };
  }
  const v = withoutJumps(seg.v, from, to, 2);
  const input: SpanInput = { t, v, limitBytes: ctx.limitBytes, options: o, givenBackBytes: largestGiveBack(v) };
  if (began && settlingDown(input, o.minGrowthBytesPerHour)) {
    const fit = ctx.detail ? theilSen(t, v, 0, t.length) : null;
    const why = 'still settling after the start: growth has more than halved since (warm-up or cache fill)';
    return healthyVerdict({ why, fit, fromT: t[0]!, toT: end }, input, seg, ctx, n, restarts);
  }
  const order = ctx.detail ? [...new Set(spans)].sort((a, b) => a - b) : [...new Set(spans)].sort((a, b) => b - a);
  let full: SpanRejection | null = null;
  for (const start of order) {
    const result = judgeSpan(input, start, t.length);
    if (isFinding(result)) return leakVerdict(result, seg, ctx, n, restarts);
    if (start === 0) full = result;
  }
  if (seasonal) {
    const result = judgeSeasonal(input, dayStart, t.length, bucketSeconds);
    if (isFinding(result)) return leakVerdict(result, seg, ctx, n, restarts);
  }
  if (full!.ambiguous && full!.fit && restarts > 0 && grewBeforeRestart(seg, ranges, ctx, full!.fit.slope, spanSeconds)) {
    const finding: SpanFinding = { tier: 'across-restart', fit: full!.fit, fromT: full!.fromT, toT: full!.toT, hoursToLimit: null };
    return leakVerdict(finding, seg, ctx, n, restarts);
  }
  return healthyVerdict(full!, input, seg, ctx, n, restarts);
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

/**
 * Before the last restart (skipping restarts too close together to judge) the floor grew steadily
 * at about the current rate, and the two stretches together have grown for longer than a rising
 * half-day: the leak simply resumed after the restart.
 */
function grewBeforeRestart(seg: Segmented, ranges: Range[], ctx: AnalyzeContext, slope: number, currentSeconds: number): boolean {
  const o = ctx.options;
  for (let i = ranges.length - 2; i >= Math.max(0, ranges.length - 4); i--) {
    const r = ranges[i]!;
    const from = firstIndexAtOrAfter(seg.t, seg.t[r.from]! + o.warmupSeconds, r.from, r.to);
    const end = seg.t[r.to - 1]!;
    if (r.to - from < 6 || end - seg.t[from]! < o.minHistorySeconds) continue;
    // The stretch that matters is the end of that segment: the leak may have started inside it.
    for (const tail of [Infinity, o.sustainedSeconds, 2 * o.minHistorySeconds, o.minHistorySeconds]) {
      const start = firstIndexAtOrAfter(seg.t, end - tail, from, r.to);
      if (r.to - start < 6 || end - seg.t[start]! + currentSeconds < o.sustainedSeconds) continue;
      if (steadyAtRate(seg, start, r.to, slope)) return true;
    }
    return false;
  }
  return false;
}

function steadyAtRate(seg: Segmented, from: number, to: number, slope: number): boolean {
  const fit = theilSen(seg.t, seg.v, from, to);
  if (fit === null || !(fit.low > 0) || fit.slope < 0.5 * slope || fit.slope > 2 * slope) return false;
  const half = from + ((to - from) >> 1);
  const early = theilSen(seg.t, seg.v, from, half);
  const recent = theilSen(seg.t, seg.v, half, to);
  return early !== null && recent !== null && recent.slope >= 0.7 * early.slope;
}

function ciText(fit: { slope: number; low: number; high: number }): string {
  return `${formatBytesPerHour(fit.slope)} (CI ${formatBytesPerHour(fit.low, false)}–${formatBytesPerHour(fit.high, false)})`;
}

function leakVerdict(f: SpanFinding, seg: Segmented, ctx: AnalyzeContext, n: number, restarts: number): Verdict {
  const hours = (f.toT - f.fromT) / HOUR;
  const limit = f.hoursToLimit === null ? '' : `; limit reached in ~${formatHours(f.hoursToLimit)}`;
  const reasons = [`floor rose ${ciText(f.fit)} over the last ${formatHours(hours)}${limit}`, `the floor ${LEAK_TIER_TEXT[f.tier]}`];
  if (restarts > 0) reasons.push(`${restarts} restart(s) in the window; judged the history since the last one`);
  return {
    kind: 'leaking',
    slope: { bytesPerHour: f.fit.slope, low: f.fit.low, high: f.fit.high },
    currentBytes: seg.v[seg.v.length - 1]!,
    hoursToLimit: f.hoursToLimit,
    reasons,
    evidence: { from: f.fromT, to: f.toT, pointsUsed: n, restarts },
  };
}

function oomVerdict(oom: { cycles: number; ceilingBytes: number }, seg: Segmented, ctx: AnalyzeContext): Verdict {
  const restarts = seg.starts.length - 1;
  const last = seg.starts[seg.starts.length - 1]!;
  const fit = theilSen(seg.t, seg.v, last, seg.v.length);
  return {
    kind: 'leaking',
    slope: fit ? { bytesPerHour: fit.slope, low: fit.low, high: fit.high } : null,
    currentBytes: seg.v[seg.v.length - 1]!,
    hoursToLimit:
      ctx.limitBytes !== undefined && fit !== null && fit.slope > 0 ? Math.max(0, (ctx.limitBytes - seg.v[seg.v.length - 1]!) / fit.slope) : null,
    reasons: [
      `OOM-kill cycle: grew to ~${formatMiB(oom.ceilingBytes)} and restarted ${oom.cycles} times in a row`,
      `${restarts} restart(s) in the last ${formatHours((ctx.now - ctx.windowStart) / HOUR)}`,
    ],
    evidence: { from: seg.t[0]!, to: seg.t[seg.t.length - 1]!, pointsUsed: seg.v.length, restarts },
  };
}

function healthyVerdict(full: SpanRejection, input: SpanInput, seg: Segmented, ctx: AnalyzeContext, n: number, restarts: number): Verdict {
  const fit = full.fit ?? (ctx.detail ? theilSen(input.t, input.v, 0, input.t.length) : null);
  const hours = (full.toT - full.fromT) / HOUR;
  const headline = fit ? `floor trend ${ciText(fit)} over the last ${formatHours(hours)}: ${full.why}` : `floor has no upward trend over the last ${formatHours(hours)}`;
  const reasons = [headline];
  if (restarts > 0) reasons.push(`${restarts} restart(s) in the window; judged the history since the last one`);
  const hoursToLimit = fit && ctx.limitBytes !== undefined && fit.slope > 0 ? Math.max(0, (ctx.limitBytes - seg.v[seg.v.length - 1]!) / fit.slope) : null;
  return {
    kind: 'not-leaking',
    slope: fit ? { bytesPerHour: fit.slope, low: fit.low, high: fit.high } : null,
    currentBytes: seg.v[seg.v.length - 1]!,
    hoursToLimit,
    reasons,
    evidence: { from: full.fromT, to: full.toT, pointsUsed: n, restarts },
  };
}
