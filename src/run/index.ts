/**
 * One run of leakguard, top to bottom: lock → targets → memory history → verdicts → plan → actions →
 * records. Every dependency is passed in; this file only orders the steps.
 */
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.js';
import { toDetectOptions } from '../config/detection.js';
import type { DetectOptions } from '../detect/types.js';
import type { Config } from '../config/schema.js';
import type { Cluster, ControllerRef, LeaseRequest } from '../kube/types.js';
import { describeKubeError } from '../kube/errors.js';
import { killSwitchOn } from '../kube/kill-switch.js';
import { ledgerTextOn } from '../kube/ledger.js';
import { plan as planActions } from '../policy/plan.js';
import type { Guardrails, PlanItem, ProfilePolicy } from '../policy/types.js';
import type { MetricsSource } from '../prom/types.js';
import { ledgerStore, type LedgerStore } from '../notify/ledger.js';
import type { Notifier } from '../notify/types.js';
import { metricsUnavailableEvent } from '../report/event-text.js';
import { workloadKey, type WorkloadRef } from '../model/workload.js';
import { recordWorkloadEvent } from '../kube/events.js';
import { strongestEvidence, withCatalogImage, type TargetEvidence } from '../report/evidence.js';
import { fixStatusOf } from '../report/upgrade-pr.js';
import { runText } from '../report/run-text.js';
import { planWords } from '../report/plan-words.js';
import { Actor } from './act.js';
import { targetSummary, type RunSummary } from '../report/verdict-table.js';
import {
  noForge,
  type UpgradeExecutor,
  type UpgradePreviewer,
  type UpgradePrRefresher,
} from '../forge/upgrade-rung.js';
import { heapCapturer, keptHeapReport } from '../kube/heap-capture.js';
import { prometheusNow, type PrometheusClock } from '../prom/history.js';
import type { JudgedTarget } from '../detect/targets.js';
import { observeProfile, type ObserveDeps } from './observe.js';
import { tellRun, type WorkloadNews } from '../notify/news.js';
import { itemsByWorkload, phaseChanged } from '../policy/incident.js';
import { toGraphUrls, toGuardrails, toProfilePolicy } from '../config/policy.js';
import { tooLateToAct } from '../policy/deadline.js';

export interface RunIdentity {
  /** Unique per run: the pod name in a Job, host/pid elsewhere. */
  identity: string;
  /** Namespace of the run lock. */
  namespace: string;
  /** The pod this run is in, so a later run can see that the holder died. */
  pod?: string;
  /** leakguard's own CronJob or Deployment, whose annotation is the kill switch (config `controller`). */
  controller?: ControllerRef;
}

export interface RunDeps {
  config: Config;
  cluster: Cluster;
  metrics: MetricsSource;
  catalog: Catalog;
  logger: Logger;
  identity: RunIdentity;
  /** Opens/updates upgrade PRs; without a forge the upgrade rung fails with a clear message. */
  upgrade?: UpgradeExecutor;
  /** Dry-run: asks the forge (read-only) what the upgrade rung would do, for the Event. */
  previewUpgrade?: UpgradePreviewer;
  /** Re-writes the open upgrade PR's status when its incident changes phase. */
  refreshUpgradePr?: UpgradePrRefresher;
  /** Aborted at the run deadline: nothing is started after it. */
  signal?: AbortSignal;
  /** Slack; absent when not configured. */
  notifier?: Notifier;
  /**
   * Collects garbage between the run's phases (once the pods and their history are in, before judging),
   * so the peaks of the phases do not stack; `force`: whatever has piled up since the last collection
   * (otherwise a collection may be skipped as not worth its time). The CLI passes V8's gc when exposed
   * (--expose-gc, as in the image).
   */
  reclaim?: (force?: boolean) => void;
}

export interface RunOptions {
  /** Forces dry-run on (the flag can never turn a configured dry-run off). */
  dryRun?: boolean;
  killSwitch?: boolean;
}

export type { RunSummary, TargetSummary } from '../report/verdict-table.js';

