import type { Rng } from './random.js';
import { baseShape, MIB, type Shape } from './simulate.js';

/**
 * Every shape SPEC §5 names: leaks the detector must flag and look-alikes it must not. Parameters
 * are drawn from wide ranges so a corpus tests the family, not one instance.
 */
export interface FamilyCase {
  shape: Shape;
  leak: boolean;
  /** Hours from the start at which the leak begins; null for non-leaks. */
  onsetHours: number | null;
}

type Family = (rng: Rng, hours: number) => FamilyCase;

const leakBytesPerHour = (rng: Rng): number => rng.logUniform(8, 150) * MIB;

function dailyCycle(rng: Rng, baseBytes: number): NonNullable<Shape['cycle']> {
  return {
    // From gentle to large cycles (up to half the baseline, 300 MiB peak to peak): a rising half-day
    // must never pass for a leak.
    peakToPeakBytes: Math.min(rng.uniform(0.1, 0.5) * baseBytes, rng.uniform(150, 300) * MIB),
    phaseHours: rng.uniform(0, 24),
    harmonic: rng.uniform(0, 0.4),
  };
}

/** A limit with headroom above the highest the series would otherwise reach. */
function maybeLimit(rng: Rng, shape: Shape, peakBytes: number): void {
  if (rng.chance(0.5)) shape.limitBytes = Math.round(peakBytes * rng.uniform(1.3, 2.5));
}

export const lookAlikes: Record<string, Family> = {
  flat(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.noiseFraction = rng.uniform(0.002, 0.04);
    maybeLimit(rng, shape, shape.baseBytes * 1.3);
    return { shape, leak: false, onsetHours: null };
  },
  warmup(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.warmupFraction = rng.uniform(0.3, 0.7);
    shape.warmupHours = rng.uniform(0.2, 1.5);
    if (rng.chance(0.5)) shape.restartsAt = [rng.uniform(12, hours - 6)];
    maybeLimit(rng, shape, shape.baseBytes * 1.3);
    return { shape, leak: false, onsetHours: null };
  },
  steps(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.steps = Array.from({ length: rng.int(1, 2) }, () => ({
      atHours: rng.uniform(3, hours - 3),
      bytes: Math.max(10 * MIB, rng.uniform(0.05, 0.4) * shape.baseBytes),
    }));
    maybeLimit(rng, shape, shape.baseBytes * 1.9);
    return { shape, leak: false, onsetHours: null };
  },
  daily(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.cycle = dailyCycle(rng, shape.baseBytes);
    maybeLimit(rng, shape, shape.baseBytes * 1.5);
    return { shape, leak: false, onsetHours: null };
  },
  restarts(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.warmupFraction = rng.uniform(0.2, 0.6);
    shape.warmupHours = rng.uniform(0.1, 1.2);
    shape.restartsAt = Array.from({ length: rng.int(1, 4) }, () => rng.uniform(2, hours - 1));
    maybeLimit(rng, shape, shape.baseBytes * 1.3);
    return { shape, leak: false, onsetHours: null };
  },
  spikes(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.spikes = Array.from({ length: rng.int(3, 12) }, () => ({
      atHours: rng.uniform(0.5, hours - 0.5),
      minutes: rng.uniform(1, 25),
      bytes: rng.uniform(0.2, 1) * shape.baseBytes,
    }));
    maybeLimit(rng, shape, shape.baseBytes * 2.3);
    return { shape, leak: false, onsetHours: null };
  },
  freed(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.baseBytes *= 1.5;
    shape.release = {
      atHours: rng.uniform(2, hours - 6),
      bytes: rng.uniform(0.1, 0.35) * shape.baseBytes,
      overHours: rng.chance(0.5) ? 0 : rng.uniform(1, 8),
    };
    maybeLimit(rng, shape, shape.baseBytes * 1.3);
    return { shape, leak: false, onsetHours: null };
  },
};

