import type { Sample } from '../../src/detect/types.js';
import type { Rng } from './random.js';

export const MIB = 1024 * 1024;
const STEP_SECONDS = 60;

/** Everything that shapes one synthetic working set. Sizes in bytes, times in hours from the start. */
export interface Shape {
  hours: number;
  baseBytes: number;
  /** Fraction of the base missing right after a start, recovered with time constant warmupHours. */
  warmupFraction: number;
  warmupHours: number;
  /** Planned restarts (deploys, evictions), hours. */
  restartsAt: number[];
  /** Container limit: reaching it is an OOM kill (a restart). */
  limitBytes?: number;
  leak?: Leak;
  /** Daily cycle of the floor, peak to peak. */
  cycle?: { peakToPeakBytes: number; phaseHours: number; harmonic: number };
  /** Rises of `bytes` at `atHours`, taking `overHours` (0: at once). */
  steps: { atHours: number; bytes: number; overHours?: number }[];
  /** Memory released: a drop of `bytes` at `atHours` (negative step), or a slow release. */
  release?: { atHours: number; bytes: number; overHours: number };
  noiseFraction: number;
  /**
   * Slow random wander of the whole level, as on a real machine: two mean-reverting processes
   * (stationary spread as a fraction of the base, correlation time in hours), softly held within
   * ±maxFraction. No trend: it returns to the base.
   */
  wander?: {
    slow: { fraction: number; hours: number };
    fast: { fraction: number; hours: number };
    maxFraction: number;
  };
  /** Hour-scale dips of the level: fall by `fraction` of the base, stay, recover. */
  dips: { atHours: number; hours: number; fraction: number }[];
  sawtooth?: { periodMinutes: number; fraction: number };
  /**
   * A fixed ceiling (a cache filled up to its cap, machine memory): every few minutes the level
   * climbs from the floor to `bytes` (± `jitterFraction`) and falls back, whatever the floor does.
   * Replaces the GC sawtooth.
   */
  ceiling?: { bytes: number; periodMinutes: number; jitterFraction: number };
  spikes: { atHours: number; minutes: number; bytes: number }[];
  gaps: { atHours: number; minutes: number }[];
}

export type Leak =
  | { kind: 'linear'; onsetHours: number; bytesPerHour: number }
  | { kind: 'staircase'; onsetHours: number; bytesPerHour: number; stepBytes: number }
  | { kind: 'accelerating'; onsetHours: number; bytesPerHour: number; doublingHours: number };

export function baseShape(rng: Rng, hours: number): Shape {
  const baseBytes = rng.logUniform(100, 1000) * MIB;
  return {
    hours,
    baseBytes,
    warmupFraction: rng.uniform(0.05, 0.3),
    warmupHours: rng.uniform(0.05, 0.4),
    restartsAt: [],
    steps: [],
    noiseFraction: rng.uniform(0.002, 0.015),
    sawtooth: rng.chance(0.7) ? { periodMinutes: rng.uniform(2, 12), fraction: rng.uniform(0.03, 0.2) } : undefined,
    spikes: [],
    dips: [],
    gaps: rng.chance(0.3)
      ? Array.from({ length: rng.int(1, 3) }, () => ({
          atHours: rng.uniform(1, hours - 1),
          minutes: rng.uniform(3, 40),
        }))
      : [],
  };
}

function leakRate(leak: Leak, sinceOnsetHours: number): number {
  if (leak.kind === 'accelerating')
    return Math.min(leak.bytesPerHour * 2 ** (sinceOnsetHours / leak.doublingHours), 400 * MIB);
  return leak.bytesPerHour;
}

export interface Simulated {
  /** Samples, gaps removed. */
  samples: Sample[];
  /** Unix seconds of each OOM kill (the working set reached the limit). */
  oomKills: number[];
}

/** Mean-reverting (Ornstein–Uhlenbeck) step of one minute. */
function wanderStep(x: number, p: { fraction: number; hours: number }, rng: Rng): number {
  const dt = STEP_SECONDS / 3600 / p.hours;
  return x - x * dt + p.fraction * Math.sqrt(2 * dt) * rng.normal();
}

