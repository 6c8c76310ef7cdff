/**
 * Observe one profile: its memory history in ONE range query (never per pod), matched back to the
 * discovered targets by (namespace, pod, container) and judged. `run` and `status` both observe through here.
 */
import { judge, judgeWithPast, ownersFromSeries, pastsOfSeries, workloadOfPod, type WorkloadPast } from '../detect/index.js';
import type { SampleColumns } from '../detect/columns.js';
import { resolveOptions } from '../detect/judge.js';
import type { DetectOptions, Verdict } from '../detect/types.js';
import type { Config, ProfileConfig } from '../config/schema.js';
import { describeKubeError } from '../kube/errors.js';
import type { TargetSource } from '../kube/types.js';
import type { TargetFacts } from '../model/workload.js';
import { MetricsError } from '../prom/errors.js';
import type { AnswerBudget, MetricsAnswer, MetricsSource, RangeResult, RangeSeries } from '../prom/types.js';
import { escapeRegex, historyStepSeconds, profileQuery, workloadHistoryQuery } from '../prom/queries.js';
import { fetchInShards, podShards, podsPerShard } from '../prom/shards.js';

export function seriesKey(namespace: string | undefined, pod: string | undefined, container: string | undefined): string {
  return `${namespace ?? ''}/${pod ?? ''}/${container ?? ''}`;
}

/**
 * Whether the catalogue lists this target's image as affected by a known leak (a certain match):
 * prior evidence the detector may weigh (JudgeInput.knownAffected). The caller decides; detect/
 * never reads the catalogue.
 */
export type KnownAffected = (facts: TargetFacts) => boolean;

export interface JudgedTarget {
  facts: TargetFacts;
  verdict: Verdict;
  samples: SampleColumns;
  /** Series the answer held for this one container (more than 1: two scrape jobs, say); the worst was judged. */
  seriesCount: number;
}

const SEVERITY: Record<Verdict['kind'], number> = { 'not-leaking': 0, unknown: 1, leaking: 2 };

/** The more alarming verdict: leaking over unknown over not leaking, then the faster growth. */
function worse(a: JudgedOne, b: JudgedOne): JudgedOne {
  const bySeverity = SEVERITY[b.verdict.kind] - SEVERITY[a.verdict.kind];
  if (bySeverity !== 0) return bySeverity > 0 ? b : a;
  return (b.verdict.slope?.bytesPerHour ?? -Infinity) > (a.verdict.slope?.bytesPerHour ?? -Infinity) ? b : a;
}

interface JudgedOne {
  verdict: Verdict;
  samples: SampleColumns;
}

const noSamples: SampleColumns = { t: new Float64Array(0), v: new Float64Array(0) };

/**
 * Pairs each target with its series (missing series → no samples → the detector says unknown).
 * When Prometheus warned about its answer (a store that did not respond, a partial response),
 * any series may be missing samples, so every verdict of that answer is unknown: nothing is
 * decided on data Prometheus itself doubts.
 */
export function judgeTargets(
  targets: readonly TargetFacts[],
  series: readonly RangeSeries[],
  now: number,
  options: DetectOptions,
  warnings: readonly string[] = [],
  knownAffected: KnownAffected = () => false,
): JudgedTarget[] {
  const byKey = new Map<string, RangeSeries[]>();
  for (const s of series) {
    const key = seriesKey(s.labels.namespace, s.labels.pod, s.labels.container);
    byKey.set(key, [...(byKey.get(key) ?? []), s]);
  }
  return targets.map((facts) => {
    const found = byKey.get(seriesKey(facts.workload.namespace, facts.pod.name, facts.container)) ?? [];
    const prior = knownAffected(facts);
    const judgeOne = (samples: SampleColumns): JudgedOne => ({ samples, verdict: judge({ samples, now, knownAffected: prior, ...(facts.limitBytes === null ? {} : { limitBytes: facts.limitBytes }) }, options) });
    // Never "last one wins": with several series for one container, the worst decides.
    const chosen = found.length === 0 ? judgeOne(noSamples) : found.map((s) => judgeOne(s.samples)).reduce(worse);
    const verdict =
      found.length > 1 ? { ...chosen.verdict, reasons: [...chosen.verdict.reasons, `${found.length} series for this container in one answer (two scrape jobs?); the worst was judged`] } : chosen.verdict;
    return { facts, verdict: warnings.length === 0 ? verdict : doubted(verdict, warnings), samples: chosen.samples, seriesCount: found.length };
  });
}

