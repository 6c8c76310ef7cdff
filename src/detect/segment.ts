import { selectKth } from './stats.js';
import type { Floor } from './floor.js';

const MIB = 1024 * 1024;
/** Drops smaller than this are noise, whatever their fraction. */
const MIN_RESTART_DROP_BYTES = 8 * MIB;

/** The floor cut at restarts, with single-bucket dips removed. */
export interface Segmented {
  t: number[];
  v: number[];
  bucket: number[];
  /** Index of the first point of each segment; starts[0] === 0. */
  starts: number[];
}

function isDrop(from: number, to: number, fraction: number): boolean {
  return from - to >= Math.max(fraction * from, MIN_RESTART_DROP_BYTES);
}

/**
 * A restart shows as a floor drop that does not recover at once: the bucket after it is still
 * clearly lower (a new process warms up). A drop lasting a
 * single bucket is a dip in the data (a glitch or a short-lived release) and is dropped, so one
 * bad scrape cannot erase the history.
 */
export function segmentFloor(floor: Floor, dropFraction: number): Segmented {
  const out: Segmented = { t: [], v: [], bucket: [], starts: [0] };
  const n = floor.v.length;
  for (let k = 0; k < n; k++) {
    const v = floor.v[k]!;
    const m = out.v.length;
    if (m > 0) {
      // Against the lower of the last two buckets (in this segment), so a slow sawtooth whose
      // troughs fall in every other bucket does not pass for a string of restarts.
      const lastStart = out.starts[out.starts.length - 1]!;
      const prev = m - 2 >= lastStart ? Math.min(out.v[m - 1]!, out.v[m - 2]!) : out.v[m - 1]!;
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

/**
 * Removes the few largest upward steps (up to `maxJumps`) and returns the floor as if they had
 * not happened. A step is a rise over one or two buckets (a step can land inside a bucket) that
 * stands out from the usual change and from the buckets on either side of it: one or two steps
 * (a new CR type watched, a relist) then leave a flat line, a staircase of many steps keeps
 * rising, and a steady ramp has no isolated step to remove.
 */
export function withoutJumps(v: readonly number[], from: number, to: number, maxJumps: number): number[] {
  const n = to - from;
  const out = v.slice(from, to);
  if (n < 4) return out;
  const m = n - 1;
  const diffs = new Float64Array(m);
  for (let i = 1; i < n; i++) diffs[i - 1] = out[i]! - out[i - 1]!;
  const work = Float64Array.from(diffs);
  const mid = selectKth(work, m, m >> 1);
  for (let i = 0; i < m; i++) work[i] = Math.abs(diffs[i]! - mid);
  const spread = selectKth(work, m, m >> 1) * 1.4826;
  const threshold = Math.max(4 * spread, 0.02 * out[n - 1]!, 4 * MIB);
  // Only upward steps: removing a drop without its recovery would invent growth.
  for (let j = 0; j < maxJumps; j++) {
    let bestAt = -1;
    let bestLength = 0;
    let bestRise = 0;
    for (let i = 0; i < m; i++) {
      for (let length = 1; length <= 2 && i + length <= m; length++) {
        const rise = length === 1 ? diffs[i]! : diffs[i]! + diffs[i + 1]!;
        if (rise - mid * length <= threshold || rise <= bestRise) continue;
        const left = i > 0 ? diffs[i - 1]! : 0;
        const right = i + length < m ? diffs[i + length]! : 0;
        // A neighbour that also stands out (beyond noise) makes this part of a ramp, not a step.
        if (Math.max(left, right) - mid >= Math.max(rise / 4, 3 * spread)) continue;
        bestAt = i;
        bestLength = length;
        bestRise = rise;
      }
    }
    if (bestAt < 0) break;
    for (let k = bestAt; k < bestAt + bestLength; k++) diffs[k] = mid;
  }
  for (let i = 1; i < n; i++) out[i] = out[i - 1]! + diffs[i - 1]!;
  return out;
}
