/**
 * What a workload's earlier pods teach about the current one. Every new pod starts
 * without history; its predecessors do not. Two lessons are drawn from their floors, each taken
 * only from data before the current pod started:
 * - the workload's daily profile (daily-profile.ts): amplitude and phase of the floor's daily cycle, fitted across
 *   pods after removing each pod's warm-up, level and trend. A rise of the current pod that this
 *   cycle explains (without it, no leak and little growth left) is not a leak.
 * - the most recent predecessors of the same pod template (no rollout between them) that were
 *   themselves judged leaking, with their growth at each pod age. A current pod that has grown for at least FOLLOW_SECONDS since its warm-up, steadily,
 *   at about the rate its leaking predecessor grew at the same age, is leaking sooner.
 * History only ever vetoes a leak or confirms one the current pod shows; a workload without a
 * usable past is judged exactly as a lone pod.
 */
import { analyzeFloor, type AnalyzeContext } from './analyze.js';
import type { SampleColumns } from './columns.js';
import { firstAtOrAfter, floorInWindow, type Floor } from './floor.js';
import { formatHours, formatMiB, formatMiBPerHour } from '../model/units.js';
import { prepareJudgement, resolveOptions } from './judge.js';
import { segmentFloor } from './segment.js';
import { theilSen } from './stats.js';
import type { DetectOptions, JudgeInput, ResolvedDetectOptions, Verdict } from './types.js';
import { explainedByWarmup, risesBeyondWarmup } from './warmup.js';
import {
  PROFILE_MIN_HOURS_OF_DAY,
  cycleExplains,
  dailyProfile,
  deseasoned,
  explainedByCycle,
  hoursCovered,
  type DailyProfile,
} from './daily-profile.js';

const HOUR = 3600;

/** The current pod's own growth needed before its predecessors' leak counts: an hour and a half after its warm-up. */
export const FOLLOW_SECONDS = 1.5 * HOUR;
/** Earlier pods learnt from (those with the most recent data): a week of churn, while a DaemonSet of many nodes stays cheap. */
const MAX_EARLIER = 24;
/** Leaking predecessors quoted, newest first. */
const MAX_LEAKS = 5;
/** Earlier pods that must have been watched up to the current pod's age before its growth can be beyond anything they showed... */
const MIN_SHOWN = 3;
/** ...and how many times their largest move at that age it must rise. */
const BEYOND_FACTOR = 2;

/** One earlier pod's floor after its warm-up (daily profile removed), and when it started. */
export interface PodFloor {
  start: number;
  t: number[];
  v: number[];
}

export interface WorkloadPast {
  profile: DailyProfile | null;
  /**
   * The earlier pods with the most recent data that were judged leaking, up to the first judged not leaking
   * (too young to judge, or of another pod template: skipped).
   */
  leaks: PodFloor[];
  /** Every earlier pod learnt from (leaking or not), most recent data first: what the workload showed at each pod age. */
  shown: PodFloor[];
  /** Hours of the day (UTC, 0–24) the earlier pods' floors cover after their warm-up: with a full day and no profile, the workload has no daily cycle to speak of. */
  hoursOfDay: number;
}

/** One pod of a workload: its samples, sorted by time, and its container's limit. */
export interface PodHistory {
  samples: SampleColumns;
  limitBytes?: number;
  /** The pod template it runs (a Deployment's pod-template-hash); null or absent when unknown. */
  template?: string | null;
}

/** Both pods' templates are known and differ: a rollout lies between them (a new image, new settings). */
function otherTemplate(a: PodHistory, b: PodHistory): boolean {
  const [x, y] = [a.template ?? null, b.template ?? null];
  return x !== null && y !== null && x !== y;
}
/** The floor of a pod's samples [0, to) from its start, the last bucket left out when cut to less than half by `now`. */
export function lifeFloor(samples: SampleColumns, to: number, now: number, bucketSeconds: number): Floor {
  return floorInWindow(samples, 0, to, -Infinity, now, bucketSeconds);
}

/**
 * The past of each pod of one workload (in input order): learnt from the pods that started before
 * it, with only their samples from before it started. Null when nothing useful is known.
 */
