import { it } from 'vitest';
import { backtestSeries, defaultDetectOptions } from './index.js';
import { makeSeries } from '../../test/support/detect-series.js';
const sawtooth = { sawtoothMiB: 60, sawtoothMinutes: 7, noiseMiB: 4 };
it('variants', () => {
  for (const bottom of [1.5, 2, 3.5]) for (const climb of [0.75, 1.5, 2.5]) for (const short of [8, 20]) for (const depth of [150, 200]) {
    const wander = (h: number) => 950 + 30 * Math.sin((2 * Math.PI * h) / 5);
    const dip = (h: number) => (h < 24 ? 0 : h < 24 + bottom ? depth : h < 24 + bottom + climb ? depth - (depth - short) * (h - 24 - bottom) / climb : short);
    const samples = makeSeries({ hours: 34, floorMiB: (h) => wander(h) - dip(h), ...sawtooth, seed: 7 });
    const d = backtestSeries(samples, { everySeconds: 900, options: defaultDetectOptions }).detectedAt;
    console.log(bottom, climb, short, depth, d === null ? '-' : ((d - samples[0]!.t) / 3600).toFixed(2));
  }
});
