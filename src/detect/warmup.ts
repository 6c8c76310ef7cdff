/**
 * A warm-up (informer sync, cache fill) approaches its plateau along a saturating curve from the
 * moment the process started: level = plateau − fill · e^(−age/τ). Over its first hours such a
 * curve can climb as steeply and as far as a leak, and halves of a few hours are too noisy to show
 * it slowing down. Comparing the two shapes over every point since the start settles it sooner and
 * for fills of any size: growth that the curve explains at least as well as a straight line is not
 * yet evidence of a leak.
 */

const HOUR = 3600;
/** Time constants tried, hours: up to the slowest warm-up the detector promises to tell apart. */
export const WARMUP_TIME_CONSTANTS_HOURS = [0.5, 0.75, 1, 1.5, 2, 2.5, 3];
/** With the first minutes in, the quick warm-ups every start has (minutes) too: a leak rises beside one of them. */
const BESIDE_TIME_CONSTANTS_HOURS = [0.1, 0.25, ...WARMUP_TIME_CONSTANTS_HOURS];
/** By then even the slowest of those warm-ups has settled (four time constants: 98%). */
export const WARMUP_SETTLED_SECONDS = 4 * 3 * HOUR;
/** The curve must fit clearly better than the line: on a straight rise the two tie within noise. */
const CLEARLY_BETTER = 0.5;

/** Sum of squared residuals of the least-squares line y ≈ a + b·x over [from, to). */
function lineResidual(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  from: number,
  to: number,
): { sse: number; slope: number; sxx: number } {
  const n = to - from;
  let sx = 0,
    sy = 0;
  for (let i = from; i < to; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0,
    sxy = 0,
    syy = 0;
  for (let i = from; i < to; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) return { sse: syy, slope: 0, sxx };
  return { sse: syy - (sxy * sxy) / sxx, slope: sxy / sxx, sxx };
}

/**
 * The floor points [from, to) since a start at `startT` rise beyond any warm-up: a steady rise beside
 * the warm-up curve (level = a + b·t − fill·e^(−age/τ), τ ≤ 3 h) leaves less than half the squared
 * residual the best warm-up curve alone leaves (with ten points an F-test at about 5%; stricter with
 * more). Over the first hours a line and a slow saturating curve tie within noise: a rise that a
 * warm-up curve explains about as well as a line does is still consistent with a warm-up of any size.
 */
export function risesBeyondWarmup(
  t: readonly number[],
  v: readonly number[],
  from: number,
  to: number,
  startT: number,
): boolean {
  const n = to - from;
  if (n < 5) return false;
  const line = lineResidual(t, v, from, to);
  let beside = line.sse;
  let alone = line.sse + line.slope * line.slope * line.sxx;
  let mx = 0;
  for (let i = from; i < to; i++) mx += t[i]! / n;
  const w = new Float64Array(t.length);
  for (const tau of BESIDE_TIME_CONSTANTS_HOURS) {
    warmupCurve(w, t, from, to, startT, tau);
    const curve = lineResidual(w, v, from, to);
    // The curve alone, rising (a fill, not a release).
    if (curve.slope > 0) alone = Math.min(alone, curve.sse);
    // The curve beside the line: the line's residual less what the curve's part orthogonal to the
    // line explains of it.
    const across = lineResidual(t, w, from, to);
    if (!(across.sse > 0)) continue;
    let mw = 0;
    for (let i = from; i < to; i++) mw += w[i]! / n;
    let dot = 0;
    for (let i = from; i < to; i++) {
      const wOrth = w[i]! - mw - across.slope * (t[i]! - mx);
      const vOrth = v[i]! - line.slope * (t[i]! - mx);
      dot += wOrth * vOrth;
    }
    beside = Math.min(beside, line.sse - (dot * dot) / across.sse);
  }
  return beside < CLEARLY_BETTER * alone;
}

/**
 * The floor points [from, to) since a start at `startT` fit a warm-up curve with a time constant of
 * at most 3 h clearly better than a steady rise.
 */
export function explainedByWarmup(
  t: readonly number[],
  v: readonly number[],
  from: number,
  to: number,
  startT: number,
): boolean {
  if (to - from < 4) return false;
  const line = lineResidual(t, v, from, to);
  const x = new Float64Array(t.length);
  for (const tau of WARMUP_TIME_CONSTANTS_HOURS) {
    warmupCurve(x, t, from, to, startT, tau);
    const curve = lineResidual(x, v, from, to);
    if (curve.slope > 0 && curve.sse < CLEARLY_BETTER * line.sse) return true;
  }
  return false;
}

/** The shape of a warm-up of time constant `tauHours` from `startT` (−e^(−age/τ)), into out[from, to). */
function warmupCurve(
  out: Float64Array,
  t: readonly number[],
  from: number,
  to: number,
  startT: number,
  tauHours: number,
) {
  for (let i = from; i < to; i++) out[i] = -Math.exp(-(t[i]! - startT) / (tauHours * HOUR));
}
