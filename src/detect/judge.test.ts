import { describe, expect, it } from 'vitest';
import { backtestSeries, defaultDetectOptions, judge } from './index.js';
import { endOf, makeSeries, MIB, T0, type SeriesOptions } from '../../test/support/detect-series.js';
import type { Sample } from './types.js';

const HOUR = 3600;
const sawtooth = { sawtoothMiB: 60, sawtoothMinutes: 7, noiseMiB: 4 };

/** Floor with a restart at each of `at` (hours): back to `base`, warm-up, then `after(hoursSinceRestart)`. */
function withRestarts(at: number[], shape: (sinceStart: number) => number): (h: number) => number {
  return (h) => {
    const last = Math.max(0, ...at.filter((r) => r <= h));
    return shape(h - last);
  };
}

/** 0 before `at` hours, 1 after `at + over`, linear between: a step that takes `over` hours. */
function step(h: number, at: number, over: number): number {
  return Math.min(1, Math.max(0, (h - at) / over));
}

/** 0 → 1 over 14 h along a cosine (slow start, slow finish), back to 0 over the next 10 h. */
function lopsidedDay(h: number): number {
  const x = h % 24;
  return x < 14 ? (1 - Math.cos((Math.PI * x) / 14)) / 2 : (1 + Math.cos((Math.PI * (x - 14)) / 10)) / 2;
}

const leaks: [string, SeriesOptions, number?][] = [
  ['linear leak under a GC sawtooth', { hours: 16, floorMiB: (h) => 400 + 20 * h, ...sawtooth }],
  ['leak that starts late', { hours: 26, floorMiB: (h) => 300 + Math.max(0, h - 20) * 60, ...sawtooth }],
  [
    'staircase (8 MiB every 20 min, never given back)',
    { hours: 16, floorMiB: (h) => 250 + 8 * Math.floor(h * 3), ...sawtooth },
  ],
  ['slow leak on a big baseline', { hours: 24, floorMiB: (h) => 900 + 8 * h, ...sawtooth }],
  ['accelerating leak', { hours: 18, floorMiB: (h) => 300 + 1.5 * h * h, ...sawtooth }],
  // Judged at 32 h: at 30 h the window opens 6 h after the start, on the cycle's top levelling off,
  // which a warm-up's tail also does, so the day-earlier comparison waits (flagged from 26 h but then).
  [
    'leak under a daily cycle',
    { hours: 32, floorMiB: (h) => 500 + 10 * h + 60 * Math.sin((2 * Math.PI * h) / 24), ...sawtooth },
  ],
  [
    'leak that resumes after a restart',
    { hours: 11, floorMiB: withRestarts([6], (x) => 300 - 60 * Math.exp(-x / 0.2) + 80 * x), ...sawtooth },
  ],
  [
    'OOM-kill cycles (grow to the limit, restart, repeat)',
    { hours: 9, floorMiB: withRestarts([2.5, 5, 7.5], (x) => 300 + 120 * x), ...sawtooth },
    620 * MIB,
  ],
];

const lookAlikes: [string, SeriesOptions][] = [
  ['GC sawtooth on a flat floor', { hours: 30, floorMiB: () => 400, sawtoothMiB: 150, sawtoothMinutes: 7 }],
  ['noisy working set', { hours: 30, floorMiB: () => 300, noiseMiB: 60 }],
  [
    'warm-up decelerating to a plateau',
    { hours: 30, floorMiB: (h) => 200 + 300 * (1 - Math.exp(-h / 1)), ...sawtooth },
  ],
  [
    'slow cache fill (time constant 2 h)',
    { hours: 30, floorMiB: (h) => 200 + 400 * (1 - Math.exp(-h / 2)), ...sawtooth },
  ],
  [
    'big, slow, noisy warm-up',
    { hours: 30, floorMiB: (h) => 1000 - 600 * Math.exp(-h / 2.5), sawtoothMiB: 100, sawtoothMinutes: 7, noiseMiB: 60 },
  ],
  [
    'two step increases that stay flat',
    { hours: 30, floorMiB: (h) => 300 + (h > 6 ? 80 : 0) + (h > 14 ? 80 : 0), ...sawtooth },
  ],
  ['daily load cycle', { hours: 50, floorMiB: (h) => 600 + 120 * Math.sin((2 * Math.PI * h) / 24), ...sawtooth }],
  [
    'restarts with a warm-up after each',
    { hours: 30, floorMiB: withRestarts([5, 13, 21], (x) => 500 - 200 * Math.exp(-x / 0.7)), ...sawtooth },
  ],
  [
    'a big daily cycle, once it has been seen to fall',
    { hours: 50, floorMiB: (h) => 260 + 85 * Math.cos((2 * Math.PI * h) / 24), ...sawtooth },
  ],
  [
    'a daily rise that takes 14 h (slow start, slow finish)',
    { hours: 30, floorMiB: (h) => 700 + lopsidedDay(h) * 100, ...sawtooth },
  ],
  ['short spikes', { hours: 30, floorMiB: (h) => 400 + (h % 2 < 0.08 ? 500 : 0), ...sawtooth }],
  ['memory being freed', { hours: 30, floorMiB: (h) => 500 + 300 * Math.exp(-h / 6), ...sawtooth }],
  // Issue #13: three steps that each take most of an hour (relists, new CRs), then flat for days.
  [
    'a staircase that stopped, still in the window a day later',
    {
      hours: 48,
      floorMiB: (h) => 400 + 80 * step(h, 3, 0.75) + 75 * step(h, 6, 0.7) + 78 * step(h, 9.5, 0.75),
      ...sawtooth,
    },
  ],
  [
    'a dip of an hour (it looks like a restart) and the climb back, on a wandering level',
    {
      hours: 40,
      floorMiB: (h) =>
        950 + 30 * Math.sin((2 * Math.PI * h) / 5) - (h > 36 && h < 37.2 ? 160 : 0) + 200 * step(h, 37.2, 2.5),
      ...sawtooth,
    },
  ],
];