/** Why an answer that carried warnings is not judged. */
export function partialAnswer(warnings: readonly string[]): string {
  return `Prometheus warned that its answer may be partial (${warnings.join('; ')})`;
}

function doubted(verdict: Verdict, warnings: readonly string[]): Verdict {
  return { ...verdict, kind: 'unknown', reasons: [`not judged: ${partialAnswer(warnings)}`, ...verdict.reasons] };
}

/** Prometheus' clock, or why it could not be read (then nothing can be judged this run). */
export type PrometheusClock = { now: number; problem: null } | { now: null; problem: string };

/** Prometheus' clock, not ours: windows and staleness are judged on the time the data lives in. */
export async function prometheusNow(metrics: MetricsSource, signal?: AbortSignal): Promise<PrometheusClock> {
  const answer = await metrics.query({ query: 'time()', ...(signal ? { signal } : {}) });
  if (answer.outcome === 'failed') return { now: null, problem: answer.error.message };
  const now = answer.series[0]?.sample.v;
  if (now === undefined || !Number.isFinite(now)) return { now: null, problem: 'Prometheus answered time() without a finite value' };
  return { now, problem: null };
}

/** One profile's history over the detection window, ending at Prometheus' `now`. */
export function fetchHistory(
  metrics: MetricsSource,
  query: string,
  now: number,
  options: { windowSeconds: number; stepSeconds: number; signal?: AbortSignal; budget?: AnswerBudget },
): Promise<MetricsAnswer<RangeResult>> {
  return metrics.queryRange({
    query,
    start: now - options.windowSeconds,
    end: now,
    stepSeconds: options.stepSeconds,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
  });
}

/** What one profile looks like this run: its pods judged, or why its history is missing. */
export interface ProfileObservation {
  /** False when the pods could not be listed: nothing else was observed. */
  listed: boolean;
  /** Pods discovered (also when their history is missing: they get the MetricsUnavailable Event). */
  discovered: TargetFacts[];
  judged: JudgedTarget[];
  /** Why the history is missing or in doubt (counts towards the metrics alert); null when complete. */
  problem: string | null;
  /** The run fails for these: the pods could not be listed, or their history is unavailable. */
  failures: string[];
  warnings: string[];
}

export interface ObserveDeps {
  cluster: TargetSource;
  metrics: MetricsSource;
  prometheus: Config['prometheus'];
  /** `detection.workloadHistory`: how far back the earlier pods of a workload are read (seconds), or false. */
  workloadHistory: number | false;
  signal?: AbortSignal;
  /** Collects garbage once the history is in, before judging (see RunDeps.reclaim). */
  reclaim?: () => void;
  /** Absent: no target counts as a known-affected version. */
  knownAffected?: KnownAffected;
}

/**
 * Observe one profile: pods and history asked for at once, then judged the one way both `run` and
 * `status` judge — an answer Prometheus warns about is unknown, several series of one container
 * count as the worst. `now` is null when Prometheus could not say its time (`nowError` says why).
 */