export function workloadPasts(pods: readonly PodHistory[], detectOptions: DetectOptions): (WorkloadPast | null)[] {
  const o = resolveOptions(detectOptions);
  const start = pods.map((p) => (p.samples.t.length > 0 ? p.samples.t[0]! : Infinity));
  const order = pods
    .map((_, i) => i)
    .filter((i) => Number.isFinite(start[i]!))
    .sort((a, b) => start[a]! - start[b]! || a - b);
  const pasts: (WorkloadPast | null)[] = pods.map(() => null);
  /** The verdict on pod k cut before index `to`, at its last sample there (with its own past). */
  const verdicts = new Map<string, Verdict['kind']>();
  const kindAt = (k: number, to: number): Verdict['kind'] => {
    const key = `${k}:${to}`;
    let known = verdicts.get(key);
    if (known === undefined) {
      const { t, v } = pods[k]!.samples;
      const samples = { t: t.subarray(0, to), v: v.subarray(0, to) };
      const limit = pods[k]!.limitBytes;
      known = judgeWithPast(
        { samples, now: t[to - 1]!, ...(limit === undefined ? {} : { limitBytes: limit }) },
        pasts[k] ?? null,
        o,
      ).kind;
      verdicts.set(key, known);
    }
    return known;
  };
  for (const j of order) {
    // The earlier pods with the most recent data first (predecessors just replaced, siblings still
    // running), the longest-lived first among those; a bounded number of them.
    const earlier = order
      .filter((k) => start[k]! < start[j]!)
      .map((k) => ({ k, cut: firstAtOrAfter(pods[k]!.samples.t, start[j]!) }))
      .map((e) => ({ ...e, end: pods[e.k]!.samples.t[e.cut - 1]! }))
      .sort((a, b) => b.end - a.end || start[a.k]! - start[b.k]!)
      .slice(0, MAX_EARLIER);
    if (earlier.length === 0) continue;
    const floors = earlier.map((e) => ({
      start: start[e.k]!,
      floor: lifeFloor(pods[e.k]!.samples, e.cut, start[j]!, o.floorBucketSeconds),
    }));
    const profile = dailyProfile(floors, o);
    // Each earlier pod's floor after its warm-up, with the daily cycle taken out.
    const shown: PodFloor[] = floors.map(({ start: podStart, floor }) => {
      const f = deseasoned(floor, profile);
      const from = firstAtOrAfter(f.t, podStart + o.warmupSeconds);
      return { start: podStart, t: f.t.slice(from), v: f.v.slice(from) };
    });
    const leaks: PodFloor[] = [];
    for (let n = 0; n < earlier.length && leaks.length < MAX_LEAKS; n++) {
      // A pod of another template (before a rollout: the fix, or the version that brought the leak)
      // says nothing about how this version behaves, and neither does a pod too young to judge.
      if (otherTemplate(pods[earlier[n]!.k]!, pods[j]!)) continue;
      const kind = kindAt(earlier[n]!.k, earlier[n]!.cut);
      if (kind === 'unknown') continue;
      if (kind !== 'leaking') break;
      leaks.push(shown[n]!);
    }
    pasts[j] = { profile, leaks, shown, hoursOfDay: hoursCovered(floors, o) };
  }
  return pasts;
}

/** `judge`, with what the workload's earlier pods teach; without a past, exactly `judge`. */
export function judgeWithPast(input: JudgeInput, past: WorkloadPast | null, detectOptions: DetectOptions): Verdict {
  const j = prepareJudgement(input, detectOptions);
  if (past === null || j.floor === null || j.ctx === null) return j.verdict;
  const { samples, to } = j;
  const ctx = j.ctx;
  return applyPast(
    j.verdict,
    j.floor,
    ctx,
    () => lifeFloor(samples, to, ctx.now, ctx.options.floorBucketSeconds),
    samples.t[0]!,
    past,
  );
}

/**
 * The verdict on the window's floor, revised with the workload's past: a leak the daily profile
 * explains is vetoed; a pod that grows as its leaking predecessors grew is leaking. `life` gives
 * the pod's floor since its first sample at `podStart` (asked for only when needed).
 */
export function applyPast(
  verdict: Verdict,
  floor: Floor,
  given: AnalyzeContext,
  life: () => Floor,
  podStart: number,
  past: WorkloadPast,
): Verdict {
  let ctx = given;
  // Earlier pods that covered a whole day have shown what a day of this workload looks like (its
  // cycle, if any, is in the profile): the pod's own first day is no longer a blind spot.
  if (verdict.suspected && (past.profile !== null || past.hoursOfDay >= PROFILE_MIN_HOURS_OF_DAY)) {
    ctx = { ...given, dayKnown: true };
    verdict = analyzeFloor(floor, ctx);
  }
  if (verdict.kind === 'leaking') {
    if (past.profile === null) return verdict;
    const without = deseasoned(floor, past.profile);
    const again = analyzeFloor(without, ctx);
    if (again.kind === 'leaking' || !cycleExplains(verdict, without, ctx.options)) return verdict;
    return explainedByCycle(verdict, again, past.profile, ctx);
  }
  if ((past.leaks.length === 0 && past.shown.length < MIN_SHOWN) || ctx.now - podStart > ctx.options.windowSeconds)
    return verdict;
  const own = ownGrowth(life(), podStart, past, ctx.options);
  if (own === null) return verdict;
  return followsPredecessors(own, past, ctx) ?? beyondShown(own, past, ctx) ?? verdict;
}
/** Growth (Theil–Sen) of a leaking predecessor over the same ages as the current pod's evidence, or over its whole life if shorter. */
function rateAtAge(p: PodFloor, ageSeconds: number, o: ResolvedDetectOptions): number | null {
  const end = firstAtOrAfter(p.t, p.start + Math.max(ageSeconds, o.warmupSeconds + FOLLOW_SECONDS) + 1);
  const to = end >= 6 ? end : p.t.length;
  const fit = theilSen(p.t, p.v, 0, to);
  return fit !== null && fit.low > 0 && fit.slope >= o.minGrowthBytesPerHour ? fit.slope : null;
}

