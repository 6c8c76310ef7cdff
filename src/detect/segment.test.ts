import { describe, expect, it } from 'vitest';
import { toColumns } from './columns.js';
import { buildFloor } from './floor.js';
import { segmentFloor, withoutJumps } from './segment.js';
import { makeSeries, MIB } from '../../test/support/detect-series.js';

const floorOf = (values: number[]) => ({
  t: values.map((_, i) => i * 900),
  v: values.map((x) => x * MIB),
  bucket: values.map((_, i) => i),
});

describe('segmentFloor', () => {
  it('splits at a drop that lasts (a restart)', () => {
    const seg = segmentFloor(floorOf([500, 510, 520, 300, 320, 340, 360]), 0.1);
    expect(seg.starts).toEqual([0, 3]);
  });

  it('drops a one-bucket dip instead of splitting (a glitch)', () => {
    const seg = segmentFloor(floorOf([500, 505, 200, 502, 507]), 0.1);
    expect(seg.starts).toEqual([0]);
    expect(seg.v.map((x) => x / MIB)).toEqual([500, 505, 502, 507]);
  });

  it('treats a fall that continues for a second bucket as one restart', () => {
    const seg = segmentFloor(floorOf([600, 610, 400, 300, 320, 340]), 0.1);
    expect(seg.starts).toEqual([0, 2]);
    expect(seg.v[2]! / MIB).toBe(300);
  });

  it('does not split on a slow sawtooth whose troughs fall in every other bucket', () => {
    const seg = segmentFloor(floorOf([400, 470, 400, 470, 400, 470, 400]), 0.1);
    expect(seg.starts).toEqual([0]);
  });

  it('builds the floor from bucket minima, hiding a GC sawtooth', () => {
    const samples = makeSeries({ hours: 2, floorMiB: () => 300, sawtoothMiB: 100, sawtoothMinutes: 5 });
    const floor = buildFloor(toColumns(samples), 0, samples.length, 900);
    expect(new Set(floor.v.map((x) => Math.round(x / MIB)))).toEqual(new Set([300]));
  });
});

describe('withoutJumps', () => {
  const flatWithSteps = [...Array(20).fill(300), ...Array(20).fill(380), ...Array(20).fill(450)].map(
    (x, i) => (x + (i % 3)) * MIB,
  );

  it('flattens one or two steps', () => {
    const out = withoutJumps(flatWithSteps, 0, flatWithSteps.length, 2);
    expect((out[out.length - 1]! - out[0]!) / MIB).toBeLessThan(5);
  });

  it('keeps a staircase of many steps rising', () => {
    const stairs = Array.from({ length: 60 }, (_, i) => (300 + 10 * Math.floor(i / 4)) * MIB);
    const out = withoutJumps(stairs, 0, stairs.length, 2);
    expect((out[out.length - 1]! - out[0]!) / MIB).toBeGreaterThan(100);
  });

  it('keeps a steady ramp untouched', () => {
    const ramp = Array.from({ length: 40 }, (_, i) => (300 + 15 * i) * MIB);
    expect(withoutJumps(ramp, 0, ramp.length, 2)).toEqual(ramp);
  });

  it('removes a step that lands inside a bucket (two rises in a row)', () => {
    const split = [...Array(20).fill(500), 550, ...Array(20).fill(700)].map((x) => x * MIB);
    const out = withoutJumps(split, 0, split.length, 2);
    expect((out[out.length - 1]! - out[0]!) / MIB).toBeLessThan(5);
  });

  it('a rise across a hole in the data at the floor’s usual pace is no step', () => {
    // 20 MiB a bucket, 45 min unscraped: the 80 MiB climb across the hole is four buckets' change.
    const bucket = Array.from({ length: 40 }, (_, i) => i).filter((b) => b < 30 || b > 32);
    const ramp = bucket.map((b) => (400 + 20 * b) * MIB);
    expect(withoutJumps(ramp, 0, ramp.length, 2, { bucket })).toEqual(ramp);
  });

  it('never removes a drop (that would invent growth)', () => {
    const drop = [...Array(20).fill(500), ...Array(20).fill(400)].map((x) => x * MIB);
    expect(withoutJumps(drop, 0, drop.length, 2)).toEqual(drop);
  });
});