describe('judge: leak shapes are flagged', () => {
  it.each(leaks)('%s', (_name, shape, limitBytes) => {
    const samples = makeSeries(shape);
    const verdict = judge({ samples, now: endOf(samples), limitBytes }, defaultDetectOptions);
    expect(verdict.kind, verdict.reasons.join('; ')).toBe('leaking');
    expect(verdict.reasons[0]).toMatch(
      /^(floor rose \d+\.\d MiB\/h \(CI -?\d+\.\d–\d+\.\d\) over the last \d+\.\d h|OOM-kill cycle)/,
    );
    expect(verdict.currentBytes).toBeGreaterThan(0);
  });

  it('reports the slope with an interval that holds the true rate, and the time to the limit', () => {
    const samples = makeSeries({ hours: 12, floorMiB: (h) => 400 + 20 * h, ...sawtooth });
    // 20 MiB/h is slow enough to be a daily ramp for a while, but 11.5 h in a straight line is
    // straighter than any daily cycle's rising half: called in its first day, catalogue or not.
    const verdict = judge({ samples, now: endOf(samples), limitBytes: 800 * MIB });
    expect(verdict.kind).toBe('leaking');
    expect(verdict.reasons[1]).toMatch(/straighter line/);
    expect(verdict.slope!.low).toBeLessThanOrEqual(20 * MIB);
    expect(verdict.slope!.high).toBeGreaterThanOrEqual(20 * MIB);
    expect(verdict.slope!.bytesPerHour / MIB).toBeCloseTo(20, 0);
    // Floor at 12 h is 640 MiB: 160 MiB to go at 20 MiB/h.
    expect(verdict.hoursToLimit!).toBeGreaterThan(7);
    expect(verdict.hoursToLimit!).toBeLessThan(9);
    expect(verdict.reasons[0]).toMatch(/limit reached in ~[78]\.\d h$/);
  });

  it('reports the rate of a leak that began inside the evidence span, and the time to the limit at that rate', () => {
    // A day and a half flat, then 85 MiB/h for 8 h (the limit 1,400 MiB): a long span passes with the flat hours
    // in it, at a fraction of the rate; the user must read the rate that reaches the limit.
    const samples = makeSeries({ hours: 36, floorMiB: (h) => 500 + 85 * Math.max(0, h - 28), ...sawtooth });
    const verdict = judge({ samples, now: endOf(samples), limitBytes: 1400 * MIB });
    expect(verdict.kind).toBe('leaking');
    expect(verdict.slope!.bytesPerHour / MIB).toBeGreaterThan(75);
    expect(verdict.slope!.low / MIB).toBeLessThanOrEqual(85);
    // Floor at 36 h is 1,180 MiB: 220 MiB to go at 85 MiB/h, 2.6 h.
    expect(verdict.hoursToLimit!).toBeGreaterThan(2);
    expect(verdict.hoursToLimit!).toBeLessThan(3.5);
  });

  it('flags a fast leak within a few hours of its start', () => {
    const samples = makeSeries({ hours: 30, floorMiB: (h) => 300 + Math.max(0, h - 20) * 90, ...sawtooth });
    const at = (h: number) => judge({ samples: samples.filter((s) => s.t <= T0 + h * HOUR), now: T0 + h * HOUR }).kind;
    expect(at(20)).toBe('not-leaking');
    expect(at(24)).toBe('leaking');
  });
});

