/**
 * Builders of synthetic working-set series for the detector's tests. Kept beside the detector
 * (and pure) so its tests read as a table of shapes.
 */
import type { Sample } from '../../src/detect/types.js';

export const MIB = 1024 * 1024;
/** 2026-01-01T00:00:00Z, a multiple of every bucket size used. */
export const T0 = 1_767_225_600;

export interface SeriesOptions {
  hours: number;
  /** Floor in MiB at hour h (hours since the start). */
  floorMiB: (h: number) => number;
  stepSeconds?: number;
  /** Go GC sawtooth on top of the floor, MiB peak, minutes per tooth. */
  sawtoothMiB?: number;
  sawtoothMinutes?: number;
  /** Uniform noise above the floor, MiB. */
  noiseMiB?: number;
  seed?: number;
  start?: number;
}

/** Deterministic series: the same options give the same samples. */
export function makeSeries(o: SeriesOptions): Sample[] {
  const step = o.stepSeconds ?? 60;
  const start = o.start ?? T0;
  let state = (o.seed ?? 1) >>> 0 || 1;
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const out: Sample[] = [];
  for (let s = 0; s <= o.hours * 3600; s += step) {
    const h = s / 3600;
    const tooth = o.sawtoothMiB
      ? (((s / 60) % (o.sawtoothMinutes ?? 5)) / (o.sawtoothMinutes ?? 5)) * o.sawtoothMiB
      : 0;
    out.push({ t: start + s, v: Math.round((o.floorMiB(h) + tooth + random() * (o.noiseMiB ?? 0)) * MIB) });
  }
  return out;
}

/** End time of a series made by makeSeries. */
export function endOf(samples: readonly Sample[]): number {
  return samples[samples.length - 1]!.t;
}