export async function runOnce(deps: RunDeps, options: RunOptions = {}): Promise<RunSummary> {
  const { config, cluster, logger } = deps;
  // The one place dry-run is decided: the plan carries it to every item, the actor keeps its hands off.
  const dryRun = options.dryRun === true || config.dryRun;
  const summary: RunSummary = {
    status: 'ran',
    dryRun,
    now: null,
    targets: [],
    actions: [],
    plan: null,
    failures: [],
    warnings: [],
  };

  const lease: LeaseRequest = {
    namespace: config.lock.namespace ?? deps.identity.namespace,
    name: config.lock.name,
    identity: deps.identity.identity,
    durationSeconds: config.lock.duration,
    ...(deps.identity.pod ? { holderPod: deps.identity.pod } : {}),
  };
  const lockRequestedAtMs = performance.now();
  const lock = await cluster.acquireLease(lease);
  if (lock.outcome === 'failed') {
    summary.failures.push(
      runText.lockFailed(`${lease.namespace}/${lease.name}`, lock.reason, describeKubeError(lock.error)),
    );
    return summary;
  }
  if (lock.outcome === 'invalid') {
    summary.failures.push(runText.lockFailed(`${lease.namespace}/${lease.name}`, lock.reason));
    return summary;
  }
  if (lock.outcome === 'held') {
    logger.info({ holder: lock.holder, reason: lock.reason }, 'another run holds the lock; nothing to do');
    return { ...summary, status: 'locked' };
  }
  try {
    // Unreadable counts as on (src/kube/kill-switch.ts).
    const read =
      options.killSwitch === true
        ? { on: true }
        : await killSwitchOn(cluster, deps.identity.controller, config.controller === 'none' || dryRun);
    if (read.failure) summary.failures.push(read.failure);
    if (read.warning) summary.warnings.push(read.warning);
    const window = {
      ...(deps.signal ? { signal: deps.signal } : {}),
      lockRequestedAtMs,
      lockSeconds: lease.durationSeconds,
      monotonicMs: () => performance.now(),
    };
    const outcome = await judgeAndAct(deps, summary, toGuardrails(config, { dryRun, killSwitch: read.on }), () =>
      tooLateToAct(window),
    );
    // Bookkeeping between runs (what Slack was told, metrics failure streaks), on the lock's Lease.
    await keepLedger(deps, ledgerStore(ledgerTextOn(cluster, lease), logger), summary, outcome);
  } finally {
    const released = await cluster.releaseLease(lease);
    if (released.outcome === 'failed')
      logger.warn(
        { error: describeKubeError(released.error) },
        'could not release the run lock; it expires on its own',
      );
  }
  // What the run left behind goes before the summary is printed (a table of every target), so that
  // printing reuses its memory instead of growing the heap past the run's peak: always, however little
  // piled up (10,000 kwok pods: printing on an uncollected heap grew the RSS by 33 MB, to the run's peak).
  deps.reclaim?.(true);
  return summary;
}

interface ActOutcome {
  news: WorkloadNews[];
  /** Per profile: why its history could not be had in full this run, or null when it could. */
  metrics: Map<string, string | null>;
}

/** Every profile observed (src/run/observe.ts), in config order. */
interface Observed {
  judged: JudgedTarget[];
  /** Per profile whose pods were listed: why its history is missing or in doubt, or null. */
  metrics: Map<string, string | null>;
  failures: string[];
  warnings: string[];
}

async function observeAll(deps: RunDeps, clock: PrometheusClock, detect: DetectOptions): Promise<Observed> {
  const { config, cluster, metrics, logger, signal, catalog, reclaim } = deps;
  const { prometheus, detection } = config;
  const observed: Observed = { judged: [], metrics: new Map(), failures: [], warnings: [] };
  const observing: ObserveDeps = { cluster, metrics, catalog, prometheus, workloadHistory: detection.workloadHistory };
  if (signal) observing.signal = signal;
  if (reclaim) observing.reclaim = reclaim;
  for (const profile of config.profiles) {
    const log = logger.child({ profile: profile.name });
    const seen = await observeProfile(observing, profile, clock, detect);
    observed.failures.push(...seen.failures);
    observed.warnings.push(...seen.warnings);
    if (!seen.listed) continue;
    observed.metrics.set(profile.name, seen.problem);
    if (seen.judged.length === 0 && seen.problem !== null && seen.discovered.length > 0) {
      const workloads = new Map(seen.discovered.map(({ workload }) => [workloadKey(workload), workload] as const));
      for (const w of workloads.values())
        await recordWorkloadEvent(
          cluster,
          log,
          w,
          metricsUnavailableEvent(profile.name, seen.problem, clock.now ?? 0),
          { countRepeats: true },
        );
      continue;
    }
    // A line per target through a child without the logger's redaction, which censors by key: these
    // lines hold strings and a number (pod, verdict, bytesPerHour, the headline) under keys no credential
    // path names, so it could change nothing in them, yet walked all of its paths for each field — a
    // fifth of a run's garbage. test/run/run.test.ts holds them to the redacting logger's lines.
    const perTarget = log.child({}, { redact: [] });
    for (const { facts, verdict } of seen.judged)
      perTarget.info(
        { pod: facts.pod.name, verdict: verdict.kind, bytesPerHour: verdict.slope?.bytesPerHour ?? null },
        verdict.reasons[0] ?? verdict.kind,
      );
    observed.judged.push(...seen.judged);
  }
  return observed;
}

