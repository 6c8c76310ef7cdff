/**
 * Observe one profile: its memory history in ONE range query (never per pod), matched back to the
 * discovered targets by (namespace, pod, container) and judged. `run`, `status` and `report` all observe through
 * here, so they judge alike: with the same workload history and the same catalogue prior.
 */
import type { Catalog } from '../catalog/catalog.js';
import { resolveOptions } from '../detect/judge.js';
import type { DetectOptions } from '../detect/types.js';
import type { Config, ProfileConfig } from '../config/schema.js';
import { describeKubeError, toKubeError } from '../kube/errors.js';
import { profileText } from '../report/run-text.js';
import type { PodTemplatesResult, TargetSource } from '../kube/types.js';
import type { TargetFacts } from '../model/workload.js';
import { isKnownAffected } from '../policy/known-issues.js';
import {
  canLearnFromPast,
  doubtedBy,
  judgeTargets,
  judgeWithHistory,
  partialAnswer,
  TargetJudging,
  workloadNameOf,
  type JudgedTarget,
  type KnownAffected,
} from '../detect/targets.js';
import type { MetricsError } from '../prom/errors.js';
import type {
  AnswerBudget,
  MetricsAnswer,
  MetricsSource,
  RangeQuery,
  RangeResult,
  RangeSeries,
} from '../prom/types.js';
import {
  historyStepSeconds,
  memorySelection,
  profileQuery,
  workloadHistoryQuery,
  workloadPodPattern,
} from '../prom/queries.js';
import {
  fetchHistory,
  podShards,
  podsPerShard,
  readFailed,
  readInShards,
  type AnswerCaps,
  type PrometheusClock,
} from '../prom/history.js';

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
  /**
   * The known-issue catalogue: a target whose image it lists as affected (a certain match within the
   * profile's `knownIssues`) is judged with that prior (JudgeInput.knownAffected).
   */
  catalog: Catalog;
}

/**
 * Observe one profile: pods and history asked for at once, then judged the one way `run`, `status` and
 * `report` judge — an answer Prometheus warns about is unknown, several series of one container
 * count as the worst. `now` is null when Prometheus could not say its time (`nowError` says why).
 */
export async function observeProfile(
  deps: ObserveDeps,
  profile: ProfileConfig,
  clock: PrometheusClock,
  detect: DetectOptions,
): Promise<ProfileObservation> {
  const { cluster, metrics, prometheus, signal } = deps;
  const { now } = clock;
  const knownAffected = knownAffectedOnce((facts) => isKnownAffected(deps.catalog, facts, profile.knownIssues));
  // The window's columns are still held while the workload history is read: both answers share the caps.
  let budget: AnswerBudget = { bytes: prometheus.maxResponseBytes, series: prometheus.maxSeries };
  const shardPods = podsPerShard(prometheus, detect.windowSeconds);
  const shardable = profile.query === undefined;
  const window = { windowSeconds: detect.windowSeconds, stepSeconds: prometheus.step, ...(signal ? { signal } : {}) };
  // One answer's series are judged as they stream in, once the pods are listed: by the time the last
  // series is read, the others are judged.
  const oneAnswer = (): { answer: Promise<MetricsAnswer<RangeResult>>; judging: StreamedJudging } | null => {
    if (now === null) return null;
    const judging = new StreamedJudging(now, detect, knownAffected);
    const answer = fetchHistory(metrics, profileQuery(profile, prometheus), now, {
      ...window,
      selection: memorySelection(profile),
      budget,
      onSeries: (series) => judging.add(series),
    }).catch(readFailed);
    return { answer, judging };
  };
  // Asked for before the pods are listed, so both wait at once — unless the profile expects more pods
  // than one answer holds: then it is read in shards of the pods listed. Handled from the start: even a
  // bug in reading the answer becomes this profile's missing history, never an unhandled rejection.
  const history = shardable && profile.expectedPods > shardPods ? null : oneAnswer();
  const discovery = await cluster.discoverTargets({
    name: profile.name,
    namespace: profile.namespace,
    selector: profile.selector,
    ...(profile.container ? { container: profile.container } : {}),
  });
  if (discovery.outcome === 'failed') {
    await history?.answer;
    return {
      listed: false,
      discovered: [],
      judged: [],
      problem: clock.problem,
      failures: [profileText.podsUnlisted(profile.name, describeKubeError(discovery.error))],
      warnings: [],
    };
  }
  const observation: ProfileObservation = {
    listed: true,
    discovered: discovery.targets,
    judged: [],
    problem: clock.problem,
    failures: [],
    warnings: [],
  };
  observation.warnings.push(...discovery.warnings.map((w) => profileText.discovery(profile.name, w)));
  // Pods that matched but hold no target already say why; the selector's line is for none at all.
  if (discovery.targets.length === 0 && discovery.warnings.length === 0)
    observation.warnings.push(profileText.noPods(profile.name, profile.selector, profile.namespace));
  const pods = new Set(discovery.targets.map((t) => t.pod.name));
  if (pods.size > profile.expectedPods)
    observation.warnings.push(profileText.morePods(profile.name, pods.size, profile.expectedPods));

  history?.judging.pairWith(discovery.targets);
  let fetched: Judged | null = await judgedAnswer(history, deps.reclaim);
  const tooBig = fetched === null || ('error' in fetched && fetched.error.code === 'limit');
  if (now !== null && shardable && tooBig && discovery.targets.length > shardPods) {
    // Each shard's answer within the caps, judged as it comes; the workload history, one more answer, within its own.
    const read = (pods: string, budget: AnswerBudget, onSeries?: RangeQuery['onSeries']) =>
      fetchHistory(metrics, profileQuery(profile, prometheus, pods), now, {
        ...window,
        selection: memorySelection(profile, { pods }),
        budget,
        ...(onSeries ? { onSeries } : {}),
      });
    fetched = await judgeInShards(
      discovery.targets,
      shardPods,
      now,
      detect,
      deps.reclaim,
      read,
      prometheus,
      knownAffected,
    );
    budget = { bytes: prometheus.maxResponseBytes, series: prometheus.maxSeries };
  } else if (now !== null && fetched === null) {
    // Fewer pods than expectedPods said: one answer after all.
    const answer = oneAnswer();
    answer?.judging.pairWith(discovery.targets);
    fetched = await judgedAnswer(answer, deps.reclaim);
  }
  if (now !== null && fetched) {
    if ('judged' in fetched) {
      const { warnings } = fetched;
      observation.warnings.push(...warnings.map((w) => profileText.prometheusWarning(profile.name, w)));
      // An answer Prometheus warned about may miss any series: every verdict of it is unknown.
      observation.judged = doubtedBy(fetched.judged, warnings);
      for (const t of observation.judged.filter((j) => j.seriesCount > 1)) {
        observation.warnings.push(
          profileText.duplicateSeries(profile.name, t.seriesCount, t.facts.pod.name, t.facts.container),
        );
      }
      if (warnings.length > 0) observation.problem = partialAnswer(warnings);
      else if (deps.workloadHistory !== false)
        observation.judged = await withWorkloadHistory(
          deps,
          profile,
          deps.workloadHistory,
          now,
          detect,
          observation,
          budget,
          knownAffected,
        );
    } else observation.problem = fetched.error.message;
  }
  if (observation.judged.length === 0 && observation.problem !== null && discovery.targets.length > 0) {
    observation.failures.push(profileText.historyUnavailable(profile.name, observation.problem));
  }
  return observation;
}

