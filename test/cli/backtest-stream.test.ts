// `leakguard backtest` reads its file series by series (two streamed reads, one workload in memory at a
// time): its results must be exactly those of judging the whole file held in memory, as it was before.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backtestFile, type BacktestResult } from '../../src/cli/commands/backtest.js';
import { readHistoryFile } from '../../src/cli/input.js';
import { backtestSeries, defaultDetectOptions, pastsOfSeries } from '../../src/detect/index.js';
import { CORPUS_START_SECONDS, generateCorpus } from '../corpus/corpus.js';
import { generateWorkloads } from '../corpus/workloads.js';

const dir = mkdtempSync(join(tmpdir(), 'leakguard-backtest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The whole file read and judged at once: the backtest as it was before it streamed. */
async function heldInMemory(
  input: string,
  everySeconds: number,
  limitBytes: number | undefined,
): Promise<BacktestResult[]> {
  const { series, owners } = await readHistoryFile(input, limitBytes);
  const pasts = pastsOfSeries(series, owners, defaultDetectOptions);
  return series.map(({ labels, samples, limitBytes: limit }, i) => {
    const { detectedAt, ticks } = backtestSeries(samples, {
      everySeconds,
      options: defaultDetectOptions,
      past: pasts[i]!,
      ...(limit === undefined ? {} : { limitBytes: limit }),
    });
    return { labels, detectedAt, ticks };
  });
}

describe('backtest read as a stream', () => {
  it('gives the same results, byte for byte, as judging the file held in memory', async () => {
    const pods = generateWorkloads({ seed: 3, perFamily: 1, days: 3, startSeconds: CORPUS_START_SECONDS });
    const singles = generateCorpus({ seed: 3, perFamily: 1, hours: 48 });
    // Pods of one workload far apart in the file, limits and owners before and after their pods, a
    // series without a pod label, and a limit newer than another for the same container.
    const working = [...pods.filter((_, i) => i % 2 === 0), ...singles, ...pods.filter((_, i) => i % 2 === 1)];
    const row = (metric: Record<string, string>, values: [number, string][]) => ({ metric, values });
    const result = [
      ...pods.slice(0, 3).map((p) =>
        row(
          {
            __name__: 'kube_pod_owner',
            namespace: p.labels.namespace!,
            pod: p.labels.pod!,
            owner_kind: 'ReplicaSet',
            owner_name: 'shared-6b7c9d5f4',
          },
          [[CORPUS_START_SECONDS, '1']],
        ),
      ),
      ...working.map((s) =>
        row(
          { __name__: 'container_memory_working_set_bytes', ...s.labels },
          s.samples.map((p) => [p.t, String(p.v)]),
        ),
      ),
      ...singles
        .slice(0, 4)
        .map((s, k) =>
          row({ __name__: 'kube_pod_container_resource_limits', resource: 'memory', ...s.labels }, [
            [CORPUS_START_SECONDS + k, String(600 * 2 ** 20)],
          ]),
        ),
      row({ __name__: 'container_spec_memory_limit_bytes', ...singles[0]!.labels }, [
        [CORPUS_START_SECONDS + 3600, String(900 * 2 ** 20)],
      ]),
      row(
        { __name__: 'process_resident_memory_bytes', job: 'x' },
        singles[1]!.samples.map((p) => [p.t, String(p.v)]),
      ),
    ];
    const input = join(dir, 'mixed.json');
    writeFileSync(input, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
    for (const limitBytes of [undefined, 1024 * 2 ** 20]) {
      const streamed = await backtestFile({
        input,
        everySeconds: 900,
        limitBytes,
        detect: defaultDetectOptions,
        output: 'json',
      });
      const held = await heldInMemory(input, 900, limitBytes);
      expect(JSON.stringify(streamed)).toBe(JSON.stringify(held));
      // The file exercises what the comparison is about: detections, and pasts from earlier pods.
      expect(streamed.filter((r) => r.detectedAt !== null).length).toBeGreaterThan(3);
      expect(streamed).toHaveLength(working.length + 1);
    }
  }, 120_000);

  it('lets garbage be collected between series (the image exposes gc): once per series judged', async () => {
    const singles = generateCorpus({ seed: 4, perFamily: 1, hours: 12 }).slice(0, 5);
    const input = join(dir, 'reclaim.json');
    const result = singles.map((s) => ({ metric: s.labels, values: s.samples.map((p) => [p.t, String(p.v)]) }));
    writeFileSync(input, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
    const judged: number[] = [];
    const results = await backtestFile({
      input,
      everySeconds: 900,
      limitBytes: undefined,
      detect: defaultDetectOptions,
      output: 'json',
      reclaim: () => judged.push(judged.length),
    });
    expect(results).toHaveLength(5);
    expect(judged).toHaveLength(5);
  });

  it('names a bad series by its place in the file, as before', async () => {
    const input = join(dir, 'bad.json');
    writeFileSync(
      input,
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            { metric: { pod: 'a' }, values: [[1, '1']] },
            {
              metric: { pod: 'b' },
              values: [
                [1, '1'],
                [2, 'abc'],
              ],
            },
          ],
        },
      }),
    );
    await expect(
      backtestFile({ input, everySeconds: 900, limitBytes: undefined, detect: defaultDetectOptions, output: 'json' }),
    ).rejects.toThrow(
      `--input ${input} is not a Prometheus query_range response: data.result[1].values[1][1]: expected a numeric string, got "abc"`,
    );
  });
});