describe('judge: each proof that growth is not a look-alike', () => {
  const tiers: [string, SeriesOptions, RegExp, number?][] = [
    [
      'steeper than a daily cycle',
      { hours: 5, floorMiB: (h) => 300 + 90 * h, ...sawtooth },
      /grows faster than a daily load cycle/,
    ],
    [
      'nearly double its starting level',
      { hours: 7, floorMiB: (h) => 100 + 20 * h, ...sawtooth },
      /grew by more than a daily load cycle or noise/,
    ],
    [
      'longer than a rising half-day',
      { hours: 15.5, floorMiB: (h) => 900 + 8 * h, ...sawtooth },
      /kept growing for longer than any rising half-day/,
    ],
    [
      'straighter than a rising half-day',
      { hours: 7.5, floorMiB: (h) => 900 + 30 * h, ...sawtooth },
      /risen in a straighter line, for longer, than the rising half of a daily cycle/,
    ],
    [
      'a day without give-back',
      { hours: 29, floorMiB: (h) => 900 + 8 * Math.max(0, h - 22), ...sawtooth },
      /has not fallen back once in the last 20 h/,
    ],
    [
      'resumed after a restart',
      { hours: 16, floorMiB: withRestarts([10], (x) => 600 - 100 * Math.exp(-x / 0.2) + 12 * x), ...sawtooth },
      /grew at the same rate before the last restart/,
    ],
    [
      'heading for the limit',
      { hours: 8, floorMiB: (h) => 500 + 10 * h, ...sawtooth },
      /projected to reach the memory limit/,
      600 * MIB,
    ],
  ];

  it.each(tiers)('%s', (_name, shape, reason, limitBytes) => {
    const samples = makeSeries(shape);
    const verdict = judge({ samples, now: endOf(samples), limitBytes });
    expect(verdict.kind, verdict.reasons.join('; ')).toBe('leaking');
    expect(verdict.reasons[1]).toMatch(reason);
  });
});

describe('judge: OOM-kill cycles', () => {
  const cycles = makeSeries({ hours: 5.25, floorMiB: withRestarts([2, 4], (x) => 300 + 150 * x), ...sawtooth });

  it('two cycles are not yet a pattern without a known limit', () => {
    expect(judge({ samples: cycles, now: endOf(cycles) }).kind).not.toBe('leaking');
  });

  it('a crash loop cutting a warm-up short at irregular times is not one', () => {
    const loop = makeSeries({
      hours: 12,
      floorMiB: withRestarts([1.5, 4, 5.5, 8, 9.5], (x) => 300 + 300 * (1 - Math.exp(-x / 3))),
      ...sawtooth,
    });
    for (let h = 4; h <= 12; h += 0.5) {
      const verdict = judge({ samples: loop.filter((s) => s.t <= T0 + h * HOUR), now: T0 + h * HOUR });
      expect(verdict.kind, `at ${h} h: ${verdict.reasons[0]}`).toBe('unknown');
    }
  });

  it('two cycles up to the known limit are a leak', () => {
    const verdict = judge({ samples: cycles, now: endOf(cycles), limitBytes: 610 * MIB });
    expect(verdict.kind).toBe('leaking');
    expect(verdict.reasons[0]).toMatch(/^OOM-kill cycle: grew to ~\d+ MiB and restarted 2 times in a row/);
  });
});

describe('judge: look-alikes are not flagged at any time', () => {
  it.each(lookAlikes)('%s', (_name, shape) => {
    const samples = makeSeries(shape);
    const kinds = new Set<string>();
    for (let h = 4; h <= shape.hours; h += 1) {
      const now = T0 + h * HOUR;
      const verdict = judge({ samples: samples.filter((s) => s.t <= now), now });
      expect(verdict.kind, `at ${h} h: ${verdict.reasons.join('; ')}`).not.toBe('leaking');
      kinds.add(verdict.kind);
    }
    // Look-alikes are judged healthy most of the time, not merely "unknown".
    expect(kinds.has('not-leaking')).toBe(true);
  });

  it('compares whole days only, whatever the window', () => {
    const options = { ...defaultDetectOptions, windowSeconds: 40 * HOUR };
    const samples = makeSeries({
      hours: 72,
      floorMiB: (h) => 600 + 150 * Math.sin((2 * Math.PI * (h + 15)) / 24),
      ...sawtooth,
    });
    for (let h = 24; h <= 72; h += 1) {
      const verdict = judge({ samples: samples.filter((s) => s.t <= T0 + h * HOUR), now: T0 + h * HOUR }, options);
      expect(verdict.kind, `at ${h} h: ${verdict.reasons.join('; ')}`).not.toBe('leaking');
    }
  });

  it('explains a healthy verdict with the measured trend', () => {
    const samples = makeSeries({ hours: 30, floorMiB: () => 400, ...sawtooth });
    const verdict = judge({ samples, now: endOf(samples) });
    expect(verdict.kind).toBe('not-leaking');
    expect(verdict.reasons[0]).toMatch(/^floor (trend -?\d+\.\d MiB\/h|has no upward trend)/);
    expect(Math.abs(verdict.slope!.bytesPerHour)).toBeLessThan(1 * MIB);
  });
});