/**
 * `knownAffected` asked once per distinct image, version, container and pod view: a fleet's thousands of
 * pods run a few images, and matching one against the catalogue's patterns costs more than judging it.
 */
function knownAffectedOnce(knownAffected: KnownAffected): KnownAffected {
  const seen = new Map<string, boolean>();
  return (facts) => {
    const key = JSON.stringify([facts.image, facts.version, facts.container, facts.env, facts.podCommands ?? null]);
    let affected = seen.get(key);
    if (affected === undefined) seen.set(key, (affected = knownAffected(facts)));
    return affected;
  };
}

/** The profile's targets judged (before any warning is applied), with the answers' warnings; or why there is no history. */
type Judged = { judged: JudgedTarget[]; warnings: string[] } | { error: MetricsError };

/**
 * One answer's series judged as the source hands them over (RangeQuery.onSeries), the rest once the
 * answer is in (a source that reads answers whole hands none). Targets are paired once discovered.
 */
class StreamedJudging {
  private readonly judging: TargetJudging;
  private handed = 0;

  constructor(now: number, detect: DetectOptions, knownAffected: KnownAffected) {
    this.judging = new TargetJudging(now, detect, knownAffected);
  }

  add(series: RangeSeries): void {
    this.handed++;
    this.judging.add(series);
  }

  /** The series handed so far are judged now, the next as they come. */
  pairWith(targets: readonly TargetFacts[]): void {
    this.judging.pairWith(targets);
  }

  /** Whether series of `answer` remain to be judged (the source read it whole). */
  behind(answer: RangeResult): boolean {
    return this.handed < answer.series.length;
  }

  result(answer: RangeResult): JudgedTarget[] {
    for (const series of answer.series.slice(this.handed)) this.judging.add(series);
    return this.judging.result();
  }
}

/**
 * One answer's targets judged, its series then dropped; null when nothing was asked. When the source read
 * the answer whole, its garbage is collected (`reclaim`) before the series are judged; judged as they
 * streamed in, there is nothing left to make room for.
 */
async function judgedAnswer(
  history: { answer: Promise<MetricsAnswer<RangeResult>>; judging: StreamedJudging } | null,
  reclaim?: () => void,
): Promise<Judged | null> {
  if (history === null) return null;
  const read = await history.answer;
  if (read.outcome === 'failed') return { error: read.error };
  if (history.judging.behind(read)) reclaim?.();
  return { judged: history.judging.result(read), warnings: read.warnings };
}

/**
 * A profile too large for one answer, read in shards of whole workloads (src/prom/history.ts): each
 * shard's targets judged as its answer comes in, while the next shards are read, and its series then
 * dropped (only the judged columns stay), so the answers never pile up. Same verdicts, in the same
 * order, as one answer holding them all.
 */
