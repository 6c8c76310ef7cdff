/**
 * The measured part of the run benchmark, in its own process so that its peak RSS is the run's alone:
 * one `runOnce` over the fleet's targets against a real Prometheus. The process is `leakguard run`'s:
 * its dependencies come from the CLI's own wiring (so the Kubernetes client is loaded and counted),
 * and only the cluster is swapped for an in-memory one, there being no API server.
 *   node .tmp-bench/run-child.mjs --url http://127.0.0.1:PORT --targets 1000 --mode batched|naive
 *        [--timeline] [--heap-sampling out.json]
 * `batched` is leakguard as shipped (one range query per profile, and one for the workload history of
 * the pods that can learn from it); `naive` answers the same profile query with one range query per
 * pod, `--concurrency` at a time (the workload history as shipped). Prints one JSON line on stdout.
 * `--timeline` adds what the run did when (bench/timeline.ts; `npm run bench -- --timeline` prints it);
 * `--heap-sampling` writes V8's allocation samples of the run (run it unbundled, through tsx, for names).
 */
import { subscribe } from 'node:diagnostics_channel';
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { renderSummary } from '../src/report/verdict-table.js';
import { createLogger, logDestination } from '../src/cli/logger.js';
import { buildRunDeps } from '../src/cli/wiring.js';
import { parseConfig } from '../src/config/load.js';
import type { Cluster } from '../src/kube/types.js';
import type {
  InstantQuery,
  InstantResult,
  MetricsAnswer,
  MetricsSource,
  RangeQuery,
  RangeResult,
} from '../src/prom/types.js';
import { runOnce } from '../src/run/index.js';
import { MemoryCluster } from '../src/demo/memory-cluster.js';
import { fleetConfigText, fleetTargets, podName } from './fleet.js';
import { peakRssBytes } from './peak-rss.js';
import { Timeline, type Mark } from './timeline.js';

export interface RunChildResult {
  mode: 'batched' | 'naive';
  /** Wall time of runOnce alone (module loading excluded; that is the cold-start figure). */
  wallMs: number;
  /**
   * CPU time (user + system) of this process during the run and during the fetch alone: unlike wall
   * time, not stretched by other work on the machine, so the run's own cost beside the fetch shows.
   */
  cpuMs: number;
  fetchAloneCpuMs: number;
  /** Wall time with at least one range query in flight (the profile's, its shards', or all per-pod ones). */
  fetchMs: number;
  /**
   * The same range queries again after the run, as many at once as the run had in flight, nothing judged:
   * the fetch alone. In the run, series are judged as they stream in, so `fetchMs` holds judging too.
   */
  fetchAloneMs: number;
  rangeQueries: number;
  instantQueries: number;
  series: number;
  samples: number;
  targets: number;
  verdicts: Record<string, number>;
  actions: number;
  failures: string[];
  /** RSS after the modules are loaded, before the run. */
  rssBeforeBytes: number;
  /** Peak RSS of this process once the memory history is in (getrusage maxrss). */
  maxRssAfterFetchBytes: number;
  /** Peak RSS of this process (getrusage maxrss). */
  maxRssBytes: number;
  /** Wall time in each Cluster method (the real API server's, for the kwok fleet). */
  clusterMs: Record<string, number>;
  clusterRss: Record<string, number>;
  /** Requests to the API server by verb and resource (`list pods`, `get deployments`, …), for the kwok fleet. */
  apiCalls: Record<string, number>;
  /** `--timeline`: what the run did when (bench/timeline.ts). */
  timeline?: Mark[];
}

/** Requests this process sends to the API server, counted by verb and resource as they start. */
const apiCalls: Record<string, number> = {};
function countApiCalls(): void {
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: { method: string; path: string } };
    const path = request.path.split('?')[0]!.split('/').filter(Boolean);
    const at = path.indexOf('namespaces');
    const [resource, name, sub] = at >= 0 ? path.slice(at + 2) : path.slice(-2);
    const verb =
      { GET: name === undefined ? 'list' : 'get', POST: 'create', PATCH: 'patch', PUT: 'update', DELETE: 'delete' }[
        request.method
      ] ?? request.method;
    const key = `${verb} ${resource ?? '?'}${sub ? `/${sub}` : ''}`;
    apiCalls[key] = (apiCalls[key] ?? 0) + 1;
  });
}

/** Counts and times the calls that reach the wrapped source. */
class MeteredSource implements MetricsSource {
  rangeQueries = 0;
  instantQueries = 0;
  /** The run's answered range queries, to be asked again without the run (`fetchAlone`). */
  readonly asked: RangeQuery[] = [];
  /** The most range queries in flight at once. */
  maxInFlight = 0;
  rangeMs = 0;
  maxRssAfterFetchBytes = 0;
  series = 0;
  samples = 0;

