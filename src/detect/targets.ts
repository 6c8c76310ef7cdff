/**
 * Which verdict stands for a target: the answer's series paired back to the discovered targets by
 * (namespace, pod, container), the worst of several series, nothing decided on an answer Prometheus
 * doubts; and whether a target's workload history is asked for, and what it changes. Pure.
 */
import type { SampleColumns } from './columns.js';
import { judge } from './judge.js';
import { judgeWithPast, type WorkloadPast } from './predecessors.js';
import type { DetectOptions, Verdict } from './types.js';
import { ownersFromSeries, pastsOfSeries, workloadOfPod } from './workload.js';
import type { TargetFacts } from '../model/workload.js';

/** One series of a range answer (src/prom/types.ts RangeSeries). */
export interface Series {
  labels: Record<string, string>;
  samples: SampleColumns;
}

export function seriesKey(
  namespace: string | undefined,
  pod: string | undefined,
  container: string | undefined,
): string {
  return `${namespace ?? ''}/${pod ?? ''}/${container ?? ''}`;
}

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
/**
 * Whether the catalogue lists this target's image as affected by a known leak (a certain match):
 * prior evidence the detector may weigh (JudgeInput.knownAffected), never a leak by itself.
 */
export type KnownAffected = (facts: TargetFacts) => boolean;

export function judgeTargets(
  targets: readonly TargetFacts[],
  series: readonly Series[],
  now: number,
  options: DetectOptions,
  warnings: readonly string[] = [],
  knownAffected: KnownAffected = () => false,
): JudgedTarget[] {
  const judging = new TargetJudging(now, options, knownAffected);
  judging.pairWith(targets);
  for (const s of series) judging.add(s);
  return judging.result(warnings);
}

/**
 * `judgeTargets` one series at a time, as an answer streams in: each series is judged as soon as it and
 * the targets are known (series handed before `pairWith` wait for it); a series no target matches is
 * let go at once. `result` gives what `judgeTargets` gives for the same series in the same order.
 */
export class TargetJudging {
  private targets: readonly TargetFacts[] | undefined;
  /** The targets' indices by series key. */
  private readonly byKey = new Map<string, number[]>();
  /** Per target: its series judged so far, in answer order. */
  private judged: JudgedOne[][] = [];
  private waiting: Series[] = [];

  constructor(
    private readonly now: number,
    private readonly options: DetectOptions,
    private readonly knownAffected: KnownAffected = () => false,
  ) {}

  /** The targets the series are paired with (once). */
  pairWith(targets: readonly TargetFacts[]): void {
    if (this.targets) throw new Error('TargetJudging: the targets are already set');
    this.targets = targets;
    this.judged = targets.map(() => []);
    targets.forEach((facts, index) => {
      const key = seriesKey(facts.workload.namespace, facts.pod.name, facts.container);
      this.byKey.set(key, [...(this.byKey.get(key) ?? []), index]);
    });
    const waiting = this.waiting;
    this.waiting = [];
    for (const s of waiting) this.add(s);
  }

  add(series: Series): void {
    const targets = this.targets;
    if (!targets) {
      this.waiting.push(series);
      return;
    }
    const key = seriesKey(series.labels.namespace, series.labels.pod, series.labels.container);
    for (const index of this.byKey.get(key) ?? [])
      this.judged[index]!.push(this.judgeOne(targets[index]!, series.samples));
  }

  /** Every target with its verdict, in the targets' order; `warnings`: the answer's, which make each verdict unknown. */
  result(warnings: readonly string[] = []): JudgedTarget[] {
    if (!this.targets) throw new Error('TargetJudging: no targets to pair the series with');
    return this.targets.map((facts, index) => {
      const judged = this.judged[index]!;
      // Never "last one wins": with several series for one container, the worst decides.
      const chosen = judged.length === 0 ? this.judgeOne(facts, noSamples) : judged.reduce(worse);
      const verdict =
        judged.length > 1
          ? {
              ...chosen.verdict,
              reasons: [
                ...chosen.verdict.reasons,
                `${judged.length} series for this container in one answer (two scrape jobs?); the worst was judged`,
              ],
            }
          : chosen.verdict;
      return {
        facts,
        verdict: warnings.length === 0 ? verdict : doubted(verdict, warnings),
        samples: chosen.samples,
        seriesCount: judged.length,
      };
    });
  }

  private judgeOne(facts: TargetFacts, samples: SampleColumns): JudgedOne {
    const limit = facts.limitBytes === null ? {} : { limitBytes: facts.limitBytes };
    const input = { samples, now: this.now, knownAffected: this.knownAffected(facts), ...limit };
    return { samples, verdict: judge(input, this.options) };
  }
}

