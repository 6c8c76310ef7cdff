/**
 * Section 2 of `npm run bench`: one run over the fleet's targets against a real Prometheus (the test
 * harness' Debian Prometheus, backfilled with promtool), each run a fresh process bundled like the CLI.
 * Besides leakguard as shipped and the naive approach, a few "levers" show what moves the figures.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions, splitOptions } from '../scripts/bundle-options.mjs';
import { PrometheusSource } from '../src/prom/prometheus.js';
import { profileQuery } from '../src/prom/queries.js';
import { METRIC, openMetricsChunks } from '../test/support/memory-history.js';
import { startPrometheus, type RunningPrometheus } from '../test/support/prometheus.js';
import { FLEET, fleetSeries, isLeaking } from './fleet.js';
import { mb, median, ms, type Row } from './report.js';
import type { RunChildResult } from './run-child.js';
import { shippedRuntime } from './shipped.js';
import { lastJson, spawnCapture } from './spawn.js';
import { timelineLines } from './timeline.js';
import { answered } from '../test/support/answers.js';

export const HISTORY_HOURS = 24;
export const SCRAPE_SECONDS = 60;
const NAIVE_CONCURRENCY = 8;
const CHILD_DIR = '.tmp-bench/run-child';
const CHILD_BUNDLE = `${CHILD_DIR}/run-child.mjs`;
/** The child builds its clients as `leakguard run` does, from a kubeconfig; nothing ever calls this server. */
const CHILD_KUBECONFIG = '.tmp-bench/kubeconfig.yaml';
const UNUSED_KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: bench, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: bench, user: {token: unused}}]
contexts: [{name: bench, context: {cluster: bench, user: bench, namespace: leakguard}}]
current-context: bench
`;
/** The child runs with the container image's Node flags and environment (read from the Dockerfile). */
const SHIPPED = shippedRuntime();

export interface Variant {
  name: string;
  mode: 'batched' | 'naive';
  /** The child bundle it runs (default: this tree's). */
  bundle?: string;
  nodeFlags: string[];
  env: Record<string, string>;
  acceptEncoding?: string;
}

export const BATCHED: Variant = { name: 'batched (as shipped)', mode: 'batched', ...SHIPPED };
const NAIVE: Variant = { name: `naive (1 query/pod, ${NAIVE_CONCURRENCY} at a time)`, mode: 'naive', ...SHIPPED };
const LEVERS: Variant[] = [
  { name: 'batched, Node and glibc defaults', mode: 'batched', nodeFlags: [], env: {} },
  {
    name: 'batched, TurboFan on (no --no-opt)',
    mode: 'batched',
    nodeFlags: SHIPPED.nodeFlags.filter((f) => f !== '--no-opt'),
    env: SHIPPED.env,
  },
  {
    name: 'batched, --enable-source-maps',
    mode: 'batched',
    nodeFlags: [...SHIPPED.nodeFlags, '--enable-source-maps'],
    env: SHIPPED.env,
  },
  { name: 'batched, Accept-Encoding: identity', mode: 'batched', ...SHIPPED, acceptEncoding: 'identity' },
];

export interface FleetOptions {
  targets: number;
  repeat: number;
  levers: boolean;
  /** Prints the last batched run's timeline (bench/timeline.ts). */
  timeline?: boolean;
  /** `--baseline REF[,REF…]`: the run as each REF's tree had it (`baselineVariant`), interleaved with this tree's. */
  baselines?: Variant[];
}

export async function fleetSection(options: FleetOptions): Promise<Row[]> {
  const { prometheus, podStart } = await startFleetPrometheus(options.targets);
  try {
    await warmUp(prometheus.url, options.targets);
    await bundleChild();
    // One query per pod is shown beside the batched run at 1,000 targets; past that it only takes time.
    const variants = [
      ...(options.baselines ?? []),
      BATCHED,
      ...(options.targets <= 1000 ? [NAIVE, ...(options.levers ? LEVERS : [])] : []),
    ];
    console.log(
      `  each run: a fresh process (${CHILD_BUNDLE}, bundled like the CLI; node ${SHIPPED.nodeFlags.join(' ')}, ${envText(SHIPPED.env)} as in the image);`,
    );
    console.log(`  ${options.repeat} runs per variant, interleaved; median wall and fetch, highest peak RSS`);
    const results = new Map<Variant, RunChildResult[]>(variants.map((v) => [v, []]));
    // Interleaved, so that load from other work on the machine falls on every variant alike.
    for (let i = 0; i < options.repeat; i++) {
      for (const variant of variants)
        results.get(variant)!.push(
          await runChild(prometheus.url, variant, options.targets, podStart, {
            args: options.timeline && variant === BATCHED ? ['--timeline'] : [],
          }),
        );
    }
    for (const variant of variants) {
      if (variant === LEVERS[0]) console.log('  levers (diagnostics, not targets):');
      printVariant(variant, results.get(variant)!);
    }
    const timeline = results.get(BATCHED)!.at(-1)!.timeline;
    if (timeline) {
      console.log('  timeline of the last batched run (wall since it began, CPU of this process and of Prometheus):');
      for (const line of timelineLines(timeline)) console.log(`    ${line}`);
    }
    return rows(options, results.get(BATCHED)!, results.get(NAIVE) ?? []);
  } finally {
    await prometheus.stop();
  }
}

/** Issue #27's targets: peak RSS by fleet size (the chart's 256 Mi limit above them all). */
function rssTarget(targets: number): number {
  return targets <= 1000 ? 120e6 : 200e6;
}

export function fleetRows(label: string, targets: number, repeat: number, batched: RunChildResult[]): Row[] {
  const wall = median(batched.map((r) => r.wallMs));
  const fetch = median(batched.map((r) => r.fetchMs));
  const alone = median(batched.map((r) => r.fetchAloneMs));
  const rss = Math.max(...batched.map((r) => r.maxRssBytes));
  const queries = Math.max(...batched.map((r) => r.rangeQueries));
  const leaking = Array.from({ length: targets }, (_, i) => i).filter(isLeaking).length;
  const found = batched[0]!.verdicts['leaking'] ?? 0;
  const complete = found === leaking && batched.every((r) => r.failures.length === 0 && r.targets === targets);
  console.log(
    `  leaking verdicts ${found} of ${leaking} leaking pods in the data${complete ? '' : ' — MISMATCH or FAILURES: the figures above are not of the intended workload'}`,
  );
  return [
    {
      figure: `${label}run over ${targets} targets, wall / fetch in the run / fetch alone (median of ${repeat})`,
      measured: `${ms(wall)} / ${ms(fetch)} / ${ms(alone)}`,
      target: 'report',
      ok: complete ? null : false,
    },
    {
      figure: `${label}run over ${targets} targets, wall ÷ fetch alone (÷ fetch in the run)`,
      measured: `${(wall / alone).toFixed(2)}x (${(wall / fetch).toFixed(2)}x)`,
      target: '<= 1.2x',
      ok: complete && wall <= 1.2 * alone,
    },
    {
      figure: `${label}range queries (window${targets > 1000 ? ' shards' : ''} + workload history)`,
      measured: String(queries),
      target: 'report',
      ok: null,
    },
    {
      figure: `${label}peak RSS of the run process, ${targets} targets`,
      measured: mb(rss),
      target: `<= ${mb(rssTarget(targets))}`,
      ok: rss <= rssTarget(targets),
    },
  ];
}

function rows(options: FleetOptions, batched: RunChildResult[], naive: RunChildResult[]): Row[] {
  const out = fleetRows('', options.targets, options.repeat, batched);
  if (naive.length === 0) return out;
  const wall = median(batched.map((r) => r.wallMs));
  const naiveWall = median(naive.map((r) => r.wallMs));
  const agree = batched.every((r) => sameVerdicts(r, naive[0]!)) && naive.every((r) => sameVerdicts(r, batched[0]!));
  console.log(
    `  naive / batched wall: ${(naiveWall / wall).toFixed(1)}x; verdicts ${agree ? 'identical in every run' : 'DIFFER between runs or approaches'}`,
  );
  return [
    ...out,
    {
      figure: `naive: ${naive[0]!.rangeQueries} range queries, ${NAIVE_CONCURRENCY} at a time`,
      measured: ms(naiveWall),
      target: 'report',
      ok: null,
    },
    { figure: 'naive / batched wall', measured: `${(naiveWall / wall).toFixed(1)}x`, target: 'report', ok: null },
    {
      figure: 'naive peak RSS',
      measured: mb(Math.max(...naive.map((r) => r.maxRssBytes))),
      target: 'report',
      ok: null,
    },
  ];
}

function sameVerdicts(a: RunChildResult, b: RunChildResult): boolean {
  const text = (r: RunChildResult): string => JSON.stringify(Object.entries(r.verdicts).sort());
  return text(a) === text(b) && a.failures.length === 0 && b.failures.length === 0;
}

export function printVariant(variant: Variant, runs: RunChildResult[]): void {
  const last = runs.at(-1)!;
  const verdicts = Object.entries(last.verdicts)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const failures = runs.flatMap((r) => r.failures);
  console.log(
    `  ${variant.name.padEnd(36)} wall ${ms(median(runs.map((r) => r.wallMs))).padStart(7)} [${runs.map((r) => ms(r.wallMs)).join(' ')}]` +
      `  fetch ${ms(median(runs.map((r) => r.fetchMs)))} (alone ${ms(median(runs.map((r) => r.fetchAloneMs)))})` +
      `  cpu ${ms(median(runs.map((r) => r.cpuMs)))} (fetch alone ${ms(median(runs.map((r) => r.fetchAloneCpuMs)))})` +
      `  range queries ${last.rangeQueries}` +
      `  RSS loaded ${mb(Math.max(...runs.map((r) => r.rssBeforeBytes)))}, after fetch ${mb(Math.max(...runs.map((r) => r.maxRssAfterFetchBytes)))}, peak ${mb(Math.max(...runs.map((r) => r.maxRssBytes)))}`,
  );
  console.log(
    `  ${''.padEnd(36)} ${last.series} series, ${last.samples} samples; verdicts: ${verdicts}; actions ${last.actions}${failures.length ? `; FAILURES: ${[...new Set(failures)].join('; ')}` : ''}`,
  );
}

/**
 * The fleet's history up to a minute ago as OpenMetrics, made one series at a time as promtool's input
 * file is written (10,000 targets are ~1.7 GB of text), and when its pods started (an hour before it).
 */
export function fleetOpenMetrics(targets: number): { chunks: () => Iterable<string>; podStart: number } {
  const end = Math.floor(Date.now() / 1000 / SCRAPE_SECONDS) * SCRAPE_SECONDS - SCRAPE_SECONDS;
  const steps = Math.floor((HISTORY_HOURS * 3600) / SCRAPE_SECONDS);
  console.log(
    `  history: ${targets} containers x ${HISTORY_HOURS} h at ${SCRAPE_SECONDS} s = ${(targets * steps).toLocaleString('en')} samples, streamed to promtool`,
  );
  return {
    chunks: () => openMetricsChunks(METRIC, fleetSeries(targets, end, HISTORY_HOURS, SCRAPE_SECONDS)),
    podStart: end - (steps - 1) * SCRAPE_SECONDS - 3600,
  };
}

async function startFleetPrometheus(targets: number): Promise<{ prometheus: RunningPrometheus; podStart: number }> {
  const { chunks, podStart } = fleetOpenMetrics(targets);
  const started = performance.now();
  const prometheus = await startPrometheus({ openMetrics: chunks() });
  console.log(`  Prometheus: backfilled with promtool and ready in ${ms(performance.now() - started)}`);
  return { prometheus, podStart };
}

/** Touch the data once so that every variant, the first included, meets a warm TSDB. */
async function warmUp(url: string, targets: number): Promise<void> {
  const source = new PrometheusSource({ url, version: 'bench', maxSeries: targets + 100, maxResponseBytes: 2 ** 31 });
  const now = (await answered(source.query({ query: 'time()' }))).series[0]!.sample.v;
  const query = profileQuery({ namespace: FLEET.namespace, container: FLEET.container }, { step: 300, matchers: '' });
  const result = await answered(
    source.queryRange({ query, start: now - HISTORY_HOURS * 3600, end: now, stepSeconds: 300 }),
  );
  if (result.series.length !== targets)
    throw new Error(`Prometheus holds ${result.series.length} series for the fleet, expected ${targets}`);
}

/** Bundled the way scripts/build.mjs bundles the CLI (split into lazily loaded chunks), so no tsx in the RSS. */
export async function bundleChild(): Promise<void> {
  await build({
    ...bundleOptions,
    ...splitOptions,
    entryPoints: ['bench/run-child.ts'],
    outdir: CHILD_DIR,
    entryNames: 'run-child',
  });
  writeFileSync(CHILD_KUBECONFIG, UNUSED_KUBECONFIG);
}

/**
 * The run child of another commit (`git archive REF`, this tree's node_modules), bundled alike: run
 * beside this tree's, interleaved, it gives a before/after from one command under the same load.
 */
export async function baselineVariant(ref: string, k = 0): Promise<Variant> {
  const source = resolve(`.tmp-bench/baseline-src-${k}`);
  rmSync(source, { recursive: true, force: true });
  mkdirSync(source, { recursive: true });
  execSync(`git archive ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(source)}`);
  symlinkSync(resolve('node_modules'), `${source}/node_modules`);
  const commit = execSync(`git rev-parse --short ${JSON.stringify(`${ref}^{commit}`)}`)
    .toString()
    .trim();
  await build({
    ...bundleOptions,
    ...splitOptions,
    absWorkingDir: source,
    entryPoints: [`${source}/bench/run-child.ts`],
    outdir: resolve(`${CHILD_DIR}-baseline-${k}`),
    entryNames: 'run-child',
  });
  // Run as REF's image ran it: its Dockerfile's Node flags and environment, so a change of flags is measured too.
  const shipped = shippedRuntime(`${source}/Dockerfile`);
  return {
    ...BATCHED,
    ...shipped,
    name: `baseline ${ref} (${commit}; node ${shipped.nodeFlags.join(' ')})`,
    bundle: `${CHILD_DIR}-baseline-${k}/run-child.mjs`,
  };
}

/** One run in a fresh process; `extra` adds child arguments and environment (the kwok fleet's cluster). */
export async function runChild(
  url: string,
  variant: Variant,
  targets: number,
  podStart: number,
  extra: { args?: string[]; env?: Record<string, string> } = {},
): Promise<RunChildResult> {
  const args = [
    ...variant.nodeFlags,
    variant.bundle ?? CHILD_BUNDLE,
    '--url',
    url,
    '--mode',
    variant.mode,
    '--targets',
    String(targets),
    '--pod-start',
    String(podStart),
    ...(extra.args ?? []),
  ];
  if (variant.mode === 'naive') args.push('--concurrency', String(NAIVE_CONCURRENCY));
  if (variant.acceptEncoding) args.push('--accept-encoding', variant.acceptEncoding);
  // NODE_OPTIONS from the caller's shell would change what is measured: the child gets only its flags.
  // The caller's NODE_OPTIONS, malloc tuning or POD_NAME would change what is measured: the child gets the variant's.
  const { NODE_OPTIONS: _options, MALLOC_ARENA_MAX: _arenas, POD_NAME: _pod, ...env } = process.env;
  return lastJson<RunChildResult>(
    `run child (${variant.name})`,
    await spawnCapture(process.execPath, args, {
      ...env,
      NODE_ENV: 'production',
      ...variant.env,
      KUBECONFIG: CHILD_KUBECONFIG,
      ...extra.env,
    }),
  );
}

function envText(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
