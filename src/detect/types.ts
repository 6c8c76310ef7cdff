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
  /** Minimum fraction of the expected samples present in the judged span. @default 0.6 */
  minCoverage: number;
  /** A gap between samples longer than this one breaks coverage. @default 15m */
  maxGapSeconds: number;
}

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
}

export interface JudgeInput {
  samples: readonly Sample[];
  /** Container memory limit in bytes, if any. */
  limitBytes?: number;
  /** Judge as of this unix second (normally the Prometheus evaluation time). */
  now: number;
}
