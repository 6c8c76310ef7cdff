import type { SampleSeries } from './columns.js';

/** One working-set sample: unix seconds and bytes. */
export interface Sample {
  t: number;
  v: number;
}

export type VerdictKind = 'leaking' | 'not-leaking' | 'unknown';

/** Tunables of the detector. All durations in seconds, all rates in bytes per hour. */
export interface DetectOptions {
  /** How much history is judged, ending at `now`. @default 24h */
  windowSeconds: number;
  /** Sustained growth rate at or above which a floor that keeps rising is a leak. @default 5 MiB/h */
  minGrowthBytesPerHour: number;
  /** A significant upward trend projected to reach the limit within this horizon is a leak. @default 24h */
  oomHorizonSeconds: number;
  /** The newest sample must be at most this old, or the verdict is unknown. @default 10m */
  maxStalenessSeconds: number;
  /** Minimum span of usable data (after the last restart) needed to judge. @default 3h */
  minHistorySeconds: number;
  /** Minimum fraction of the judged span that is not inside a hole of `maxGapSeconds` or more. @default 0.6 */
  minCoverage: number;
  /** A hole in the data at least this long counts as missing when coverage is computed. @default 15m */
  maxGapSeconds: number;
  // Advanced tunables below; omitted ones take the values of defaultDetectOptions.
  /** Width of the buckets whose minima form the floor (epoch-aligned). @default 15m */
  floorBucketSeconds?: number;
  /** A floor rising at least this fast, with a tight interval, cannot be a daily cycle: flagged after `minHistorySeconds`. @default 60 MiB/h */
  fastGrowthBytesPerHour?: number;
  /** Slower growth must be sustained this long (longer than any rising half-day) before it is called a leak. @default 14h */
  sustainedSeconds?: number;
  /** Growth of at least this fraction of the level it started from is more than a daily cycle or noise explains. @default 0.8 */
  relativeRiseFraction?: number;
  /** Floor points this soon after a start or restart are ignored (informer sync, cache fill). @default 30m */
  warmupSeconds?: number;
  /** A floor drop of at least this fraction that does not recover in the next bucket splits the history: a restart. @default 0.1 */
  restartDropFraction?: number;
}

/** Options with every tunable filled in. */
export type ResolvedDetectOptions = Required<DetectOptions>;

export interface SlopeEstimate {
  bytesPerHour: number;
  /** 95% confidence interval of the slope, bytes per hour. */
  low: number;
  high: number;
}

export interface Evidence {
  /** Unix seconds of the first and last sample judged. */
  from: number;
  to: number;
  pointsUsed: number;
  /** Number of restarts (drops) found in the window. */
  restarts: number;
}

export interface Verdict {
  kind: VerdictKind;
  /** Slope of the memory floor, null when it could not be estimated. */
  slope: SlopeEstimate | null;
  /** Latest floor level in bytes, null when unknown. */
  currentBytes: number | null;
  /** Hours until the projected floor reaches the limit; null without a limit or without growth. */
  hoursToLimit: number | null;
  /** Human-readable reasons, quoted in Events, Slack and PR bodies. First one is the headline. */
  reasons: string[];
  evidence: Evidence;
  /**
   * Not leaking yet: the floor grows like a leak in its first day of history, but nothing has shown
   * whether the rise is the rising half of a daily cycle. No action is taken on it.
   */
  suspected?: true;
}

export interface JudgeInput {
  /** Rows or columns; unsorted input is sorted (a copy). */
  samples: SampleSeries;
  /** Container memory limit in bytes, if any. */
  limitBytes?: number;
  /** Judge as of this unix second (normally the Prometheus evaluation time). */
  now: number;
  /**
   * The caller matched the container's image to a version the known-issue catalogue lists as
   * affected by a leak. Said in the reasons of a leak or a suspected rise; it never changes the
   * call (every way it sped the first day up also called healthy first pods leaking on the detection bench).
   */
  knownAffected?: boolean;
}
