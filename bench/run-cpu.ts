/**
 * CPU of one run beyond the fetch: `runOnce` over the fleet's targets (bench/fleet.ts) with the
 * Prometheus answers prepared in memory and handed over series by series as the streaming client does,
 * so what is measured is judging, pairing, policy, logging and the summary — the part of a run that
 * makes its wall time exceed its fetch. No Prometheus, no cluster: a quick before/after for changes to
 * detect/ and the run, with a CPU profile of it. Prints figures; nothing is asserted.
 *   node --no-opt --max-semi-space-size=1 --expose-gc --import tsx bench/run-cpu.ts [--targets 1000] [--repeat 5]
 *        [--profile out.cpuprofile] [--allocations out.heapprofile]
 * `--allocations` writes V8's allocation samples of the first run (`out.first.heapprofile`) and of the
 * runs after it, and prints the heap bytes each allocated: unlike CPU time, not stretched by load.
 * (the image's Node flags, as the run has them). The first run warms the code and prints a digest of
 * the summary (verdicts, reasons, plan, the printed table): an optimisation must leave it unchanged.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildCatalog } from '../src/catalog/catalog.js';
import { createLogger, logDestination } from '../src/cli/logger.js';
import { exposedGc } from '../src/cli/reclaim.js';
import { parseConfig } from '../src/config/load.js';
import { MemoryCluster } from '../src/demo/memory-cluster.js';
import type {
  InstantResult,
  MetricsAnswer,
  MetricsSource,
  RangeQuery,
  RangeResult,
  RangeSeries,
} from '../src/prom/types.js';
import { renderSummary } from '../src/report/verdict-table.js';
import { runOnce } from '../src/run/index.js';
import { fleetConfigText, fleetSeries, fleetTargets } from './fleet.js';
import { median } from './report.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '1000' },
    repeat: { type: 'string', default: '5' },
    profile: { type: 'string' },
    /** Sampling heap profiles of every allocation, collected or not: the first run and the runs after it. */
    allocations: { type: 'string' },
  },
});
const count = Number(values.targets);
const SCRAPE_SECONDS = 60;
const HOURS = 24;
const end = 1_800_000_000;
const first = end - (Math.floor((HOURS * 3600) / SCRAPE_SECONDS) - 1) * SCRAPE_SECONDS;
const now = end + 30;

/** Each pod's raw working set (one value a scrape from `first`), kept as one column. */
const raw = new Map<string, Float64Array>();
for (const s of fleetSeries(count, end, HOURS, SCRAPE_SECONDS))
  raw.set(
    s.labels.pod!,
    Float64Array.from(s.samples, (x) => x.v),
  );

/**
 * Prometheus' answers to the built-in queries, read from the query's selection: the minimum of each
 * step, as the profile query asks. Made once per query and copied for each answer, as a parsed answer
 * would be fresh columns; the time spent here is not the run's and is subtracted.
 */
class PreparedAnswers implements MetricsSource {
  private readonly made = new Map<string, RangeSeries[]>();
  spentMs = 0;
  /** When the last answer was handed over (CPU and wall): what the run does after it adds to its wall. */
  lastAnswer = { cpu: process.cpuUsage(), atMs: 0 };

  async query(): Promise<MetricsAnswer<InstantResult>> {
    return { outcome: 'answered', series: [{ labels: {}, sample: { t: now, v: now } }], warnings: [] };
  }

  async queryRange(query: RangeQuery): Promise<MetricsAnswer<RangeResult>> {
    const started = performance.now();
    const selection = query.selection!;
    const pods = selection.pods === undefined ? undefined : new RegExp(`^(?:${selection.pods})$`);
    const series = this.all(query)
      .filter((s) => !pods || pods.test(s.labels.pod!))
      .map((s) => ({ labels: { ...s.labels }, samples: { t: s.samples.t.slice(), v: s.samples.v.slice() } }));
    this.spentMs += performance.now() - started;
    for (const s of series) query.onSeries?.(s);
    this.lastAnswer = { cpu: process.cpuUsage(), atMs: performance.now() };
    return { outcome: 'answered', series, warnings: [] };
  }

  private all({ start, end: last, stepSeconds }: RangeQuery): RangeSeries[] {
    const key = `${start}/${last}/${stepSeconds}`;
    const known = this.made.get(key);
    if (known) return known;
    const made: RangeSeries[] = [];
    for (const [pod, v] of raw) {
      const t: number[] = [];
      const low: number[] = [];
      for (let at = start; at <= last; at += stepSeconds) {
        let least = Infinity;
        const from = Math.max(0, Math.floor((at - stepSeconds - first) / SCRAPE_SECONDS) + 1);
        const to = Math.min(v.length - 1, Math.floor((at - first) / SCRAPE_SECONDS));
        for (let i = from; i <= to; i++)
          if (first + i * SCRAPE_SECONDS > at - stepSeconds) least = Math.min(least, v[i]!);
        if (least === Infinity) continue;
        t.push(at);
        low.push(least);
      }
      made.push({
        labels: { namespace: 'bench', pod, container: 'manager' },
        samples: { t: Float64Array.from(t), v: Float64Array.from(low) },
      });
    }
    this.made.set(key, made);
    return made;
  }
}

