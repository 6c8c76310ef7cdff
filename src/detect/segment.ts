import { Scratch } from './scratch.js';
import { selectKth } from './stats.js';
import type { Floor } from './floor.js';
import { MIB } from '../model/units.js';

/** Drops smaller than this are noise, whatever their fraction. */
const MIN_RESTART_DROP_BYTES = 8 * MIB;

/** The floor cut at restarts, with single-bucket dips removed (the floor's own columns when nothing was). */
export interface Segmented {
  readonly t: readonly number[];
  readonly v: readonly number[];
  readonly bucket: readonly number[];
  /** Index of the first point of each segment; starts[0] === 0. */
  starts: number[];
}

/**
 * Math.min of two levels, NaN if either is (±0 aside, which no drop tells apart). Math.min and Math.max of
 * fractional numbers box them on every call without TurboFan (--no-opt): slow, and garbage per bucket.
 */
function lower(a: number, b: number): number {
  return a < b || a !== a ? a : b;
}

function isDrop(from: number, to: number, fraction: number): boolean {
  const drop = from - to;
  // Both bars rather than Math.max of them: see lower.
  return drop >= fraction * from && drop >= MIN_RESTART_DROP_BYTES;
}

/**
 * A restart shows as a floor drop that does not recover at once: the bucket after it is still
 * clearly lower (a new process warms up). A drop lasting a
 * single bucket is a dip in the data (a glitch or a short-lived release) and is dropped, so one
 * bad scrape cannot erase the history.
 */
export function segmentFloor(floor: Floor, dropFraction: number): Segmented {
  // Usually no bucket drops: the floor is one segment as it is, shared rather than copied.
  if (!hasDrop(floor.v, dropFraction))
    return { t: floor.t, v: floor.v, bucket: floor.bucket, starts: floor.v.length > 0 ? [0] : [] };
  const out = { t: [] as number[], v: [] as number[], bucket: [] as number[], starts: [0] };
  const n = floor.v.length;
  for (let k = 0; k < n; k++) {
    const v = floor.v[k]!;
    const m = out.v.length;
    if (m > 0) {
      // Against the lower of the last two buckets (in this segment), so a slow sawtooth whose
      // troughs fall in every other bucket does not pass for a string of restarts.
      const lastStart = out.starts[out.starts.length - 1]!;
      const prev = m - 2 >= lastStart ? lower(out.v[m - 1]!, out.v[m - 2]!) : out.v[m - 1]!;
      if (isDrop(prev, v, dropFraction)) {
        const next = floor.v[k + 1];
        // Back to where it was at once: a dip in the data, not a new process warming up.
        if (next !== undefined && next >= prev * (1 - dropFraction / 4)) continue;
        if (out.starts.length > 1 && out.starts[out.starts.length - 1] === m - 1) {
          // Still falling right after a restart: the previous bucket was the transition.
          out.t.pop();
          out.v.pop();
          out.bucket.pop();
          out.starts[out.starts.length - 1] = m - 1;
        } else out.starts.push(m);
      }
    }
    out.t.push(floor.t[k]!);
    out.v.push(v);
    out.bucket.push(floor.bucket[k]!);
  }
  if (out.v.length === 0) out.starts = [];
  return out;
}

/** Some bucket drops like a restart below the lower of the two before it: segmentFloor would cut or remove it. */
function hasDrop(v: readonly number[], dropFraction: number): boolean {
  for (let k = 1; k < v.length; k++) {
    const prev = k >= 2 ? lower(v[k - 1]!, v[k - 2]!) : v[k - 1]!;
    if (isDrop(prev, v[k]!, dropFraction)) return true;
  }
  return false;
}

/** Isolated upward steps found in a stretch of floor, and the floor as if they had not happened. */
export interface Jumps {
  /** The floor with the steps removed. */
  v: number[];
  /** Index (into the input) of the first bucket after each step, ascending. */
  at: number[];
}

/**
 * Removes the few largest upward steps (up to `maxJumps`) and returns the floor as if they had
 * not happened. A step is a rise over one to four buckets (a relist can take most of an hour) that
 * stands out from the usual change and from the buckets on either side of it: one or two steps
 * (a new CR type watched, a relist) then leave a flat line, a staircase of many steps keeps
 * rising, and a steady ramp has no isolated step to remove.
 */
export function withoutJumps(
  v: readonly number[],
  from: number,
  to: number,
  maxJumps: number,
  search?: JumpSearch,
): number[] {
  return findJumps(v, from, to, maxJumps, search).v;
}

/** The usual change of the floor from one bucket to the next: median and robust spread. */
export interface UsualChange {
  mid: number;
  spread: number;
}

/** usualChange's changes; findJumps' changes and the buckets each spans. */
const changeScratch = new Scratch(128);
const jumpDiffScratch = new Scratch(128);
const jumpSpanScratch = new Scratch(128);