async function judgeAndAct(
  deps: RunDeps,
  summary: RunSummary,
  guardrails: Guardrails,
  tooLate: () => string | null,
): Promise<ActOutcome> {
  const { config, cluster, logger, signal } = deps;
  const clock = await prometheusNow(deps.metrics, signal);
  const observed = await observeAll(deps, clock, toDetectOptions(config.detection));
  summary.now = clock.now;
  summary.failures.push(...observed.failures);
  summary.warnings.push(...observed.warnings);
  summary.targets.push(...observed.judged.map(targetSummary));
  const done = (news: WorkloadNews[] = []): ActOutcome => ({ news, metrics: observed.metrics });
  const { now } = clock;
  if (now === null || observed.judged.length === 0) return done();

  // What Events, Slack and the PR quote of each workload the plan names, gathered once it is made.
  const evidence = new Map<string, TargetEvidence>();
  const amend = (workload: WorkloadRef, change: (e: TargetEvidence) => TargetEvidence) => {
    const e = evidence.get(workloadKey(workload));
    if (e) evidence.set(workloadKey(workload), change(e));
  };
  const heapEndpoint = (name: string) => config.profiles.find((p) => p.name === name)?.diagnostics.heapProfile;
  const actor = new Actor({
    cluster,
    logger,
    now,
    upgrade: deps.upgrade ?? noForge,
    ...(deps.previewUpgrade ? { previewUpgrade: deps.previewUpgrade } : {}),
    evidence: (w) => evidence.get(workloadKey(w)),
    // Dry-run and the kill switch change nothing in the cluster but Events: not even leakguard's own
    // bookkeeping on the workloads. (Time windows only hold back live changes; see policy/.)
    handsOff: guardrails.dryRun || guardrails.killSwitch,
    beforeRestart: heapCapturer({
      cluster,
      logger,
      endpointOf: heapEndpoint,
      onCaptured: (workload, heap) => amend(workload, (e) => ({ ...e, heap })),
    }),
    tooLate,
  });
  summary.failures.push(...(await actor.states.read(observed.judged.map((t) => t.facts.workload))));
  const targets = observed.judged.flatMap(({ facts, verdict }) => {
    const state = actor.stateOf(facts.workload);
    return state ? [{ facts, verdict, state }] : [];
  });
  const profiles = config.profiles.map((p) => toProfilePolicy(p, config));
  const plan = planActions({
    targets,
    profiles,
    guardrails,
    now,
    catalog: deps.catalog,
    words: planWords,
  });
  summary.plan = plan;
  // Of those workloads only, not of every target: at 10,000 targets that was 10,000 objects to no use.
  const named = new Set(plan.items.map((item) => workloadKey(item.workload)));
  const quoted = observed.judged.filter(({ facts }) => named.has(workloadKey(facts.workload)));
  for (const [key, e] of strongestEvidence(quoted)) evidence.set(key, e);
  for (const { facts } of quoted) amend(facts.workload, (e) => withCatalogImage(e, actor.stateOf(facts.workload)));
  if (signal?.aborted) {
    summary.failures.push(runText.deadlineBeforeActing);
    return done();
  }
  // The upgrade PR quotes the heap profiles kept with its incident by an earlier rung's restart.
  for (const item of plan.items) {
    if (item.type !== 'action' || item.kind !== 'upgrade-pr' || !heapEndpoint(item.profile)) continue;
    const heap = await keptHeapReport(cluster, item.workload, item.incidentId);
    if (heap) amend(item.workload, (e) => ({ ...e, heap }));
  }
  await actor.execute(plan.items);
  if (deps.refreshUpgradePr && !guardrails.dryRun && !guardrails.killSwitch) {
    for (const [profile, workload] of phaseChanged(plan.items)) {
      const state = actor.stateOf(workload);
      const problem = state ? await deps.refreshUpgradePr(profile, state) : null;
      if (problem) summary.warnings.push(problem);
    }
  }
  summary.actions = actor.report.actions;
  summary.failures.push(...actor.report.failures);
  return done(
    itemsByWorkload(plan.items, actor.report.outcomes).map((news) => ({
      ...news,
      evidence: evidence.get(news.key),
      ...withFixStatus(news.items[0], actor, profiles),
    })),
  );
}

/** The workload's upgrade as its durable state holds it after the run, for Slack. */
function withFixStatus(
  item: PlanItem | undefined,
  actor: Actor,
  profiles: readonly ProfilePolicy[],
): Pick<WorkloadNews, 'track' | 'fix'> {
  const state = item ? actor.stateOf(item.workload) : undefined;
  const window = profiles.find((p) => p.name === item?.profile)?.verifyWindowSeconds;
  return { track: state?.upgrade ?? null, fix: state && window !== undefined ? fixStatusOf(state, window) : null };
}

/** Slack on state changes, and Prometheus outages only after N failed runs in a row. */
async function keepLedger(deps: RunDeps, store: LedgerStore, summary: RunSummary, outcome: ActOutcome): Promise<void> {
  const { config } = deps;
  const warnings = await tellRun(store, outcome.news, outcome.metrics, {
    notifier: deps.notifier,
    logger: deps.logger,
    catalog: deps.catalog,
    prometheusGraphUrl: toGraphUrls(config),
    nowSeconds: summary.now ?? Math.floor(Date.now() / 1000),
    metricsFailuresBeforeAlert: config.notifications.metricsFailuresBeforeAlert,
  });
  summary.warnings.push(...warnings);
}