export const leaks: Record<string, Family> = {
  linear(rng, hours) {
    const shape = baseShape(rng, hours);
    const onsetHours = rng.uniform(0, 1);
    shape.leak = { kind: 'linear', onsetHours, bytesPerHour: leakBytesPerHour(rng) };
    return { shape, leak: true, onsetHours };
  },
  lateStart(rng, hours) {
    const shape = baseShape(rng, hours);
    const onsetHours = rng.uniform(12, Math.min(48, hours - 18));
    shape.leak = { kind: 'linear', onsetHours, bytesPerHour: leakBytesPerHour(rng) };
    return { shape, leak: true, onsetHours };
  },
  staircase(rng, hours) {
    const shape = baseShape(rng, hours);
    const onsetHours = rng.uniform(0, 24);
    const bytesPerHour = leakBytesPerHour(rng);
    // Steps of a few MiB, one per namespace created and deleted (rook/rook#15499).
    shape.leak = {
      kind: 'staircase',
      onsetHours,
      bytesPerHour,
      stepBytes: Math.min(rng.uniform(2, 25) * MIB, bytesPerHour / 2),
    };
    return { shape, leak: true, onsetHours };
  },
  oomCycles(rng, hours) {
    const shape = baseShape(rng, hours);
    const onsetHours = rng.uniform(0, 6);
    shape.leak = { kind: 'linear', onsetHours, bytesPerHour: rng.logUniform(20, 150) * MIB };
    shape.limitBytes = Math.round(shape.baseBytes + rng.uniform(100, 400) * MIB);
    return { shape, leak: true, onsetHours };
  },
  slowBigBaseline(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.baseBytes = rng.uniform(700, 1000) * MIB;
    const onsetHours = rng.uniform(0, 24);
    shape.leak = { kind: 'linear', onsetHours, bytesPerHour: rng.uniform(8, 15) * MIB };
    return { shape, leak: true, onsetHours };
  },
  accelerating(rng, hours) {
    const shape = baseShape(rng, hours);
    const onsetHours = rng.uniform(0, 24);
    shape.leak = {
      kind: 'accelerating',
      onsetHours,
      bytesPerHour: rng.logUniform(4, 30) * MIB,
      doublingHours: rng.uniform(6, 24),
    };
    return { shape, leak: true, onsetHours };
  },
  underDailyCycle(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.cycle = dailyCycle(rng, shape.baseBytes);
    const onsetHours = rng.uniform(0, 24);
    shape.leak = { kind: 'linear', onsetHours, bytesPerHour: rng.logUniform(8, 60) * MIB };
    return { shape, leak: true, onsetHours };
  },
  resumesAfterRestart(rng, hours) {
    const shape = baseShape(rng, hours);
    const onsetHours = rng.uniform(0, 12);
    shape.leak = { kind: 'linear', onsetHours, bytesPerHour: leakBytesPerHour(rng) };
    shape.warmupFraction = rng.uniform(0.2, 0.5);
    shape.restartsAt = Array.from({ length: rng.int(1, 2) }, () => onsetHours + rng.uniform(2, 20));
    return { shape, leak: true, onsetHours };
  },
};

/**
 * Look-alikes found on traces nobody here tuned to (issue #13): each fooled the detector once. Kept
 * apart so adding them leaves the random streams, and so the series, of the families above alone.
 */
export const fieldLookAlikes: Record<string, Family> = {
  /** Three big steps within the first 12 h (relists, new CRs), then flat for days. */
  stoppedStaircase(rng, hours) {
    const shape = baseShape(rng, hours);
    const count = 3;
    // Separate events, 1.5–3.5 h apart (closer ones would merge into one longer rise).
    let atHours = rng.uniform(1, 5);
    for (let k = 0; k < count; k++, atHours += rng.uniform(1.5, 3.5)) {
      // A relist or a burst of new CRs takes from a few minutes to most of an hour.
      shape.steps.push({ atHours, bytes: rng.uniform(50, 80) * MIB, overHours: rng.uniform(0, 0.75) });
    }
    maybeLimit(rng, shape, shape.baseBytes + count * 80 * MIB);
    return { shape, leak: false, onsetHours: null };
  },
  /**
   * A working set that wanders by up to ±10% with hour-scale dips of up to 15%, without trend: the
   * level of a real machine (public cluster traces) rather than a tidy process.
   */
  machineNoise(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.warmupFraction = rng.uniform(0, 0.05);
    shape.noiseFraction = rng.uniform(0.01, 0.04);
    shape.wander = {
      slow: { fraction: rng.uniform(0.015, 0.03), hours: rng.uniform(2, 6) },
      fast: { fraction: rng.uniform(0.01, 0.03), hours: rng.uniform(0.1, 0.5) },
      maxFraction: 0.1,
    };
    shape.dips = Array.from({ length: rng.int(2, 8) }, () => ({
      atHours: rng.uniform(0, hours - 2),
      hours: rng.uniform(0.5, 3),
      fraction: rng.uniform(0.03, 0.15),
    }));
    maybeLimit(rng, shape, shape.baseBytes * 1.3);
    return { shape, leak: false, onsetHours: null };
  },
  /**
   * A cache fill that doubles the working set or so (time constant 2–3 h) and settles near 70% of
   * the limit; some restart later into the same fill.
   */
  bigWarmup(rng, hours) {
    const shape = baseShape(rng, hours);
    const rise = rng.uniform(0.7, 1.5);
    shape.warmupFraction = rise / (1 + rise);
    shape.warmupHours = rng.uniform(2, 3);
    if (rng.chance(0.5)) shape.restartsAt = [rng.uniform(12, hours - 12)];
    shape.limitBytes = Math.round(shape.baseBytes / rng.uniform(0.65, 0.75));
    return { shape, leak: false, onsetHours: null };
  },
};