export function usualChange(v: readonly number[], from: number, to: number, bucket?: readonly number[]): UsualChange {
  const m = to - from - 1;
  if (m < 1) return { mid: 0, spread: 0 };
  const diffs = changeScratch.take(m);
  for (let i = 0; i < m; i++) diffs[i] = (v[from + i + 1]! - v[from + i]!) / bucketsBetween(bucket, from + i);
  const mid = selectKth(diffs, m, m >> 1);
  for (let i = 0; i < m; i++) diffs[i] = Math.abs(diffs[i]! - mid);
  return { mid, spread: selectKth(diffs, m, m >> 1) * 1.4826 };
}

/** Buckets from point i to point i + 1: more than one across a hole in the data. */
function bucketsBetween(bucket: readonly number[] | undefined, i: number): number {
  if (bucket === undefined) return 1;
  // Not Math.max: see lower.
  const buckets = bucket[i + 1]! - bucket[i]!;
  return buckets > 1 ? buckets : 1;
}

/** How findJumps looks for steps. */
export interface JumpSearch {
  /** The usual change of [from, to) to measure steps against, if already computed (usualChange). */
  usual?: UsualChange;
  /**
   * Bucket number of each point of v (Floor.bucket): a rise across a hole in the data is measured
   * against the usual change over every bucket the hole spans, since a leak keeps growing while
   * nothing is scraped. @default consecutive buckets
   */
  bucket?: readonly number[];
  /**
   * Buckets a step may take. @default 2. Steps over more (a relist can take most of an hour) count
   * only with a flat bucket on both sides: until then they are the start of a ramp as much as a step.
   */
  maxBuckets?: number;
  /**
   * The floor beside a step must be flat, not merely rising at its usual pace: under a rising
   * floor a burst is part of the growth, not an event apart from it. @default false
   */
  flatBeside?: boolean;
}

/** withoutJumps, also saying where the steps were. */
export function findJumps(
  v: readonly number[],
  from: number,
  to: number,
  maxJumps: number,
  search: JumpSearch = {},
): Jumps {
  const { maxBuckets = 2, flatBeside = false } = search;
  const n = to - from;
  const out = v.slice(from, to);
  const at: number[] = [];
  if (n < 4) return { v: out, at };
  const m = n - 1;
  const diffs = jumpDiffScratch.take(m);
  for (let i = 1; i < n; i++) diffs[i - 1] = out[i]! - out[i - 1]!;
  // Buckets each diff spans: more than one across a hole in the data.
  const spans = jumpSpanScratch.take(m);
  for (let i = 0; i < m; i++) spans[i] = bucketsBetween(search.bucket, from + i);
  const { mid, spread } = search.usual ?? usualChange(v, from, to, search.bucket);
  const threshold = Math.max(4 * spread, 0.02 * out[n - 1]!, 4 * MIB);
  // Only upward steps: removing a drop without its recovery would invent growth.
  for (let j = 0; j < maxJumps; j++) {
    let bestAt = -1;
    let bestLength = 0;
    let bestRise = 0;
    for (let i = 0; i < m; i++) {
      let rise = 0;
      let buckets = 0;
      for (let length = 1; length <= maxBuckets && i + length <= m; length++) {
        rise += diffs[i + length - 1]!;
        buckets += spans[i + length - 1]!;
        if (rise - mid * buckets <= threshold || rise <= bestRise) continue;
        // A slow step is told from the start of a ramp only once the floor is flat after it.
        if (length > 2 && (i < 1 || i + length >= m)) continue;
        const before = i > 0 ? diffs[i - 1]! - mid * spans[i - 1]! : -mid;
        const after = i + length < m ? diffs[i + length]! - mid * spans[i + length]! : -mid;
        // The neighbour's change beyond the usual (its own change, with flatBeside).
        const beyond = Math.max(before, after);
        // A neighbour that also stands out (beyond noise) makes this part of a ramp, not a step:
        // beside a slow step the floor must be flatter than a quarter of the step's own pace.
        const bar = length <= 2 ? rise / 4 : (rise - mid * buckets) / (4 * length);
        if ((flatBeside ? Math.max(beyond + mid, beyond) : beyond) >= Math.max(bar, 3 * spread)) continue;
        bestAt = i;
        bestLength = length;
        bestRise = rise;
      }
    }
    if (bestAt < 0) break;
    for (let k = bestAt; k < bestAt + bestLength; k++) diffs[k] = mid * spans[k]!;
    at.push(from + bestAt + bestLength);
  }
  for (let i = 1; i < n; i++) out[i] = out[i - 1]! + diffs[i - 1]!;
  // Most floors have no step: a sort (its copy, its comparator) for nothing.
  return { v: out, at: at.length > 1 ? at.sort((a, b) => a - b) : at };
}
