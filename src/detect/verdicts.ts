import { formatHours, formatMiB, formatMiBPerHour } from '../model/units.js';
import type { OomCycles } from './restarts.js';
import type { Segmented } from './segment.js';
import { theilSen } from './stats.js';
import type { SpanFinding, SpanInput, SpanRejection } from './trend.js';
import type { Verdict } from './types.js';

/** Building verdicts and the sentences people read in Events, Slack and PR bodies. */

const HOUR = 3600;

export interface VerdictContext {
  now: number;
  windowStart: number;
  limitBytes: number | undefined;
  /** Full reasons and a slope for non-leaks; the backtest only needs the kind. */
  detail: boolean;
}

const LEAK_TIER_TEXT: Record<SpanFinding['tier'], string> = {
  fast: 'grows faster than a daily load cycle could explain',
  relative: 'grew by more than a daily load cycle or noise could explain',
  straight:
    "has risen in a straighter line, for longer, than the rising half of a daily cycle can (a cycle's rise curves)",
  sustained: 'has kept growing for longer than any rising half-day',
  limit: 'is projected to reach the memory limit within the horizon',
  seasonal: 'is higher than the same time a day earlier, beyond the daily cycle',
  'across-restart': 'grew at the same rate before the last restart, and the restart did not stop it',
  'no-cycle': 'has not fallen back once in the last 20 h, so there is no daily cycle to explain the growth',
};

function ciText(fit: { slope: number; low: number; high: number }): string {
  return `${formatMiBPerHour(fit.slope)} (CI ${formatMiBPerHour(fit.low, false)}–${formatMiBPerHour(fit.high, false)})`;
}

function restartNote(restarts: number): string[] {
  return restarts > 0 ? [`${restarts} restart(s) in the window; judged the history since the last one`] : [];
}

function lastOf(seg: Segmented): number {
  return seg.v[seg.v.length - 1]!;
}

export function unknownFloorVerdict(reason: string, ctx: VerdictContext, seg: Segmented | null): Verdict {
  return {
    kind: 'unknown',
    slope: null,
    currentBytes: seg && seg.v.length > 0 ? lastOf(seg) : null,
    hoursToLimit: null,
    reasons: [reason],
    evidence: {
      from: ctx.windowStart,
      to: ctx.now,
      pointsUsed: 0,
      restarts: seg ? Math.max(0, seg.starts.length - 1) : 0,
    },
  };
}

export function leakVerdict(f: SpanFinding, seg: Segmented, n: number, restarts: number): Verdict {
  const hours = (f.toT - f.fromT) / HOUR;
  const limit = f.hoursToLimit === null ? '' : `; limit reached in ~${formatHours(f.hoursToLimit)}`;
  return {
    kind: 'leaking',
    slope: { bytesPerHour: f.fit.slope, low: f.fit.low, high: f.fit.high },
    currentBytes: lastOf(seg),
    hoursToLimit: f.hoursToLimit,
    reasons: [
      `floor rose ${ciText(f.fit)} over the last ${formatHours(hours)}${limit}`,
      `the floor ${LEAK_TIER_TEXT[f.tier]}`,
      ...restartNote(restarts),
    ],
    evidence: { from: f.fromT, to: f.toT, pointsUsed: n, restarts },
  };
}

/**
 * The catalogue lists the image's version as affected (JudgeInput.knownAffected): said beside a leak
 * or a suspected rise, never weighed in the call. Every way the catalogue lifted or relaxed the first
 * day's rules also called healthy first pods leaking on the detection bench, so a known version waits as long.
 */
export function withCatalogueNote(verdict: Verdict): Verdict {
  if (verdict.kind === 'leaking') return { ...verdict, reasons: [...verdict.reasons, CATALOGUE_TEXT.leaking] };
  if (verdict.suspected) return { ...verdict, reasons: [...verdict.reasons, CATALOGUE_TEXT.suspected] };
  return verdict;
}