/** The current pod's own growth since its warm-up (daily cycle taken out), the evidence any lesson of the past needs. */
interface OwnGrowth {
  podStart: number;
  /** Its floor since its first sample; growth measured on points [from, t.length). */
  t: readonly number[];
  v: readonly number[];
  from: number;
  spanSeconds: number;
  fit: { slope: number; low: number; high: number };
  /** Newest floor point as measured (cycle not taken out). */
  lastBytes: number;
  /** The floor as measured (which rises significantly by half of minGrowth, or there is no own growth) rises by minGrowth. */
  measuredRise: boolean;
}

/**
 * The current pod's growth since its warm-up, or null when it has none to show: at least
 * FOLLOW_SECONDS of floor, mostly covered, without a restart, rising significantly by at least
 * minGrowth with the daily cycle taken out (and by half of it as measured), not slowing down
 * (recent half ≥ 0.7× the early half) and not better fitted by a warm-up curve. Without it, the
 * past changes nothing.
 */
function ownGrowth(life: Floor, podStart: number, past: WorkloadPast, o: ResolvedDetectOptions): OwnGrowth | null {
  const seg = segmentFloor(deseasoned(life, past.profile), o.restartDropFraction);
  if (seg.starts.length > 1) return null;
  const { t, v } = seg;
  const n = t.length;
  const from = firstAtOrAfter(t, podStart + o.warmupSeconds);
  const spanSeconds = n > from ? t[n - 1]! - t[from]! : 0;
  if (n - from < 6 || spanSeconds < FOLLOW_SECONDS || n - from < 0.8 * (spanSeconds / o.floorBucketSeconds + 1))
    return null;
  const fit = theilSen(t, v, from, n);
  if (fit === null || !(fit.low > 0) || fit.slope < o.minGrowthBytesPerHour) return null;
  // A leak keeps its pace; a warm-up or cache fill slows down.
  const half = from + ((n - from) >> 1);
  const early = theilSen(t, v, from, half);
  const recent = theilSen(t, v, half, n);
  if (early === null || recent === null || recent.slope < 0.7 * early.slope) return null;
  if (explainedByWarmup(t, v, from, n, podStart)) return null;
  const rawFrom = firstAtOrAfter(life.t, podStart + o.warmupSeconds);
  const raw = theilSen(life.t, life.v, rawFrom, life.t.length);
  // Evidence of its own: the floor as measured rises too, not only once a cycle is taken out of it
  // (a pod without the workload's cycle would gain one on the falling half).
  if (raw === null || !(raw.low > 0) || raw.slope < 0.5 * o.minGrowthBytesPerHour) return null;
  const measuredRise = raw.slope >= o.minGrowthBytesPerHour;
  return {
    measuredRise,
    podStart,
    t,
    v,
    from,
    spanSeconds,
    fit: { slope: fit.slope, low: fit.low, high: fit.high },
    lastBytes: life.v[life.v.length - 1]!,
  };
}

/** A leak verdict on the pod's own growth; `why` says what the past contributed. */
function pastLeak(own: OwnGrowth, ctx: AnalyzeContext, why: () => string): Verdict {
  const { fit, t, from } = own;
  const n = t.length;
  const hoursToLimit = ctx.limitBytes !== undefined ? Math.max(0, (ctx.limitBytes - own.lastBytes) / fit.slope) : null;
  const slope = { bytesPerHour: fit.slope, low: fit.low, high: fit.high };
  const evidence = { from: t[from]!, to: t[n - 1]!, pointsUsed: n - from, restarts: 0 };
  if (!ctx.detail) return { kind: 'leaking', slope, currentBytes: own.lastBytes, hoursToLimit, reasons: [], evidence };
  const limit = hoursToLimit === null ? '' : `; limit reached in ~${formatHours(hoursToLimit)}`;
  return {
    kind: 'leaking',
    slope,
    currentBytes: own.lastBytes,
    hoursToLimit,
    reasons: [
      `floor rose ${formatMiBPerHour(fit.slope)} (CI ${formatMiBPerHour(fit.low, false)}–${formatMiBPerHour(fit.high, false)}) over the ${formatHours(own.spanSeconds / HOUR)} since its warm-up${limit}`,
      why(),
    ],
    evidence,
  };
}

