import { describe, expect, it } from 'vitest';
import { explainedByWarmup, risesBeyondWarmup } from './warmup.js';

const HOUR = 3600;
const MIB = 1024 * 1024;
/** Floor points every 15 min from 0.5 h to `hours` after a start at 0, with a small fixed wiggle. */
function floor(hours: number, level: (h: number) => number): { t: number[]; v: number[] } {
  const t: number[] = [];
  const v: number[] = [];
  for (let h = 0.5; h <= hours; h += 0.25) {
    t.push(h * HOUR);
    v.push((level(h) + 4 * Math.sin(h * 9.7)) * MIB);
  }
  return { t, v };
}

describe('explainedByWarmup', () => {
  it.each([1, 2, 3])('a fill that doubles the level with a time constant of %d h, seen for 3.5 h', (tau) => {
    const { t, v } = floor(3.5, (h) => 400 * (2 - Math.exp(-h / tau)));
    expect(explainedByWarmup(t, v, 0, t.length, 0)).toBe(true);
  });

  it.each([10, 60, 150])('a steady rise of %d MiB/h is not a warm-up', (mibPerHour) => {
    const { t, v } = floor(3.5, (h) => 300 + mibPerHour * h);
    expect(explainedByWarmup(t, v, 0, t.length, 0)).toBe(false);
  });

  it('an accelerating rise is not a warm-up', () => {
    const { t, v } = floor(6, (h) => 300 + 3 * h * h);
    expect(explainedByWarmup(t, v, 0, t.length, 0)).toBe(false);
  });
});

describe('risesBeyondWarmup', () => {
  /** Floor points every 15 min from the start to `hours`, with a small fixed wiggle. */
  const life = (hours: number, level: (h: number) => number) => {
    const t: number[] = [];
    const v: number[] = [];
    for (let h = 0; h <= hours; h += 0.25) {
      t.push(h * HOUR);
      v.push((level(h) + 3 * Math.sin(h * 9.7)) * MIB);
    }
    return { t, v };
  };

  it.each([
    [0.5, 1],
    [1, 2],
    [3, 2.5],
  ])('a fill with a time constant of %d h, seen for %d h, is still a warm-up', (tau, hours) => {
    const { t, v } = life(hours, (h) => 600 - 300 * Math.exp(-h / tau));
    expect(risesBeyondWarmup(t, v, 0, t.length, 0)).toBe(false);
  });

  it.each([20, 60])('a steady rise of %d MiB/h after a quick warm-up is beyond one within 3 h', (mibPerHour) => {
    const { t, v } = life(3, (h) => 300 - 60 * Math.exp(-h / 0.15) + mibPerHour * h);
    expect(risesBeyondWarmup(t, v, 0, t.length, 0)).toBe(true);
  });
});