const CATALOGUE_TEXT = {
  leaking: 'the known-issue catalogue lists this version as affected by a leak',
  suspected:
    'the known-issue catalogue lists this version as affected by a leak; it does not shorten the wait: the steepest hours of a large daily cycle rise the same way',
};

/**
 * A rise that grows like a leak in a series' first day, held back because nothing has yet shown
 * whether it is the rising half of a daily cycle: not leaking (no action) until more evidence comes
 * or a whole day has passed.
 */
export function suspectedVerdict(
  held: SpanRejection,
  input: SpanInput,
  seg: Segmented,
  ctx: VerdictContext,
  n: number,
  restarts: number,
): Verdict {
  const verdict = healthyVerdict(held, input, seg, ctx, n, restarts);
  if (!ctx.detail) return { ...verdict, suspected: true };
  const fit = held.fit!;
  const hours = formatHours((held.toT - held.fromT) / HOUR);
  return {
    ...verdict,
    suspected: true,
    reasons: [
      `suspected, not acted on: floor rose ${ciText(fit)} over the last ${hours} in its first day of history`,
      `a rise before a whole day has been seen may be the rising half of a daily cycle (${held.held ?? 'not yet proven otherwise'}); judged again each run until the growth proves more or the day has passed`,
      ...restartNote(restarts),
    ],
  };
}

/** Why a rise of the floor under a ceiling that has not moved is no leak. */
export function underCeilingText(c: {
  rangeBytes: number;
  levelBytes: number;
  hours: number;
  followShare: number;
}): string {
  const follows = Math.max(0, Math.round(100 * c.followShare));
  return `the floor rose under a ceiling that has stayed at ~${formatMiB(c.levelBytes)} for ${formatHours(c.hours)}, following ${follows}% of the floor's moves and within ${formatMiB(c.rangeBytes)} apart from them: memory wandering below a fixed cap, which a leak would lift`;
}

export function oomVerdict(oom: OomCycles, seg: Segmented, ctx: VerdictContext): Verdict {
  const restarts = seg.starts.length - 1;
  const last = seg.starts[seg.starts.length - 1]!;
  const fit = theilSen(seg.t, seg.v, last, seg.v.length);
  const growing = ctx.limitBytes !== undefined && fit !== null && fit.slope > 0;
  return {
    kind: 'leaking',
    slope: fit ? { bytesPerHour: fit.slope, low: fit.low, high: fit.high } : null,
    currentBytes: lastOf(seg),
    hoursToLimit: growing ? Math.max(0, (ctx.limitBytes! - lastOf(seg)) / fit.slope) : null,
    reasons: [
      `OOM-kill cycle: grew to ~${formatMiB(oom.ceilingBytes)} and restarted ${oom.cycles} times in a row`,
      `${restarts} restart(s) in the last ${formatHours((ctx.now - ctx.windowStart) / HOUR)}`,
    ],
    evidence: { from: seg.t[0]!, to: seg.t[seg.t.length - 1]!, pointsUsed: seg.v.length, restarts },
  };
}

export function healthyVerdict(
  full: SpanRejection,
  input: SpanInput,
  seg: Segmented,
  ctx: VerdictContext,
  n: number,
  restarts: number,
): Verdict {
  const fit = full.fit ?? (ctx.detail ? theilSen(input.t, input.v, 0, input.t.length) : null);
  const hours = formatHours((full.toT - full.fromT) / HOUR);
  const headline = fit
    ? `floor trend ${ciText(fit)} over the last ${hours}: ${full.why}`
    : `floor has no upward trend over the last ${hours}`;
  const growing = fit !== null && ctx.limitBytes !== undefined && fit.slope > 0;
  return {
    kind: 'not-leaking',
    slope: fit ? { bytesPerHour: fit.slope, low: fit.low, high: fit.high } : null,
    currentBytes: lastOf(seg),
    hoursToLimit: growing ? Math.max(0, (ctx.limitBytes! - lastOf(seg)) / fit.slope) : null,
    reasons: [headline, ...restartNote(restarts)],
    evidence: { from: full.fromT, to: full.toT, pointsUsed: n, restarts },
  };
}
