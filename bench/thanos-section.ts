/**
 * Section 6 of `npm run bench`: the 1,000-target run of section 2 answered by Thanos Query over two
 * Prometheus replicas (each with its sidecar, `--query.replica-label=replica`), beside the same run
 * against one of those replicas directly. Same data, same process bundle, runs interleaved.
 * Skipped (and said so) when thanos is not built (test/support/build-thanos.sh).
 */
import { startThanos, thanosBinary } from '../test/support/thanos.js';
import { BATCHED, bundleChild, fleetOpenMetrics, fleetRows, printVariant, runChild } from './fleet-section.js';
import { median, ms, type Row } from './report.js';
import type { RunChildResult } from './run-child.js';

export async function thanosSection(targets: number, repeat: number): Promise<Row[]> {
  const { path, built } = thanosBinary();
  if (!built) {
    console.log(`  skipped: thanos is not built (${path}); run test/support/build-thanos.sh`);
    return [
      {
        figure: `run over ${targets} targets via Thanos Query`,
        measured: 'skipped',
        target: 'thanos not built',
        ok: null,
      },
    ];
  }
  const { chunks, podStart } = fleetOpenMetrics(targets);
  let started = performance.now();
  const thanos = await startThanos(
    ['a', 'b'].map((replica) => ({ openMetrics: chunks(), externalLabels: { cluster: 'bench', replica } })),
  );
  console.log(
    `  two replicas backfilled with it, sidecars and Thanos Query ready in ${ms(performance.now() - started)}`,
  );
  try {
    await bundleChild();
    const direct = thanos.replicas[0]!.prometheus.url;
    const sides = [
      { name: 'Prometheus replica a directly', url: direct },
      { name: 'Thanos Query over a and b', url: thanos.url },
    ];
    const results = new Map<string, RunChildResult[]>(sides.map((s) => [s.name, []]));
    started = performance.now();
    // One untimed run each first: both stores meet the query warm.
    for (const side of sides) await runChild(side.url, BATCHED, targets, podStart);
    for (let i = 0; i < repeat; i++) {
      for (const side of sides) results.get(side.name)!.push(await runChild(side.url, BATCHED, targets, podStart));
    }
    for (const side of sides) printVariant({ ...BATCHED, name: side.name }, results.get(side.name)!);
    const [viaPrometheus, viaThanos] = sides.map((s) => results.get(s.name)!);
    const wall = median(viaThanos!.map((r) => r.wallMs));
    const directWall = median(viaPrometheus!.map((r) => r.wallMs));
    const same = JSON.stringify(viaThanos![0]!.verdicts) === JSON.stringify(viaPrometheus![0]!.verdicts);
    console.log(
      `  verdicts ${same ? 'identical' : 'DIFFER'} via Thanos and directly; ${ms(performance.now() - started)} for all runs`,
    );
    return [
      ...fleetRows('via Thanos: ', targets, repeat, viaThanos!),
      {
        figure: `run over ${targets} targets via Thanos Query, wall (median of ${repeat})`,
        measured: ms(wall),
        target: `<= 1.5x direct (${ms(directWall)})`,
        ok: wall <= 1.5 * directWall,
      },
      {
        figure: 'via Thanos / direct wall',
        measured: `${(wall / directWall).toFixed(2)}x`,
        target: 'report',
        ok: null,
      },
      { figure: 'via Thanos: verdicts same as direct', measured: same ? 'yes' : 'no', target: 'yes', ok: same },
    ];
  } finally {
    await thanos.stop();
  }
}
