import type { Segmented } from './segment.js';
import { theilSen } from './stats.js';
import type { ResolvedDetectOptions } from './types.js';
import { MIB } from '../model/units.js';

/**
 * Evidence that spans restarts: OOM-kill cycles, and a leak that resumes after a restart. Each
 * segment is a range of the segmented floor between two restarts.
 */
export interface Range {
  from: number;
  to: number;
}

export function segmentRanges(seg: Segmented): Range[] {
  return seg.starts.map((from, i) => ({ from, to: seg.starts[i + 1] ?? seg.v.length }));
}

export function firstIndexAtOrAfter(t: readonly number[], bound: number, from: number, to: number): number {
  let i = from;
  while (i < to && t[i]! < bound) i++;
  return i;
}

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

export interface OomCycles {
  cycles: number;
  ceilingBytes: number;
}

/**
 * OOM-kill cycles: the completed segments before the current one each grew until a drop, up to
 * about the same ceiling (the limit). Such cycles in a row are a leak even when each is shorter
 * than the history a single segment needs.
 */
export function findOomCycles(
  seg: Segmented,
  ranges: Range[],
  o: ResolvedDetectOptions,
  limitBytes: number | undefined,
): OomCycles | null {
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
  const nearLimit = limitBytes !== undefined && Math.min(...ceilings) >= 0.85 * limitBytes;
  if (ceilings.length < (nearLimit ? 2 : 3)) return null;
  // A leak refills the same headroom at the same rate: cycles take about as long as each other.
  if (durations.length >= 2 && Math.max(...durations) > 2.5 * Math.min(...durations)) return null;
  const hi = Math.max(...ceilings);
  const lo = Math.min(...ceilings);
  if (hi > 1.15 * lo && !nearLimit) return null;
  return { cycles: ceilings.length, ceilingBytes: hi };
}

/**
 * Before the last restart (skipping restarts too close together to judge) the floor grew steadily
 * at about the current rate, and the two stretches together have grown for longer than a rising
 * half-day: the leak simply resumed after the restart.
 */
export function grewBeforeRestart(
  seg: Segmented,
  ranges: Range[],
  o: ResolvedDetectOptions,
  slope: number,
  currentSeconds: number,
): boolean {
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