export async function observeProfile(deps: ObserveDeps, profile: ProfileConfig, clock: PrometheusClock, detect: DetectOptions): Promise<ProfileObservation> {
  const { cluster, metrics, prometheus, signal } = deps;
  const { now } = clock;
  // The window's columns are still held while the workload history is read: both answers share the caps.
  let budget: AnswerBudget = { bytes: prometheus.maxResponseBytes, series: prometheus.maxSeries };
  const shardPods = podsPerShard(prometheus, detect.windowSeconds);
  const shardable = profile.query === undefined;
  // Asked for before the pods are listed, so both wait at once — unless the profile expects more pods
  // than one answer holds: then it is read in shards of the pods listed. Handled from the start: even a
  // bug in reading the answer becomes this profile's missing history, never an unhandled rejection.
  const history =
    now === null || (shardable && profile.expectedPods > shardPods)
      ? null
      : fetchHistory(metrics, profileQuery(profile, prometheus), now, { windowSeconds: detect.windowSeconds, stepSeconds: prometheus.step, budget, ...(signal ? { signal } : {}) }).catch(readFailed);
  const discovery = await cluster.discoverTargets({ name: profile.name, namespace: profile.namespace, selector: profile.selector, ...(profile.container ? { container: profile.container } : {}) });
  if (discovery.outcome === 'failed') {
    await history;
    return { listed: false, discovered: [], judged: [], problem: clock.problem, failures: [`profile ${profile.name}: cannot list pods: ${describeKubeError(discovery.error)}`], warnings: [] };
  }
  const observation: ProfileObservation = { listed: true, discovered: discovery.targets, judged: [], problem: clock.problem, failures: [], warnings: [] };
  observation.warnings.push(...discovery.warnings.map((w) => `profile ${profile.name}: ${w}`));
  if (discovery.targets.length === 0) observation.warnings.push(`profile ${profile.name}: selector ${profile.selector} matched no pods in ${profile.namespace}`);
  const pods = new Set(discovery.targets.map((t) => t.pod.name));
  if (pods.size > profile.expectedPods) observation.warnings.push(`profile ${profile.name}: ${pods.size} pods matched, ${profile.expectedPods} expected; at most one disruption per workload`);

  let fetched = await history;
  const tooBig = fetched === null || (fetched.outcome === 'failed' && fetched.error.code === 'limit');
  const window = { windowSeconds: detect.windowSeconds, stepSeconds: prometheus.step, ...(signal ? { signal } : {}) };
  if (now !== null && shardable && tooBig && discovery.targets.length > shardPods) {
    // Each shard's answer within the caps; the workload history, one more answer, within its own.
    const shards = podShards(discovery.targets, shardPods, workloadNameOf);
    fetched = await fetchInShards(shards, (pods, budget) => fetchHistory(metrics, profileQuery(profile, prometheus, pods), now, { ...window, budget }), prometheus).catch(readFailed);
    budget = { bytes: prometheus.maxResponseBytes, series: prometheus.maxSeries };
  } else if (now !== null && fetched === null) {
    // Fewer pods than expectedPods said: one answer after all.
    fetched = await fetchHistory(metrics, profileQuery(profile, prometheus), now, { ...window, budget }).catch(readFailed);
  }
  if (now !== null && fetched) {
    if (fetched.outcome === 'answered') {
      deps.reclaim?.();
      const { warnings } = fetched;
      observation.warnings.push(...warnings.map((w) => `profile ${profile.name}: Prometheus warning: ${w}`));
      observation.judged = judgeTargets(discovery.targets, fetched.series, now, detect, warnings, deps.knownAffected);
      for (const t of observation.judged.filter((j) => j.seriesCount > 1)) {
        observation.warnings.push(`profile ${profile.name}: ${t.seriesCount} series for ${t.facts.pod.name}/${t.facts.container} in one answer (duplicate scrape?); the worst was judged`);
      }
      if (warnings.length > 0) observation.problem = partialAnswer(warnings);
      else if (deps.workloadHistory !== false) observation.judged = await withWorkloadHistory(deps, profile, deps.workloadHistory, now, detect, observation, budget);
    } else observation.problem = fetched.error.message;
  }
  if (observation.judged.length === 0 && observation.problem !== null && discovery.targets.length > 0) {
    observation.failures.push(`profile ${profile.name}: memory history unavailable: ${observation.problem}`);
  }
  return observation;
}

function readFailed(error: unknown): MetricsAnswer<RangeResult> {
  return { outcome: 'failed', error: new MetricsError('bad-response', `reading the history failed: ${(error as Error).message}`) };
}

/** Pod-name patterns of more workloads than this make the history query read the whole profile instead. */
const MAX_NAMED_WORKLOADS = 100;
/** A pod whose first sample is this close to the window's start may have started before it. */
const FIRST_SAMPLE_SLACK = 3600;
/** Workload names are cut here in the pod pattern: Kubernetes cuts long generated pod names. */
const NAME_PREFIX = 40;

/**
 * A verdict the workload's past could change: the pod started inside the lookback (earlier pods of
 * its workload may be in it), and it is judged leaking (a daily cycle could explain the rise) or is
 * younger than the window (its growth could follow or exceed what earlier pods showed). One series
 * per container only: duplicates keep the worst of today's verdicts.
 */
export function canLearnFromPast(target: JudgedTarget, now: number, lookbackSeconds: number, windowSeconds: number): boolean {
  const first = target.samples.t[0];
  if (target.seriesCount !== 1 || first === undefined) return false;
  // The history judged covers only the window: without a start time, a pod whose first sample
  // opens it may be older than the window.
  const started = target.facts.pod.startTime ?? (first > now - windowSeconds + FIRST_SAMPLE_SLACK ? first : -Infinity);
  return started > now - lookbackSeconds && (target.verdict.kind === 'leaking' || now - started < windowSeconds);
}

/** The workload a target's pod belongs to, as the history groups pods (a naked pod: by its name). */
function workloadNameOf(facts: TargetFacts): string {
  return facts.workload.kind === 'Pod' ? workloadOfPod(facts.pod.name) : facts.workload.name;
}