/** Why an answer that carried warnings is not judged. */
export function partialAnswer(warnings: readonly string[]): string {
  return `Prometheus warned that its answer may be partial (${warnings.join('; ')})`;
}

/** Targets judged from answers Prometheus warned about: every verdict unknown, saying why (as is, without warnings). */
export function doubtedBy(judged: JudgedTarget[], warnings: readonly string[]): JudgedTarget[] {
  return warnings.length === 0 ? judged : judged.map((j) => ({ ...j, verdict: doubted(j.verdict, warnings) }));
}

function doubted(verdict: Verdict, warnings: readonly string[]): Verdict {
  return { ...verdict, kind: 'unknown', reasons: [`not judged: ${partialAnswer(warnings)}`, ...verdict.reasons] };
}

/** A pod whose first sample is this close to the window's start may have started before it. */
const FIRST_SAMPLE_SLACK = 3600;

/**
 * A verdict the workload's past could change: the pod started inside the lookback (earlier pods of
 * its workload may be in it), and it is judged leaking (a daily cycle could explain the rise) or is
 * younger than the window (its growth could follow or exceed what earlier pods showed). One series
 * per container only: duplicates keep the worst of today's verdicts.
 */
export function canLearnFromPast(
  target: JudgedTarget,
  now: number,
  lookbackSeconds: number,
  windowSeconds: number,
): boolean {
  const first = target.samples.t[0];
  if (target.seriesCount !== 1 || first === undefined) return false;
  // The history judged covers only the window: without a start time, a pod whose first sample
  // opens it may be older than the window.
  const started = target.facts.pod.startTime ?? (first > now - windowSeconds + FIRST_SAMPLE_SLACK ? first : -Infinity);
  return started > now - lookbackSeconds && (target.verdict.kind === 'leaking' || now - started < windowSeconds);
}

/** The workload a target's pod belongs to, as the history groups pods (a naked pod: by its name). */
export function workloadNameOf(facts: TargetFacts): string {
  return facts.workload.kind === 'Pod' ? workloadOfPod(facts.pod.name) : facts.workload.name;
}

/**
 * Today's verdicts revised with what each workload's earlier pods showed (detect/past.ts), from the
 * workload history answer: the floor per step (each point the minimum of the step before it) and
 * `kube_pod_owner` series. Pods group by the workload discovery found for them, else by their
 * owner in kube-state-metrics, else by their name. Pure.
 */
export function judgeWithHistory(
  judged: readonly JudgedTarget[],
  history: readonly Series[],
  now: number,
  options: DetectOptions,
  stepSeconds: number,
  learn: (target: JudgedTarget) => boolean,
  knownAffected: KnownAffected = () => false,
  /** What each ReplicaSet's pods run, by `namespace/replicaSet`: a restart is no rollout (templateOfPod). */
  templates: ReadonlyMap<string, string> = new Map(),
): JudgedTarget[] {
  const isOwner = (l: Record<string, string>) => l.owner_name !== undefined && l.container === undefined;
  const owners = ownersFromSeries(history.map((s) => s.labels).filter(isOwner), isOwner);
  for (const j of judged) owners.set(`${j.facts.workload.namespace}/${j.facts.pod.name}`, workloadNameOf(j.facts));
  // A point at T is the floor of (T − step, T]: placed at the start of that step, it falls in its own bucket.
  const pods = history
    .filter((s) => !isOwner(s.labels))
    .map((s) => ({ labels: s.labels, samples: { t: s.samples.t.map((t) => t - stepSeconds), v: s.samples.v } }));
  const pasts = pastsOfSeries(pods, owners, options, templates);
  const pastOf = new Map<string, WorkloadPast | null>();
  pods.forEach((p, i) => pastOf.set(seriesKey(p.labels.namespace, p.labels.pod, p.labels.container), pasts[i]!));
  return judged.map((j) => {
    const past = learn(j)
      ? pastOf.get(seriesKey(j.facts.workload.namespace, j.facts.pod.name, j.facts.container))
      : undefined;
    if (!past) return j;
    const limit = j.facts.limitBytes;
    return {
      ...j,
      verdict: judgeWithPast(
        {
          samples: j.samples,
          now,
          knownAffected: knownAffected(j.facts),
          ...(limit === null ? {} : { limitBytes: limit }),
        },
        past,
        options,
      ),
    };
  });
}
