/**
 * `leakguard backtest`: replays the detector over a saved query_range response. At each tick it judges each
 * series with only the data up to that tick, and with the history its workload's earlier pods had by
 * then (the pods that started before it); JSON output is one object per working-set series, in input
 * order (limit and owner series in the file are inputs, not targets).
 */
import {
  backtestSeries,
  ownersFromSeries,
  pastsOfSeries,
  workloadKey,
  type WorkloadSeries,
} from '../../detect/index.js';
import type { DetectOptions } from '../../detect/types.js';
import type { RangeSeries } from '../../prom/types.js';
import { seriesKey } from '../../detect/targets.js';
import type { OutputFormat } from '../output.js';
import { renderTable } from '../../model/text.js';
import { UsageError } from '../errors.js';
import { isInputOnly, isMemoryLimit, latestLimit, seriesName, streamRangeFile } from '../input.js';

export interface BacktestOptions {
  input: string;
  everySeconds: number;
  limitBytes: number | undefined;
  detect: DetectOptions;
  output: OutputFormat;
  /** Collects garbage between series once enough has piled up (cli/reclaim.ts); none without --expose-gc. */
  reclaim?: (() => void) | undefined;
}

export interface BacktestResult {
  labels: Record<string, string>;
  /** Unix seconds of the first tick at which the series was judged leaking, or null. */
  detectedAt: number | null;
  ticks: number;
}

/** Judgements one backtest may make (~20 s on one core): a file of a fleet's week at --every 1m is refused, not ground through. */
export const MAX_BACKTEST_TICKS = 1_000_000;

/** What the first read of the file keeps of one series: its labels and time span, not its samples. */
interface Outline {
  labels: Record<string, string>;
  ticks: number;
}

/**
 * Two reads of the file, one series in memory at a time (`-`, standard input, is read once and held).
 * The first learns the labels, limits, owners and the tick budget; the second judges each series as it
 * arrives — a series whose workload has other pods in the file once its last pod is read, since its
 * past is the earlier pods' history (pastsOfSeries). Memory follows the largest workload, not the file.
 */
export async function backtestFile(options: BacktestOptions): Promise<BacktestResult[]> {
  const held: RangeSeries[] | undefined = options.input === '-' ? [] : undefined;
  const outlines: Outline[] = [];
  const all: Record<string, string>[] = [];
  const limits = new Map<string, { t: number; bytes: number }>();
  await streamRangeFile(options.input, (s) => {
    all.push(s.labels);
    held?.push(s);
    if (isMemoryLimit(s.labels)) {
      const limit = latestLimit(s);
      const key = seriesKey(s.labels.namespace, s.labels.pod, s.labels.container);
      const known = limits.get(key);
      if (limit !== undefined && (known === undefined || limit.t >= known.t)) limits.set(key, limit);
    }
    if (isInputOnly(s.labels)) return;
    const { t } = s.samples;
    const n = t.length;
    outlines.push({ labels: s.labels, ticks: n < 2 ? 1 : Math.floor((t[n - 1]! - t[0]!) / options.everySeconds) + 1 });
  });
  const ticks = outlines.reduce((sum, o) => sum + o.ticks, 0);
  if (ticks > MAX_BACKTEST_TICKS) {
    throw new UsageError(
      `--every ${options.everySeconds}s over ${outlines.length} series is ${ticks.toLocaleString('en-US')} judgements, more than the budget of ${MAX_BACKTEST_TICKS.toLocaleString('en-US')}: raise --every or split the file`,
    );
  }
  const owners = ownersFromSeries(all);
  // The working-set series of each workload, by their index among the working sets.
  const groupOf = outlines.map((o) => (o.labels.pod ? workloadKey(o.labels, owners) : undefined));
  const size = new Map<string, number>();
  for (const key of groupOf) if (key !== undefined) size.set(key, (size.get(key) ?? 0) + 1);

  const results: BacktestResult[] = new Array(outlines.length);
  const waiting = new Map<string, { index: number; series: WorkloadSeries }[]>();
  const judge = (index: number, series: WorkloadSeries, past: ReturnType<typeof pastsOfSeries>[number]): void => {
    const { limitBytes } = series;
    const { detectedAt, ticks: judged } = backtestSeries(series.samples, {
      everySeconds: options.everySeconds,
      options: options.detect,
      past,
      ...(limitBytes === undefined ? {} : { limitBytes }),
    });
    results[index] = { labels: series.labels, detectedAt, ticks: judged };
    options.reclaim?.();
  };
  let index = 0;
  const visit = (s: RangeSeries): void => {
    if (isInputOnly(s.labels)) return;
    const i = index++;
    const series = {
      ...s,
      limitBytes:
        limits.get(seriesKey(s.labels.namespace, s.labels.pod, s.labels.container))?.bytes ?? options.limitBytes,
    };
    const key = groupOf[i];
    if (key === undefined || size.get(key)! < 2) return judge(i, series, null);
    const members = [...(waiting.get(key) ?? []), { index: i, series }];
    if (members.length < size.get(key)!) return void waiting.set(key, members);
    waiting.delete(key);
    const pasts = pastsOfSeries(
      members.map((m) => m.series),
      owners,
      options.detect,
    );
    members.forEach((m, n) => judge(m.index, m.series, pasts[n]!));
  };
  if (held) held.forEach(visit);
  else await streamRangeFile(options.input, visit);
  if (index !== outlines.length || waiting.size > 0)
    throw new UsageError(`--input ${options.input} changed while it was read: run the backtest again`);
  return results;
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
