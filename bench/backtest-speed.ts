/**
 * Backtest speed (SPEC §13): 128 series × 72 h at 60 s, judged every 15 minutes.
 *   node --import tsx bench/backtest-speed.ts [--series 128] [--seed 1]
 * Two sets: the corpus mix (leaks stop at their first detection, as a user's backtest would) and
 * look-alikes only (no detection, so every tick of every series is judged: the worst case).
 */
import { parseArgs } from 'node:util';
import { backtestSeries, defaultDetectOptions } from '../src/detect/index.js';
import { generateCorpus, type CorpusSeries } from '../test/corpus/corpus.js';
import { lookAlikes } from '../test/corpus/families.js';

const { values } = parseArgs({
  options: { series: { type: 'string', default: '128' }, seed: { type: 'string', default: '1' } },
});
const count = Number(values.series);
const seed = Number(values.seed);

function take(only: string[] | undefined): CorpusSeries[] {
  const families = only?.length ?? 15;
  return generateCorpus({ seed, perFamily: Math.ceil(count / families), only }).slice(0, count);
}

function run(label: string, series: CorpusSeries[]): void {
  const samples = series.reduce((n, s) => n + s.samples.length, 0);
  const started = performance.now();
  let ticks = 0;
  let detected = 0;
  for (const s of series) {
    const r = backtestSeries(s.samples, {
      everySeconds: 900,
      options: defaultDetectOptions,
      limitBytes: s.truth.limitBytes ?? undefined,
    });
    ticks += r.ticks;
    if (r.detectedAt !== null) detected++;
  }
  const ms = performance.now() - started;
  console.log(
    `${label.padEnd(22)} series ${series.length}  samples ${samples}  ticks ${ticks}  detected ${detected}  wall ${(ms / 1000).toFixed(2)} s  (${((ms * 1000) / ticks).toFixed(0)} µs/tick)`,
  );
}

const mix = take(undefined);
const healthy = take(Object.keys(lookAlikes));
// Warm up the JIT on a few series so the figures measure steady-state work, then measure.
for (const s of mix.slice(0, 4)) backtestSeries(s.samples, { everySeconds: 900, options: defaultDetectOptions });
run('corpus mix', mix);
run('look-alikes only', healthy);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
