/**
 * `leakguard analyze`: a verdict for each series of a saved query_range response, judged at its last
 * sample with the history of its workload's earlier pods in the file.
 */
import { judgeWithPast, lastTime, pastsOfSeries } from '../../detect/index.js';
import type { Values } from '../../model/units.js';
import type { DetectOptions, Verdict } from '../../detect/types.js';
import type { OutputFormat } from '../output.js';
import { readHistoryFile, seriesName } from '../input.js';
import { renderVerdictTable, type VerdictRow } from '../../report/verdict-table.js';

export interface AnalyzeOptions {
  input: string;
  limitBytes: number | undefined;
  detect: DetectOptions;
  output: OutputFormat;
}

export interface AnalyzeResult {
  labels: Record<string, string>;
  verdict: Verdict;
}

interface Judged extends AnalyzeResult {
  values: Values;
}

export async function analyzeFile(options: AnalyzeOptions): Promise<Judged[]> {
  const { series, owners } = await readHistoryFile(options.input, options.limitBytes);
  const pasts = pastsOfSeries(series, owners, options.detect);
  return series.map(({ labels, samples, limitBytes }, i) => {
    const now = lastTime(samples) ?? 0;
    const verdict = judgeWithPast(
      { samples, now, ...(limitBytes === undefined ? {} : { limitBytes }) },
      pasts[i]!,
      options.detect,
    );
    return { labels, verdict, values: samples.v };
  });
}

export async function runAnalyze(options: AnalyzeOptions, print: (text: string) => void): Promise<void> {
  const results = await analyzeFile(options);
  if (options.output === 'json') {
    print(JSON.stringify(results.map(({ labels, verdict }): AnalyzeResult => ({ labels, verdict }))));
    return;
  }
  const rows: VerdictRow[] = results.map(({ labels, verdict, values }) => ({
    name: seriesName(labels),
    verdict,
    values,
  }));
  print(renderVerdictTable(rows));
}
