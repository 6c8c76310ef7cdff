import type { Sample } from './types.js';

/**
 * The floor: the minimum of each epoch-aligned bucket. Peaks (GC sawtooth, spikes, scrape jitter)
 * disappear; what remains is the memory the process cannot give back, which is what a leak grows.
 * Buckets are aligned to the epoch so the floor of a bucket never depends on where a window
 * starts, which lets the backtest compute each bucket once.
 */
export interface Floor {
  /** Time of the bucket's minimum sample, unix seconds. */
  t: number[];
  v: number[];
  /** Bucket number: floor(t / bucketSeconds). */
  bucket: number[];
}

export function emptyFloor(): Floor {
  return { t: [], v: [], bucket: [] };
}

/** Appends the floor of samples[from..to) (sorted by time) to `into`. */
export function appendFloor(into: Floor, samples: readonly Sample[], from: number, to: number, bucketSeconds: number): void {
  let i = from;
  while (i < to) {
    const bucket = Math.floor(samples[i]!.t / bucketSeconds);
    let minT = samples[i]!.t;
    let minV = samples[i]!.v;
    i++;
    while (i < to && Math.floor(samples[i]!.t / bucketSeconds) === bucket) {
      if (samples[i]!.v < minV) {
        minV = samples[i]!.v;
        minT = samples[i]!.t;
      }
      i++;
    }
    into.t.push(minT);
    into.v.push(minV);
    into.bucket.push(bucket);
  }
}

/** Floor of samples[from..to) (sorted by time). */
export function buildFloor(samples: readonly Sample[], from: number, to: number, bucketSeconds: number): Floor {
  const floor = emptyFloor();
  appendFloor(floor, samples, from, to, bucketSeconds);
  return floor;
}

/** Index of the first sample with t > bound (samples sorted by time). */
export function firstAfter(samples: readonly Sample[], bound: number, lo = 0, hi = samples.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]!.t > bound) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