/** Growth that follows the newest leaking predecessor's (0.5–2× its rate at the same age) is a leak. */
function followsPredecessors(own: OwnGrowth, past: WorkloadPast, ctx: AnalyzeContext): Verdict | null {
  const age = ctx.now - own.podStart;
  const rates: number[] = [];
  for (const p of past.leaks) {
    const rate = rateAtAge(p, age, ctx.options);
    if (rate === null) break;
    rates.push(rate);
  }
  const { slope } = own.fit;
  if (rates.length === 0 || slope < 0.5 * rates[0]! || slope > 2 * rates[0]!) return null;
  return pastLeak(own, ctx, () => {
    const lo = Math.min(...rates);
    const hi = Math.max(...rates);
    const range = rates.length === 1 ? formatMiBPerHour(lo) : `${formatMiBPerHour(lo, false)}–${formatMiBPerHour(hi)}`;
    return `the ${rates.length === 1 ? 'previous pod' : `${rates.length} previous pods`} of this workload leaked, growing ${range} from start; this one ${formatMiBPerHour(slope)} over ${formatHours(own.spanSeconds / HOUR)}`;
  });
}

/**
 * The largest move (highest minus lowest floor, daily cycle taken out) of each earlier pod between
 * its warm-up and `ageSeconds`, for the pods watched that long; most recent data first.
 */
function movesAtAge(shown: readonly PodFloor[], ageSeconds: number, bucketSeconds: number): number[] {
  const moves: number[] = [];
  for (const p of shown) {
    const n = p.t.length;
    if (n < 6 || p.t[n - 1]! < p.start + ageSeconds - bucketSeconds) continue;
    const to = firstAtOrAfter(p.t, p.start + ageSeconds + 1);
    let lo = Infinity,
      hi = -Infinity;
    for (let i = 0; i < to; i++) {
      lo = Math.min(lo, p.v[i]!);
      hi = Math.max(hi, p.v[i]!);
    }
    moves.push(hi - lo);
  }
  return moves;
}

/**
 * Growth beyond anything the workload showed at that age counts as evidence: when the earlier pods
 * cover a whole day (their daily cycle, if any, is known and taken out), at least MIN_SHOWN of them
 * were watched up to the current pod's age, and its steady rise since its
 * warm-up is more than BEYOND_FACTOR times the largest move any of them made over the same ages
 * (their warm-ups, cycles and noise), it is no warm-up or load this workload is known for.
 */
function beyondShown(own: OwnGrowth, past: WorkloadPast, ctx: AnalyzeContext): Verdict | null {
  // A daily cycle not yet seen in full could be what moves this pod and not the earlier ones.
  if (past.profile === null && past.hoursOfDay < PROFILE_MIN_HOURS_OF_DAY) return null;
  const age = ctx.now - own.podStart;
  const moves = movesAtAge(past.shown, age, ctx.options.floorBucketSeconds);
  if (moves.length < MIN_SHOWN) return null;
  // A rise of minGrowth as measured, too, measured tightly (not a warm-up's fast start, whose
  // interval is wide), beyond the earlier pods' moves and beyond what a misfit of the daily cycle
  // (a quarter of it) could leave.
  if (!own.measuredRise || own.fit.low < 0.5 * own.fit.slope) return null;
  const rise = (own.fit.slope * own.spanSeconds) / HOUR;
  const largest = Math.max(...moves);
  if (!(rise > BEYOND_FACTOR * largest) || (past.profile !== null && rise < 0.25 * past.profile.peakToPeakBytes))
    return null;
  // A warm-up bigger or slower than the earlier pods' (a new version's cache, a pod that drew a bigger
  // share) rises beyond them too: only a rise that a warm-up curve from the start, its first minutes
  // included, cannot explain is more (bench seeds 16, 20, 25: fills of τ ≈ 1 h, called 2.2–2.7 h in).
  if (!risesBeyondWarmup(own.t, own.v, 0, own.t.length, own.podStart)) return null;
  return pastLeak(
    own,
    ctx,
    () =>
      `it rose ${formatMiB(rise)} in its first ${formatHours(age / HOUR)}; the ${moves.length} earlier pods of this workload moved at most ${formatMiB(largest)} at that age`,
  );
}
