/**
 * `leakguard backtest`: replays the detector over a saved query_range response. At each tick it judges each
 * series with only the data up to that tick, and with the history its workload's earlier pods had by
 * then (the pods that started before it); JSON output is one object per working-set series, in input
 * order (limit and owner series in the file are inputs, not targets).
 */
import { backtestSeries, pastsOfSeries } from '../../detect/index.js';
import type { DetectOptions } from '../../detect/types.js';
import type { OutputFormat } from '../output.js';
import { renderTable } from '../output.js';
import { UsageError } from '../errors.js';
import { readHistoryFile, seriesName } from '../input.js';

export interface BacktestOptions {
  input: string;
  everySeconds: number;
  limitBytes: number | undefined;
  detect: DetectOptions;
  output: OutputFormat;
}

export interface BacktestResult {
  labels: Record<string, string>;
  /** Unix seconds of the first tick at which the series was judged leaking, or null. */
  detectedAt: number | null;
  ticks: number;
}

/** Judgements one backtest may make (~20 s on one core): a file of a fleet's week at --every 1m is refused, not ground through. */
export const MAX_BACKTEST_TICKS = 1_000_000;

export async function backtestFile(options: BacktestOptions): Promise<BacktestResult[]> {
  const { series, owners } = await readHistoryFile(options.input, options.limitBytes);
  const ticks = series.reduce((sum, { samples }) => {
    const n = samples.t.length;
    return n < 2 ? sum + 1 : sum + Math.floor((samples.t[n - 1]! - samples.t[0]!) / options.everySeconds) + 1;
  }, 0);
  if (ticks > MAX_BACKTEST_TICKS) {
    throw new UsageError(
      `--every ${options.everySeconds}s over ${series.length} series is ${ticks.toLocaleString('en-US')} judgements, more than the budget of ${MAX_BACKTEST_TICKS.toLocaleString('en-US')}: raise --every or split the file`,
    );
  }
  const pasts = pastsOfSeries(series, owners, options.detect);
  return series.map(({ labels, samples, limitBytes }, i) => {
    const { detectedAt, ticks } = backtestSeries(samples, {
      everySeconds: options.everySeconds,
      options: options.detect,
      past: pasts[i]!,
      ...(limitBytes === undefined ? {} : { limitBytes }),
    });
    return { labels, detectedAt, ticks };
  });
}

export async function runBacktest(options: BacktestOptions, print: (text: string) => void): Promise<void> {
  const results = await backtestFile(options);
  if (options.output === 'json') {
    print(JSON.stringify(results));
    return;
  }
  const rows = results.map((r) => [
    seriesName(r.labels),
    r.detectedAt === null ? 'not detected' : new Date(r.detectedAt * 1000).toISOString().replace('.000Z', 'Z'),
    String(r.ticks),
  ]);
  print(renderTable([['SERIES', 'FIRST DETECTED', 'TICKS'], ...rows]));
}