  constructor(
    private readonly inner: MetricsSource,
    /** Prometheus' `time()` as the run reads it, when set: judges a backfilled Prometheus kept running between runs. */
    private readonly now?: number,
    private readonly timeline?: Timeline,
  ) {}

  /** Range queries in flight, and when the current stretch of waiting began: concurrent shards count once. */
  private inFlight = 0;
  private waitingSince = 0;

  async queryRange(query: RangeQuery): Promise<MetricsAnswer<RangeResult>> {
    this.rangeQueries++;
    if (this.inFlight++ === 0) this.waitingSince = performance.now();
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const number = this.rangeQueries;
    this.timeline?.mark(`range query ${number} sent`);
    try {
      const result = await this.inner.queryRange(this.timeline ? this.timed(query, number) : query);
      this.timeline?.mark(
        `range query ${number} answered (${result.outcome === 'answered' ? result.series.length : 'failed'})`,
      );
      if (result.outcome === 'failed') return result;
      // Asked again by `fetchAlone`, if answered (one refused as too large is read in shards instead).
      const { onSeries: _onSeries, signal: _signal, budget: _budget, ...plain } = query;
      this.asked.push(plain);
      this.series += result.series.length;
      for (const s of result.series) this.samples += s.samples.t.length;
      return result;
    } finally {
      if (--this.inFlight === 0) this.rangeMs += performance.now() - this.waitingSince;
      this.maxRssAfterFetchBytes = peakRssBytes();
    }
  }

  /** The query with its series handed over timed: the first and last handed, and the time judging them. */
  private timed(query: RangeQuery, number: number): RangeQuery {
    const { onSeries } = query;
    if (!onSeries) return query;
    let handed = 0;
    let judgingMs = 0;
    return {
      ...query,
      onSeries: (series) => {
        if (handed++ === 0) this.timeline!.mark(`range query ${number}: first series handed over`);
        const started = performance.now();
        onSeries(series);
        judgingMs += performance.now() - started;
        if (handed % 250 === 0)
          this.timeline!.mark(
            `range query ${number}: ${handed} series handed, ${judgingMs.toFixed(0)} ms judging them`,
          );
      },
    };
  }

  /** The run's range queries asked again, `maxInFlight` at a time, their answers read and dropped: wall ms. */
  async fetchAlone(): Promise<number> {
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.asked.length) {
        const answer = await this.inner.queryRange(this.asked[next++]!);
        if (answer.outcome === 'failed') throw new Error(`fetch alone: ${answer.error.message}`);
      }
    };
    await Promise.all(Array.from({ length: this.maxInFlight }, worker));
    return performance.now() - started;
  }

  async query(query: InstantQuery): Promise<MetricsAnswer<InstantResult>> {
    this.instantQueries++;
    if (this.now !== undefined && query.query === 'time()')
      return { outcome: 'answered', series: [{ labels: {}, sample: { t: this.now, v: this.now } }], warnings: [] };
    return this.inner.query(query);
  }
}

/** The naive approach: the profile's query narrowed to one pod, once per pod, `concurrency` at a time. */
class PerPodSource implements MetricsSource {
  constructor(
    private readonly inner: MetricsSource,
    private readonly pods: readonly string[],
    private readonly concurrency: number,
  ) {}

  async queryRange(query: RangeQuery): Promise<MetricsAnswer<RangeResult>> {
    // The workload history (one query per profile, narrowed to the workloads that can learn) as shipped.
    if (query.query.includes('kube_pod_owner')) return this.inner.queryRange(query);
    const results: MetricsAnswer<RangeResult>[] = new Array(this.pods.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.pods.length) {
        const i = next++;
        results[i] = await this.inner.queryRange({ ...query, query: narrowToPod(query.query, this.pods[i]!) });
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    const failed = results.find((r) => r.outcome === 'failed');
    if (failed) return failed;
    const answers = results as ({ outcome: 'answered' } & RangeResult)[];
    return {
      outcome: 'answered',
      series: answers.flatMap((r) => r.series),
      warnings: answers.flatMap((r) => r.warnings),
    };
  }

  query(query: InstantQuery) {
    return this.inner.query(query);
  }
}

const SELECTOR_START = 'container_memory_working_set_bytes{';

function narrowToPod(query: string, pod: string): string {
  if (!query.includes(SELECTOR_START)) throw new Error(`cannot narrow the query to one pod: ${query}`);
  return query.replace(SELECTOR_START, `${SELECTOR_START}pod=${JSON.stringify(pod)}, `);
}

/** Time spent in each Cluster method (the kwok fleet's API calls), for the report. */
const clusterMs: Record<string, number> = {};
/** Peak RSS of the process when each Cluster method last returned. */
const clusterRss: Record<string, number> = {};
function timed(cluster: Cluster, timeline?: Timeline): Cluster {
  return new Proxy(cluster, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const started = performance.now();
        timeline?.mark(`cluster ${String(key)} called`);
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          clusterMs[String(key)] = (clusterMs[String(key)] ?? 0) + performance.now() - started;
          clusterRss[String(key)] = Math.max(clusterRss[String(key)] ?? 0, peakRssBytes());
          timeline?.mark(`cluster ${String(key)} returned`);
        }
      };
    },
  });
}

