import type { Sample } from '../../src/detect/types.js';

export interface DerivAlert {
  /** PromQL range of deriv(), seconds. */
  rangeSeconds: number;
  /** Alert when deriv exceeds this, bytes per hour. */
  thresholdBytesPerHour: number;
  /** The condition must hold at every evaluation for this long, seconds ("for:"). */
  forSeconds: number;
  /** Rule evaluation interval, seconds. @default 60 */
  evaluationSeconds?: number;
}

/**
 * When an alert `deriv(x[range]) > threshold for: F` would first fire on this series, as
 * Prometheus evaluates it: at each evaluation time T, deriv is the least-squares slope of the
 * samples in (T − range, T]; fewer than two samples means no result (the condition is false).
 * Returns unix seconds or null.
 */
export function derivAlertFiresAt(samples: readonly Sample[], alert: DerivAlert): number | null {
  if (samples.length < 2) return null;
  const every = alert.evaluationSeconds ?? 60;
  const origin = samples[0]!.t;
  // Hours since the first sample and MiB keep the running sums exact enough.
  const x = samples.map((s) => (s.t - origin) / 3600);
  const y = samples.map((s) => s.v / (1024 * 1024));
  const threshold = alert.thresholdBytesPerHour / (1024 * 1024);
  let lo = 0,
    hi = 0;
  let n = 0,
    sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  let activeSince: number | null = null;
  const last = samples[samples.length - 1]!.t;
  for (let T = Math.ceil(origin / every) * every; T <= last; T += every) {
    while (hi < samples.length && samples[hi]!.t <= T) {
      n++;
      sx += x[hi]!;
      sy += y[hi]!;
      sxx += x[hi]! ** 2;
      sxy += x[hi]! * y[hi]!;
      hi++;
    }
    while (lo < hi && samples[lo]!.t <= T - alert.rangeSeconds) {
      n--;
      sx -= x[lo]!;
      sy -= y[lo]!;
      sxx -= x[lo]! ** 2;
      sxy -= x[lo]! * y[lo]!;
      lo++;
    }
    const den = n * sxx - sx * sx;
    const slope = n >= 2 && den > 1e-12 ? (n * sxy - sx * sy) / den : Number.NaN;
    if (slope > threshold) {
      activeSince ??= T;
      if (T - activeSince >= alert.forSeconds) return T;
    } else activeSince = null;
  }
  return null;
}
