/**
 * Section 8 of `npm run bench`: `leakguard backtest` of a saved query_range file, run as the bundled
 * CLI with the image's Node flags: the corpus of section 1 (128 series × 72 h at 60 s, ~15 MB) and a
 * file ten times its size (1,280 series). Peak RSS (getrusage of the child, through /usr/bin/time) and
 * wall; the file is read as a stream, so memory should follow the largest workload, not the file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { generateCorpus, toQueryRange } from '../test/corpus/corpus.js';
import { mb, ms, type Row } from './report.js';
import { shippedRuntime } from './shipped.js';

const MAX_RSS_BYTES = 120e6;

function corpusFile(series: number): string {
  const path = `.tmp-bench/backtest-${series}.json`;
  if (!existsSync(path)) {
    mkdirSync('.tmp-bench', { recursive: true });
    // The section 1 corpus, repeated with other seeds for the larger file.
    const all = Array.from({ length: Math.ceil(series / 128) }, (_, k) =>
      generateCorpus({ seed: 1 + k, perFamily: Math.ceil(128 / 15) })
        .slice(0, 128)
        .map((s) => ({ ...s, labels: { ...s.labels, namespace: `${s.labels.namespace}-${k}` } })),
    ).flat();
    writeFileSync(path, JSON.stringify(toQueryRange(all.slice(0, series))));
  }
  return path;
}

export function backtestMemorySection(): Row[] {
  if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is not installed (Debian package time)');
  const shipped = shippedRuntime();
  const { NODE_OPTIONS: _options, MALLOC_ARENA_MAX: _arenas, ...env } = process.env;
  return [128, 1280].map((series) => {
    const file = corpusFile(series);
    const started = performance.now();
    const result = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        'maxrss=%M',
        process.execPath,
        ...shipped.nodeFlags,
        'bin/leakguard.mjs',
        'backtest',
        '--input',
        file,
        '--output',
        'json',
      ],
      {
        env: { ...env, ...shipped.env },
        encoding: 'utf8',
        maxBuffer: 256 * 2 ** 20,
      },
    );
    const wall = performance.now() - started;
    const kiB = /maxrss=(\d+)/.exec(result.stderr)?.[1];
    if (result.status !== 0 || !kiB)
      throw new Error(`backtest of ${file} exited with ${result.status}:\n${result.stderr.slice(-2000)}`);
    const detected = (JSON.parse(result.stdout) as { detectedAt: number | null }[]).filter(
      (r) => r.detectedAt !== null,
    ).length;
    const rss = Number(kiB) * 1024;
    console.log(
      `  ${series} series x 72 h at 60 s (${mb(statSync(file).size)} file): wall ${ms(wall)}, peak RSS ${mb(rss)}, ${detected} detected`,
    );
    return {
      figure: `backtest of ${series} series x 72 h (${mb(statSync(file).size)} file), peak RSS / wall`,
      measured: `${mb(rss)} / ${ms(wall)}`,
      target: '<= 120 MB',
      ok: rss <= MAX_RSS_BYTES,
    };
  });
}