const metrics = new PreparedAnswers();
const targets = fleetTargets(count, first - 3600);
const config = parseConfig(fleetConfigText('http://127.0.0.1:9', count));
const catalog = buildCatalog();
// Logs are written as in production (the CLI's logger: JSON lines, one per target, secrets redacted), but to /dev/null.
const logger = createLogger('info', logDestination('/dev/null'));
const reclaim = exposedGc();

/** Garbage collections V8 reports while a run is measured: young-generation (scavenges) and full ones, in ms. */
const collections = { young: 0, youngMs: 0, full: 0, fullMs: 0, spans: [] as { startMs: number; ms: number }[] };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { kind } = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail ?? {};
    collections.spans.push({ startMs: entry.startTime, ms: entry.duration });
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      collections.young++;
      collections.youngMs += entry.duration;
    } else {
      collections.full++;
      collections.fullMs += entry.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });
const gcText = (): string =>
  `gc ${collections.young} young ${collections.youngMs.toFixed(0)} ms, ${collections.full} full ${collections.fullMs.toFixed(0)} ms`;

/**
 * One run: its CPU (ms) beyond the prepared answers and after the last of them (`tail`: what a real run
 * adds to its wall once Prometheus has answered), its collections, and (`withDigest`) a digest of what
 * it printed and decided.
 */
async function runMeasured(
  withDigest = false,
): Promise<{ cpuMs: number; tailCpuMs: number; digest: string; gc: string; tailGcMs: number }> {
  metrics.spentMs = 0;
  Object.assign(collections, { young: 0, youngMs: 0, full: 0, fullMs: 0, spans: [] });
  const started = process.cpuUsage();
  const summary = await runOnce({
    config,
    cluster: new MemoryCluster(targets),
    metrics,
    catalog,
    logger,
    identity: { identity: 'bench', namespace: 'bench' },
    ...(reclaim ? { reclaim } : {}),
  });
  const text = renderSummary(summary);
  const { user, system } = process.cpuUsage(started);
  const tail = process.cpuUsage(metrics.lastAnswer.cpu);
  await new Promise((resolve) => setTimeout(resolve, 20)); // the collections' entries come on a later turn
  const gc = gcText();
  const digest = !withDigest
    ? ''
    : createHash('sha256')
        .update(text)
        .update(JSON.stringify(summary.targets))
        .update(JSON.stringify(summary.plan))
        .digest('hex')
        .slice(0, 16);
  return {
    cpuMs: (user + system) / 1000 - metrics.spentMs,
    tailCpuMs: (tail.user + tail.system) / 1000,
    digest,
    gc,
    tailGcMs: collections.spans.reduce((sum, c) => (c.startMs >= metrics.lastAnswer.atMs ? sum + c.ms : sum), 0),
  };
}

const session = new Session();
session.connect();
/** Heap bytes allocated (sampled, collected or not) while `work` runs, with the profile written to `file`. */
async function allocated<T>(work: () => Promise<T>, file: string): Promise<{ result: T; mb: number }> {
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const result = await work();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(file, JSON.stringify(profile));
  const bytes = (node: { selfSize: number; children: (typeof node)[] }): number =>
    node.children.reduce((sum, child) => sum + bytes(child), node.selfSize);
  return { result, mb: bytes(profile.head) / 2 ** 20 };
}

// The first run is what a CronJob's fresh process pays: the code is cold, and until V8 optimises it,
// doubles are boxed on the heap, so it allocates (and collects) more than the runs after it.
const coldRun = values.allocations
  ? await allocated(() => runMeasured(true), values.allocations.replace(/(\.heapprofile)?$/, '.first$1'))
  : { result: await runMeasured(true), mb: Number.NaN };
const warm = coldRun.result;
console.log(
  `${count} targets; first run (code cold): cpu ${warm.cpuMs.toFixed(0)} ms` +
    `${values.allocations ? `, allocated ${coldRun.mb.toFixed(1)} MB` : ''}; ${warm.gc}; summary digest ${warm.digest}`,
);
console.log(
  `  after the last answer: cpu ${warm.tailCpuMs.toFixed(0)} ms, of it collecting ${warm.tailGcMs.toFixed(0)} ms`,
);
if (values.profile) {
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
let lastGc = '';
const tails: number[] = [];
const tailGcs: number[] = [];
const repeats = async (): Promise<number[]> => {
  const cpus: number[] = [];
  for (let i = 0; i < Number(values.repeat); i++) {
    const run = await runMeasured();
    cpus.push(run.cpuMs);
    tails.push(run.tailCpuMs);
    tailGcs.push(run.tailGcMs);
    lastGc = run.gc;
  }
  return cpus;
};
const after = values.allocations ? await allocated(repeats, values.allocations) : { result: await repeats(), mb: 0 };
const cpus = after.result;
if (values.profile) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(values.profile, JSON.stringify(profile));
}
if (values.allocations)
  console.log(`runs after it: allocated ${(after.mb / cpus.length).toFixed(1)} MB per run (sampled)`);
console.log(
  `runs after it: cpu beyond the fetch, median ${median(cpus).toFixed(0)} ms [${cpus.map((c) => c.toFixed(0)).join(' ')}]; last run ${lastGc}`,
);
console.log(
  `  after the last answer: cpu median ${median(tails).toFixed(0)} ms [${tails.map((c) => c.toFixed(0)).join(' ')}], ` +
    `of it collecting ${median(tailGcs).toFixed(0)} ms`,
);
