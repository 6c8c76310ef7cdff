import type { Floor } from './floor.js';
import { median } from './stats.js';
import type { ResolvedDetectOptions } from './types.js';

const HOUR = 3600;

/**
 * The ceiling may follow at most this share of the floor's moves for the floor to be moving under a
 * fixed ceiling. A leak holds what it took, so it lifts the ceiling as much as the floor (share ~1,
 * more when the GC's headroom grows with the heap); under a fixed cap the bucket's high quantile
 * only leans a little towards the floor beneath it (share ~0.1–0.2).
 */
const CEILING_SHARE_OF_FLOOR = 0.5;
/**
 * ...and, apart from what it follows of the floor, may move by at most this share of its level and
 * by at most this share of the floor's claimed rise: a ceiling that moves on its own is no fixed cap.
 */
const CEILING_STILL_FRACTION = 0.05;
const CEILING_SHARE_OF_RISE = 0.5;
/**
 * The ceiling's range is read between the hours at this share from either end of its sorted values (the
 * 10th and 90th percentiles of 24 hourly values): each hour's ceiling is the median of a few buckets'
 * high quantiles, and in a deep dip of the floor one or two hours of it lean further towards the floor
 * than the share it follows (bench seed 20, fixedCeiling: 595 and 610 MiB among hours of 633–662 MiB,
 * while the floor climbed from 220 to 460 MiB; called leaking at 61 h). A cap that moved shows in
 * more hours than that.
 */
const STRAY_HOURS = 0.1;

export interface CeilingHeld {
  /** Range of the hourly ceiling once what it follows of the floor is taken out (stray hours left out), bytes. */
  rangeBytes: number;
  levelBytes: number;
  hours: number;
  /** Share of the floor's moves the ceiling followed (regression slope, 0 = none). */
  followShare: number;
}

/**
 * The ceiling (per-bucket high quantile) of the whole window, by the hour, against the floor by the
 * hour: when the ceiling followed less than half of the floor's moves and, apart from that, stayed
 * within 5% of one level (but for its STRAY_HOURS), over at least twice minHistory, the floor is wandering between a floor and
 * a cap (page cache, a cache with a size limit, machine memory), not leaking: a leak lifts the
 * ceiling with the floor. This holds at any age of the series, in its first day or after. Null when
 * the ceiling followed the floor or moved, the window is too short, the floor did not move, or there
 * is no ceiling to read (one sample per bucket: it is the floor, and follows it entirely).
 */
export function fixedCeiling(floor: Floor, o: ResolvedDetectOptions): CeilingHeld | null {
  const top = floor.top;
  const n = floor.t.length;
  if (top === undefined || n === 0 || floor.t[n - 1]! - floor.t[0]! < 2 * o.minHistorySeconds) return null;
  const per = Math.max(1, Math.round(HOUR / o.floorBucketSeconds));
  const ceil: number[] = [];
  const low: number[] = [];
  for (let i = 0; i + per <= n; i += per) {
    ceil.push(median(top, i, i + per));
    low.push(median(floor.v, i, i + per));
  }
  const m = ceil.length;
  if (m < 3) return null;
  const meanC = ceil.reduce((a, b) => a + b, 0) / m;
  const meanF = low.reduce((a, b) => a + b, 0) / m;
  let sff = 0;
  let sfc = 0;
  for (let k = 0; k < m; k++) {
    sff += (low[k]! - meanF) ** 2;
    sfc += (low[k]! - meanF) * (ceil[k]! - meanC);
  }
  if (!(sff > 0)) return null;
  const followShare = sfc / sff;
  if (followShare > CEILING_SHARE_OF_FLOOR) return null;
  const own = ceil.map((c, k) => c - followShare * low[k]!).sort((a, b) => a - b);
  const lo = own[Math.floor(STRAY_HOURS * (m - 1))]!;
  const hi = own[m - 1 - Math.floor(STRAY_HOURS * (m - 1))]!;
  const levelBytes = median(ceil);
  if (hi - lo > CEILING_STILL_FRACTION * levelBytes) return null;
  // The ceiling must stand clear of the floor: with one sample per bucket the two are the same.
  if (levelBytes - floor.v[n - 1]! <= Math.max(...ceil) - Math.min(...ceil)) return null;
  return { rangeBytes: hi - lo, levelBytes, hours: (floor.t[n - 1]! - floor.t[0]!) / HOUR, followShare };
}

/** The ceiling is fixed and, apart from what it follows of the floor, moved by at most half the claimed rise. */
export function underFixedCeiling(ceiling: CeilingHeld | null, claimedRiseBytes: number): ceiling is CeilingHeld {
  return ceiling !== null && ceiling.rangeBytes <= CEILING_SHARE_OF_RISE * claimedRiseBytes;
}