async function judgeInShards(
  targets: readonly TargetFacts[],
  shardPods: number,
  now: number,
  detect: DetectOptions,
  reclaim: (() => void) | undefined,
  fetch: (pods: string, budget: AnswerBudget, onSeries?: RangeQuery['onSeries']) => Promise<MetricsAnswer<RangeResult>>,
  caps: AnswerCaps,
  knownAffected: KnownAffected,
): Promise<Judged> {
  const shards = podShards(targets, shardPods, workloadNameOf);
  const shardOf = new Map<string, number>();
  shards.forEach((pods, i) => pods.forEach((pod) => shardOf.set(pod, i)));
  const byShard: number[][] = shards.map(() => []);
  targets.forEach((t, i) => byShard[shardOf.get(t.pod.name)!]!.push(i));
  const targetsOf = (shard: number) => byShard[shard]!.map((i) => targets[i]!);
  const judged: JudgedTarget[] = new Array(targets.length);
  // A shard judged whole once it is in holds the next shard's request back while it is judged, which
  // staggers Prometheus' evaluations against the run's judging. Nothing is asked after the last
  // shard: its series are judged as they stream in, not all after its last byte.
  const last = shards.length - 1;
  const streamed = new StreamedJudging(now, detect, knownAffected);
  streamed.pairWith(targetsOf(last));
  const read = await readInShards(
    shards,
    (pods, budget, shard) =>
      shard === last ? fetch(pods, budget, (series) => streamed.add(series)) : fetch(pods, budget),
    caps,
    (answer, shard) => {
      const mine = byShard[shard]!;
      const verdicts =
        shard === last
          ? streamed.result(answer)
          : judgeTargets(targetsOf(shard), answer.series, now, detect, [], knownAffected);
      verdicts.forEach((j, k) => (judged[mine[k]!] = j));
      reclaim?.();
    },
  ).catch(readFailed);
  return read.outcome === 'failed' ? { error: read.error } : { judged, warnings: read.warnings };
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
  knownAffected: KnownAffected,
): Promise<JudgedTarget[]> {
  const options = resolveOptions(detect);
  const learn = (t: JudgedTarget) => canLearnFromPast(t, now, lookbackSeconds, options.windowSeconds);
  const learners = observation.judged.filter(learn);
  if (learners.length === 0) return observation.judged;
  // Each pod that can learn has a series of its own in the answer: more of them than the series left
  // would be refused, after Prometheus evaluated the whole query (seconds of its CPU on a large fleet).
  const seriesLeft = Math.min(budget.series, deps.prometheus.maxSeries);
  if (learners.length > seriesLeft) {
    const why = profileText.workloadHistoryTooWide(learners.length, seriesLeft);
    observation.warnings.push(profileText.workloadHistoryUnavailable(profile.name, why));
    return observation.judged;
  }
  const step = historyStepSeconds(options.floorBucketSeconds, lookbackSeconds);
  const pods = workloadPodPattern(learners.map((t) => workloadNameOf(t.facts)));
  const selection = memorySelection(profile, { owners: true, ...(pods === undefined ? {} : { pods }) });
  // Read beside the history: tells a Deployment's rollout restart (same template) from a new version.
  const templates = learners.some((t) => t.facts.workload.kind === 'Deployment')
    ? deps.cluster
        .readPodTemplates(profile.namespace, profile.selector)
        .catch((e: unknown): PodTemplatesResult => ({ outcome: 'failed', error: toKubeError(e) }))
    : null;
  const answer = await deps.metrics
    .queryRange({
      query: workloadHistoryQuery(profile, deps.prometheus.matchers, step, pods),
      ...(selection ? { selection } : {}),
      start: Math.ceil((now - lookbackSeconds) / step) * step,
      end: Math.floor(now / step) * step,
      stepSeconds: step,
      budget,
      ...(deps.signal ? { signal: deps.signal } : {}),
    })
    .catch(readFailed);
  const byReplicaSet = await podTemplatesOf(templates, profile, observation);
  if (answer.outcome === 'answered' && answer.warnings.length === 0)
    return judgeWithHistory(observation.judged, answer.series, now, detect, step, learn, knownAffected, byReplicaSet);
  const why = answer.outcome === 'failed' ? answer.error.message : partialAnswer(answer.warnings);
  observation.warnings.push(profileText.workloadHistoryUnavailable(profile.name, why));
  return observation.judged;
}

/**
 * The template keys of the profile's ReplicaSets by `namespace/replicaSet`. When they cannot be read,
 * none: every new pod-template-hash then counts as a new version (the cautious side), and a warning says so.
 */
async function podTemplatesOf(
  read: Promise<PodTemplatesResult> | null,
  profile: ProfileConfig,
  observation: ProfileObservation,
): Promise<Map<string, string>> {
  const templates = new Map<string, string>();
  const result = await read;
  if (result?.outcome === 'failed')
    observation.warnings.push(profileText.podTemplatesUnread(profile.name, describeKubeError(result.error)));
  else if (result)
    for (const [replicaSet, key] of result.byReplicaSet) templates.set(`${profile.namespace}/${replicaSet}`, key);
  return templates;
}