/** RE2 pattern of the pod names of these targets' workloads; undefined when there are too many to name. */
export function workloadPodPattern(targets: readonly TargetFacts[]): string | undefined {
  const names = [...new Set(targets.map(workloadNameOf))].sort();
  if (names.length > MAX_NAMED_WORKLOADS) return undefined;
  return `(?:${names.map((n) => (n.length > NAME_PREFIX ? `${escapeRegex(n.slice(0, NAME_PREFIX))}.*` : `${escapeRegex(n)}(?:-.+)?`)).join('|')})`;
}

/**
 * Today's verdicts revised with what each workload's earlier pods showed (detect/past.ts), from the
 * workload history answer: the floor per step (each point the minimum of the step before it) and
 * `kube_pod_owner` series. Pods group by the workload discovery found for them, else by their
 * owner in kube-state-metrics, else by their name. Pure.
 */
export function judgeWithHistory(
  judged: readonly JudgedTarget[],
  history: readonly RangeSeries[],
  now: number,
  options: DetectOptions,
  stepSeconds: number,
  learn: (target: JudgedTarget) => boolean,
  knownAffected: KnownAffected = () => false,
): JudgedTarget[] {
  const isOwner = (l: Record<string, string>) => l.owner_name !== undefined && l.container === undefined;
  const owners = ownersFromSeries(history.map((s) => s.labels).filter(isOwner), isOwner);
  for (const j of judged) owners.set(`${j.facts.workload.namespace}/${j.facts.pod.name}`, workloadNameOf(j.facts));
  // A point at T is the floor of (T − step, T]: placed at the start of that step, it falls in its own bucket.
  const pods = history
    .filter((s) => !isOwner(s.labels))
    .map((s) => ({ labels: s.labels, samples: { t: s.samples.t.map((t) => t - stepSeconds), v: s.samples.v } }));
  const pasts = pastsOfSeries(pods, owners, options);
  const pastOf = new Map<string, WorkloadPast | null>();
  pods.forEach((p, i) => pastOf.set(seriesKey(p.labels.namespace, p.labels.pod, p.labels.container), pasts[i]!));
  return judged.map((j) => {
    const past = learn(j) ? pastOf.get(seriesKey(j.facts.workload.namespace, j.facts.pod.name, j.facts.container)) : undefined;
    if (!past) return j;
    const limit = j.facts.limitBytes;
    return { ...j, verdict: judgeWithPast({ samples: j.samples, now, knownAffected: knownAffected(j.facts), ...(limit === null ? {} : { limitBytes: limit }) }, past, options) };
  });
}

/**
 * The one extra range query of a profile: the history of its workloads' earlier pods, only when a
 * target can learn from it, then the verdicts revised with it. When it fails, is refused or comes
 * back partial, the verdicts stay as judged without it and a warning says so: never an action
 * taken, or held back, on history that could not be read in full.
 */
async function withWorkloadHistory(
  deps: ObserveDeps,
  profile: ProfileConfig,
  lookbackSeconds: number,
  now: number,
  detect: DetectOptions,
  observation: ProfileObservation,
  budget: AnswerBudget,
): Promise<JudgedTarget[]> {
  const options = resolveOptions(detect);
  const learn = (t: JudgedTarget) => canLearnFromPast(t, now, lookbackSeconds, options.windowSeconds);
  const learners = observation.judged.filter(learn);
  if (learners.length === 0) return observation.judged;
  const step = historyStepSeconds(options.floorBucketSeconds, lookbackSeconds);
  const query = workloadHistoryQuery(profile, deps.prometheus.matchers, step, workloadPodPattern(learners.map((t) => t.facts)));
  const answer = await deps.metrics
    .queryRange({
      query,
      start: Math.ceil((now - lookbackSeconds) / step) * step,
      end: Math.floor(now / step) * step,
      stepSeconds: step,
      budget,
      ...(deps.signal ? { signal: deps.signal } : {}),
    })
    .catch((error: unknown): MetricsAnswer<RangeResult> => ({ outcome: 'failed', error: new MetricsError('bad-response', `reading the history failed: ${(error as Error).message}`) }));
  if (answer.outcome === 'answered' && answer.warnings.length === 0) return judgeWithHistory(observation.judged, answer.series, now, detect, step, learn, deps.knownAffected);
  const why = answer.outcome === 'failed' ? answer.error.message : partialAnswer(answer.warnings);
  observation.warnings.push(`profile ${profile.name}: workload history unavailable, judged without it: ${why}`);
  return observation.judged;
}