/**
 * Look-alikes of issue #25, from corpora nobody here wrote: a rise in the first day of history,
 * before anything says whether it is a daily cycle, and a floor that dips and recovers under a
 * ceiling that never moves. Kept apart, like the field look-alikes, so the other series stay the same.
 */
export const firstDayLookAlikes: Record<string, Family> = {
  /** A daily cycle of 15–30% of the base peaking at 70–80% of the container's limit, from the pod's start. */
  nearLimitCycle(rng, hours) {
    const shape = baseShape(rng, hours);
    const peakToPeakBytes = rng.uniform(0.15, 0.3) * shape.baseBytes;
    shape.cycle = { peakToPeakBytes, phaseHours: rng.uniform(0, 24), harmonic: rng.uniform(0, 0.4) };
    // The highest the floor reaches (the cycle's day-to-day scale goes up to 1.1), the sawtooth above it.
    const peak = shape.baseBytes + 0.55 * peakToPeakBytes;
    shape.limitBytes = Math.round(peak / rng.uniform(0.7, 0.8));
    return { shape, leak: false, onsetHours: null };
  },
  /** The first pod of a workload: a daily cycle of 10–40% of the base after a warm-up; the limit known for half of them. */
  firstPodCycle(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.cycle = {
      peakToPeakBytes: rng.uniform(0.1, 0.4) * shape.baseBytes,
      phaseHours: rng.uniform(0, 24),
      harmonic: rng.uniform(0, 0.4),
    };
    shape.warmupFraction = rng.uniform(0.1, 0.4);
    shape.warmupHours = rng.uniform(0.2, 1.5);
    if (rng.chance(0.5))
      shape.limitBytes = Math.round((shape.baseBytes + 0.55 * shape.cycle.peakToPeakBytes) / rng.uniform(0.6, 0.85));
    return { shape, leak: false, onsetHours: null };
  },
  /**
   * Machine memory between a floor and a ceiling: the ceiling stays within 1% of one value for the
   * whole series while the floor wanders and dips by 5–30% for hours, then recovers over hours.
   */
  fixedCeiling(rng, hours) {
    const shape = baseShape(rng, hours);
    shape.warmupFraction = rng.uniform(0, 0.05);
    shape.sawtooth = undefined;
    shape.ceiling = {
      bytes: shape.baseBytes * rng.uniform(1.15, 1.5),
      periodMinutes: rng.uniform(3, 20),
      jitterFraction: 0.004,
    };
    shape.wander = {
      slow: { fraction: rng.uniform(0.01, 0.03), hours: rng.uniform(2, 6) },
      fast: { fraction: rng.uniform(0.005, 0.015), hours: rng.uniform(0.1, 0.5) },
      maxFraction: 0.1,
    };
    shape.dips = Array.from({ length: rng.int(1, 4) }, () => ({
      atHours: rng.uniform(2, hours - 6),
      hours: rng.uniform(2, 12),
      fraction: rng.uniform(0.05, 0.3),
    }));
    if (rng.chance(0.5)) shape.limitBytes = Math.round(shape.ceiling.bytes * rng.uniform(1.1, 1.5));
    return { shape, leak: false, onsetHours: null };
  },
};

export const families: Record<string, Family> = { ...lookAlikes, ...leaks, ...fieldLookAlikes, ...firstDayLookAlikes };