describe('judge: data that cannot be judged is unknown, with the reason', () => {
  const healthy = makeSeries({ hours: 30, floorMiB: () => 400, ...sawtooth });
  const leaking = makeSeries({ hours: 30, floorMiB: (h) => 400 + 30 * h, ...sawtooth });
  const now = endOf(healthy);
  const replace = (samples: Sample[], index: number, v: number) =>
    samples.map((s, i) => (i === index ? { ...s, v } : s));

  const cases: [string, Sample[], number, RegExp][] = [
    ['no samples', [], now, /no samples in the last 24\.0 h/],
    [
      'NaN in the window',
      replace(leaking, leaking.length - 100, Number.NaN),
      now,
      /1 sample\(s\) in the window are not finite/,
    ],
    ['Infinity in the window', replace(healthy, healthy.length - 500, Number.POSITIVE_INFINITY), now, /not finite/],
    ['a negative value', replace(leaking, leaking.length - 5, -1), now, /not finite non-negative/],
    ['stale samples', leaking.filter((s) => s.t <= now - HOUR), now, /newest sample is 1\.0 h old \(max 10 min\)/],
    [
      'too little history',
      leaking.filter((s) => s.t <= T0 + 2 * HOUR),
      T0 + 2 * HOUR,
      /only 1\.\d h of usable data since the container started \(need 3\.0 h\)/,
    ],
    [
      'a restart an hour ago',
      makeSeries({ hours: 30, floorMiB: withRestarts([29], (x) => 300 + 30 * x), ...sawtooth }),
      now,
      /of usable data since the last restart/,
    ],
    [
      'a 12 h hole in the data',
      leaking.filter((s) => s.t < T0 + 10 * HOUR || s.t > T0 + 22 * HOUR),
      now,
      /data covers only \d+% of the last/,
    ],
    ['a sample without a timestamp', [...leaking, { t: Number.NaN, v: 1 }], now, /no valid timestamp/],
  ];

  it.each(cases)('%s', (_name, samples, at, reason) => {
    const verdict = judge({ samples, now: at });
    expect(verdict.kind).toBe('unknown');
    expect(verdict.reasons[0]).toMatch(reason);
  });

  it('ignores bad samples that are older than the window', () => {
    const old = replace(leaking, 10, Number.NaN);
    expect(judge({ samples: old, now }).kind).toBe('leaking');
  });

  it('accepts samples in any order', () => {
    const shuffled = [...leaking].reverse();
    expect(judge({ samples: shuffled, now })).toEqual(judge({ samples: leaking, now }));
  });
});

describe('judge: the climb back from a dip', () => {
  // A level of 950 MiB that wanders ±30 MiB, with a dip of 20% lasting 3.5 h at the bottom (the floor
  // splits there as at a restart), climbing back in 1.5 h to just under where it was: a machine's
  // memory, or an operator whose cache was dropped and refilled. The level is not regained within 3 h
  // of the fall, and the climb back is steeper than any daily cycle (called at 29.75 h before).
  const wander = (h: number) => 950 + 30 * Math.sin((2 * Math.PI * h) / 5);
  const dip = (h: number) => (h < 24 ? 0 : h < 27.5 ? 200 : h < 29 ? 200 - 192 * ((h - 27.5) / 1.5) : 8);

  it('is no leak at any time while it climbs back, nor once it is back', () => {
    const samples = makeSeries({ hours: 34, floorMiB: (h) => wander(h) - dip(h), ...sawtooth, seed: 7 });
    expect(backtestSeries(samples, { everySeconds: 900, options: defaultDetectOptions }).detectedAt).toBeNull();
  });

  it('a leak that resumes after a restart at the pace it grew before is still called on its way back', () => {
    // 40 MiB/h, an OOM kill or a probe at 20 h: back to 300 MiB, the same pace since.
    const floorMiB = withRestarts([20], (x) => 300 - 60 * Math.exp(-x / 0.2) + 40 * x);
    const samples = makeSeries({ hours: 25, floorMiB: (h) => (h < 20 ? 300 + 40 * h : floorMiB(h)), ...sawtooth });
    const verdict = judge({ samples, now: endOf(samples) });
    expect(verdict.kind).toBe('leaking');
    expect(verdict.reasons[1]).toMatch(/grew at the same rate before the last restart/);
  });
});