/** Minute-by-minute simulation starting at startSeconds. */
export function simulate(shape: Shape, rng: Rng, startSeconds: number): Simulated {
  const n = Math.round((shape.hours * 3600) / STEP_SECONDS) + 1;
  const restarts = [...shape.restartsAt].sort((a, b) => a - b);
  const sawPhase = rng.next();
  const dayScale = Array.from({ length: Math.ceil(shape.hours / 24) + 2 }, () => rng.uniform(0.9, 1.1));
  let lastStart = 0;
  let leaked = 0;
  let slow = shape.wander ? shape.wander.slow.fraction * rng.normal() : 0;
  let fast = 0;
  const out: Sample[] = [];
  const oomKills: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = (i * STEP_SECONDS) / 3600;
    if (restarts.length > 0 && h >= restarts[0]!) {
      restarts.shift();
      lastStart = h;
      leaked = 0;
    }
    const leak = shape.leak;
    if (leak && h >= leak.onsetHours) {
      const perStep = (leakRate(leak, h - leak.onsetHours) * STEP_SECONDS) / 3600;
      if (leak.kind === 'staircase') {
        if (rng.chance(perStep / leak.stepBytes)) leaked += leak.stepBytes * rng.uniform(0.5, 1.5);
      } else leaked += perStep;
    }
    let v = shape.baseBytes * (1 - shape.warmupFraction * Math.exp(-(h - lastStart) / shape.warmupHours)) + leaked;
    if (shape.cycle) {
      const { peakToPeakBytes, phaseHours, harmonic } = shape.cycle;
      const x = (2 * Math.PI * (h - phaseHours)) / 24;
      const wave = (Math.sin(x) + harmonic * Math.sin(2 * x)) / (1 + harmonic);
      v += (peakToPeakBytes / 2) * dayScale[Math.floor(h / 24)]! * wave;
    }
    for (const step of shape.steps)
      if (h >= step.atHours) v += step.bytes * Math.min(1, step.overHours ? (h - step.atHours) / step.overHours : 1);
    if (shape.release && h >= shape.release.atHours) {
      const { atHours, bytes, overHours } = shape.release;
      v -= overHours > 0 ? bytes * (1 - Math.exp(-(h - atHours) / overHours)) : bytes;
    }
    if (shape.wander) {
      slow = wanderStep(slow, shape.wander.slow, rng);
      fast = wanderStep(fast, shape.wander.fast, rng);
      const m = shape.wander.maxFraction;
      v += shape.baseBytes * m * Math.tanh((slow + fast) / m);
    }
    for (const d of shape.dips) {
      if (h < d.atHours || h >= d.atHours + d.hours) continue;
      // Falls within minutes, recovers over the last third of the dip.
      const x = (h - d.atHours) / d.hours;
      v -= d.fraction * shape.baseBytes * Math.min(1, x * 12, (1 - x) * 3);
    }
    if (shape.limitBytes !== undefined && v >= shape.limitBytes) {
      // OOM kill: the next scrape sees a fresh process.
      oomKills.push(startSeconds + i * STEP_SECONDS);
      lastStart = h;
      leaked = 0;
      v = shape.limitBytes * 0.99;
    }
    const level = shape.baseBytes;
    v += (Math.abs(rng.normal()) + 0.3 * rng.normal()) * shape.noiseFraction * level;
    if (shape.ceiling) {
      const { bytes, periodMinutes, jitterFraction } = shape.ceiling;
      const phase = (((i / periodMinutes + sawPhase) % 1) + 1) % 1;
      const top = bytes * (1 + jitterFraction * (2 * rng.next() - 1));
      v += phase * Math.max(0, top - v);
    } else if (shape.sawtooth) {
      const phase = (((i / shape.sawtooth.periodMinutes + sawPhase) % 1) + 1) % 1;
      v += phase * shape.sawtooth.fraction * level;
    }
    for (const s of shape.spikes) if (h >= s.atHours && h < s.atHours + s.minutes / 60) v += s.bytes;
    if (shape.gaps.some((g) => h >= g.atHours && h < g.atHours + g.minutes / 60)) continue;
    out.push({ t: startSeconds + i * STEP_SECONDS, v: Math.max(1 * MIB, Math.round(v)) });
  }
  return { samples: out, oomKills };
}