/** V8's sampling heap profiler over the run, keeping the samples of objects collected since (allocation volume). */
async function startHeapSampling(): Promise<{ stop: (file: string) => Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 32 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    stop: async (file) => {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      targets: { type: 'string', default: '1000' },
      mode: { type: 'string', default: 'batched' },
      concurrency: { type: 'string', default: '8' },
      'pod-start': { type: 'string' },
      // The time the run judges at (default: Prometheus' own); for a Prometheus backfilled once and kept running.
      now: { type: 'string' },
      // `memory`: the in-memory cluster; `kube`: the API server KUBECONFIG names (the kwok fleet in --namespace).
      cluster: { type: 'string', default: 'memory' },
      namespace: { type: 'string' },
      // `identity` turns off the gzip that axios asks for by default (prometheus.headers can do the same).
      'accept-encoding': { type: 'string' },
      // Marks of what the run did when (bench/timeline.ts), in the JSON's `timeline`.
      timeline: { type: 'boolean', default: false },
      // Every allocation of the run (and the summary), sampled with the stack that made it, collected or not.
      'heap-sampling': { type: 'string' },
    },
  });
  if (!values.url) throw new Error('--url is required');
  if (values.mode !== 'batched' && values.mode !== 'naive')
    throw new Error(`--mode must be batched or naive, got ${values.mode}`);
  const count = Number(values.targets);
  const podStart = values['pod-start'] ? Number(values['pod-start']) : Math.floor(Date.now() / 1000) - 30 * 3600;

  const targets = fleetTargets(count, podStart);
  const encoding = values['accept-encoding'];
  const kube = values.cluster === 'kube';
  const config = parseConfig(
    fleetConfigText(values.url, count, {
      ...(encoding ? { headers: { 'Accept-Encoding': encoding } } : {}),
      ...(kube ? { dryRun: true, namespace: values.namespace! } : {}),
    }),
  );
  // Logs are written as in production (JSON lines, one per target), but to /dev/null.
  const logger = createLogger('info', logDestination('/dev/null'));
  // The CLI's wiring, as `leakguard run` builds it (for the in-memory cluster, KUBECONFIG names an API
  // server that is never called).
  const wired = await buildRunDeps(config, logger);
  const timeline = values.timeline ? new Timeline(values.url) : undefined;
  const http = new MeteredSource(wired.metrics, values.now ? Number(values.now) : undefined, timeline);
  const fetch =
    values.mode === 'batched'
      ? http
      : new MeteredSource(
          new PerPodSource(
            http,
            targets.map((_, i) => podName(i)),
            Number(values.concurrency),
          ),
        );

  if (kube) countApiCalls();
  const rssBeforeBytes = process.memoryUsage.rss();
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const cluster =
    kube || timeline ? timed(kube ? wired.cluster : new MemoryCluster(targets), timeline) : new MemoryCluster(targets);
  const sampling = values['heap-sampling'] ? await startHeapSampling() : undefined;
  timeline?.mark('run starts');
  const summary = await runOnce({ ...wired, metrics: fetch, cluster });
  timeline?.mark('run returned');
  // The human summary the CLI prints (a row and sparkline per target), to /dev/null.
  writeFileSync('/dev/null', renderSummary(summary));
  timeline?.mark('summary printed');
  if (sampling) await sampling.stop(values['heap-sampling']!);
  const wallMs = performance.now() - started;
  const cpuMs = cpuMsSince(cpuStarted);
  const maxRssBytes = peakRssBytes();
  (globalThis as { gc?: () => void }).gc?.();
  const aloneStarted = process.cpuUsage();
  timeline?.mark('fetch alone starts');
  const fetchAloneMs = await http.fetchAlone();
  timeline?.mark('fetch alone done');
  const fetchAloneCpuMs = cpuMsSince(aloneStarted);

  const verdicts: Record<string, number> = {};
  for (const t of summary.targets) verdicts[t.verdict.kind] = (verdicts[t.verdict.kind] ?? 0) + 1;
  const result: RunChildResult = {
    mode: values.mode,
    wallMs,
    cpuMs,
    fetchAloneCpuMs,
    fetchMs: fetch.rangeMs,
    fetchAloneMs,
    rangeQueries: http.rangeQueries,
    instantQueries: http.instantQueries,
    series: http.series,
    samples: http.samples,
    targets: summary.targets.length,
    verdicts,
    actions: summary.actions.length,
    failures: summary.failures,
    rssBeforeBytes,
    maxRssAfterFetchBytes: fetch.maxRssAfterFetchBytes,
    maxRssBytes,
    clusterMs,
    clusterRss,
    apiCalls,
    ...(timeline ? { timeline: timeline.marks } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
