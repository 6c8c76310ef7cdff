/**
 * One run of leakguard, top to bottom: lock → targets → memory history → verdicts → plan → actions →
 * records. Every dependency is passed in; this file only orders the steps.
 */
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.js';
import { toDetectOptions } from '../config/detection.js';
import type { DetectOptions } from '../detect/types.js';
import type { Values } from '../model/units.js';
import type { Config } from '../config/schema.js';
import type { Cluster, ControllerRef, LeaseRef, LeaseRequest, RunLock } from '../kube/types.js';
import { describeKubeError } from '../kube/errors.js';
import { killSwitchAnnotation } from '../kube/kill-switch.js';
import { knownIssuesFor, podViewOf, standInFacts } from '../policy/known-issues.js';
import { plan as planActions } from '../policy/plan.js';
import type { Plan } from '../policy/types.js';
import type { TargetFacts, WorkloadRef } from '../model/workload.js';
import type { MetricsSource } from '../prom/types.js';
import { checkLedger, compactLedger, describeDropped, emptyLedger, type LedgerStore } from '../notify/ledger.js';
import type { Notifier } from '../notify/types.js';
import { profileGraphUrl } from '../prom/queries.js';
import { metricsUnavailableEvent } from '../report/event-text.js';
import { apiVersionOf, workloadKey } from '../model/workload.js';
import type { TargetEvidence } from '../report/evidence.js';
import { Actor, type ActionRecordEntry, type UpgradeExecutor, type UpgradePreviewer } from './act.js';
import { heapCapturer, keptHeapReport } from './heap-evidence.js';
import { observeProfile, prometheusNow, type JudgedTarget, type PrometheusClock } from './observe.js';
import { groupByWorkload, metricsUnavailableMessage, notifyChanges, type WorkloadNews } from './notify.js';
import { toGuardrails, toProfilePolicy } from './policy-input.js';
import { tooLateToAct } from './deadline.js';

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
  /** Aborted at the run deadline: nothing is started after it. */
  signal?: AbortSignal;
  /** Slack; absent when not configured. */
  notifier?: Notifier;
  /**
   * Collects garbage between the run's phases (once the pods and their history are in, before judging),
   * so the peaks of the phases do not stack. The CLI passes V8's gc when exposed (--expose-gc, as in
   * the image).
   */
  reclaim?: () => void;
}

export interface RunOptions {
  /** Forces dry-run on (the flag can never turn a configured dry-run off). */
  dryRun?: boolean;
  killSwitch?: boolean;
}

export interface TargetSummary {
  profile: string;
  workload: string;
  pod: string;
  container: string;
  verdict: JudgedTarget['verdict'];
  /** The working set judged, oldest first (a view of the fetched column, not a copy). */
  values: Values;
}

export interface RunSummary {
  status: 'ran' | 'locked';
  dryRun: boolean;
  /** Prometheus evaluation time (unix seconds) the run judged at; null when Prometheus was unreachable. */
  now: number | null;
  targets: TargetSummary[];
  actions: ActionRecordEntry[];
  plan: Plan | null;
  /** Reasons the run must exit 1 (a query or an action failed). */
  failures: string[];
  warnings: string[];
}

export async function runOnce(deps: RunDeps, options: RunOptions = {}): Promise<RunSummary> {
  const { config, cluster, logger } = deps;
  const dryRun = options.dryRun === true || config.dryRun;
  const summary: RunSummary = { status: 'ran', dryRun, now: null, targets: [], actions: [], plan: null, failures: [], warnings: [] };

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
    summary.failures.push(`run lock ${lease.namespace}/${lease.name}: ${lock.reason}: ${describeKubeError(lock.error)}`);
    return summary;
  }
  if (lock.outcome === 'invalid') {
    summary.failures.push(`run lock ${lease.namespace}/${lease.name}: ${lock.reason}`);
    return summary;
  }
  if (lock.outcome === 'held') {
    logger.info({ holder: lock.holder, reason: lock.reason }, 'another run holds the lock; nothing to do');
    return { ...summary, status: 'locked' };
  }
  try {
    const killSwitch = options.killSwitch === true || (await killSwitchOnController(deps, summary, dryRun));
    const window = { ...(deps.signal ? { signal: deps.signal } : {}), lockRequestedAtMs, lockSeconds: lease.durationSeconds };
    const outcome = await judgeAndAct(deps, summary, { ...options, killSwitch }, () => tooLateToAct(window));
    // Bookkeeping between runs (what Slack was told, metrics failure streaks), on the lock's Lease.
    await keepLedger(deps, ledgerOn(cluster, lease, logger), summary, outcome);
  } finally {
    const released = await cluster.releaseLease(lease);
    if (released.outcome === 'failed') logger.warn({ error: describeKubeError(released.error) }, 'could not release the run lock; it expires on its own');
  }
  return summary;
}

/**
 * The kill switch on leakguard's own controller. A switch that cannot be read, or reads as neither on nor
 * off, counts as on: when leakguard cannot tell whether it may act, it does not (and the run fails, so
 * that someone looks).
 */
async function killSwitchOnController(deps: RunDeps, summary: RunSummary, dryRun: boolean): Promise<boolean> {
  const controller = deps.identity.controller;
  if (!controller) {
    if (deps.config.controller === 'none' || dryRun) return false;
    summary.failures.push(
      'no kill switch to read: set controller to leakguard\'s own CronJob or Deployment (the chart does), or controller: none to rely on guardrails.killSwitch alone; nothing is changed this run',
    );
    return true;
  }
  const where = `${controller.kind} ${controller.namespace}/${controller.name}`;
  const read = await deps.cluster.readKillSwitch(controller);
  if (read.outcome === 'failed') {
    summary.failures.push(`cannot read the kill switch on ${where}: ${describeKubeError(read.error)}; nothing is changed this run`);
    return true;
  }
  if (read.outcome === 'invalid') {
    summary.failures.push(`${where}: annotation ${killSwitchAnnotation}=${JSON.stringify(read.value)} is neither true nor false; treated as on, nothing is changed`);
    return true;
  }
  if (read.on) summary.warnings.push(`kill switch on (${where} annotation ${killSwitchAnnotation}=${read.value}): nothing is changed`);
  return read.on;
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
  const { config, cluster, metrics, logger, signal } = deps;
  const observed: Observed = { judged: [], metrics: new Map(), failures: [], warnings: [] };
  for (const profile of config.profiles) {
    const log = logger.child({ profile: profile.name });
    // A certain catalogue match on the running image is prior evidence for the detector (never a leak by itself).
    const knownAffected = (facts: TargetFacts) => knownIssuesFor(deps.catalog, facts, profile.knownIssues).some((m) => m.certainty === 'certain');
    const seen = await observeProfile(
      { cluster, metrics, prometheus: config.prometheus, workloadHistory: config.detection.workloadHistory, knownAffected, ...(signal ? { signal } : {}), ...(deps.reclaim ? { reclaim: deps.reclaim } : {}) },
      profile,
      clock,
      detect,
    );
    observed.failures.push(...seen.failures);
    observed.warnings.push(...seen.warnings);
    if (!seen.listed) continue;
    observed.metrics.set(profile.name, seen.problem);
    if (seen.judged.length === 0 && seen.problem !== null && seen.discovered.length > 0) {
      await recordMetricsUnavailable(cluster, seen.discovered.map((t) => t.workload), profile.name, seen.problem, clock.now ?? 0, log);
      continue;
    }
    for (const { facts, verdict } of seen.judged) log.info({ pod: facts.pod.name, verdict: verdict.kind, bytesPerHour: verdict.slope?.bytesPerHour ?? null }, verdict.reasons[0] ?? verdict.kind);
    observed.judged.push(...seen.judged);
  }
  return observed;
}

/** Per workload, the container growing fastest: what Events, Slack and the PR show. */
function strongestEvidence(judged: readonly JudgedTarget[]): Map<string, TargetEvidence> {
  const evidence = new Map<string, TargetEvidence>();
  for (const t of judged) {
    const key = workloadKey(t.facts.workload);
    const previous = evidence.get(key);
    if (!previous || (t.verdict.slope?.bytesPerHour ?? -Infinity) > (previous.verdict.slope?.bytesPerHour ?? -Infinity)) {
      evidence.set(key, { verdict: t.verdict, samples: t.samples, limitBytes: t.facts.limitBytes, image: t.facts.image, container: t.facts.container, pod: podViewOf(t.facts) });
    }
  }
  return evidence;
}

/** The workloads' durable state, read once; a workload whose state cannot be read is left out (acting without it is unsafe). */
async function readStates(cluster: Cluster, actor: Actor, judged: readonly JudgedTarget[]): Promise<string[]> {
  const workloads = new Map(judged.map((t) => [workloadKey(t.facts.workload), t.facts.workload] as const));
  const failures: string[] = [];
  for (const [key, workload] of workloads) {
    const read = await cluster.readState(workload);
    if (read.outcome === 'failed') failures.push(`${key}: cannot read state: ${describeKubeError(read.error)}`);
    else actor.remember(workload, read);
  }
  return failures;
}

function targetRow({ facts, verdict, samples }: JudgedTarget): RunSummary['targets'][number] {
  return { profile: facts.profile, workload: workloadKey(facts.workload), pod: facts.pod.name, container: facts.container, verdict, values: samples.v };
}

async function judgeAndAct(deps: RunDeps, summary: RunSummary, options: RunOptions, tooLate: () => string | null): Promise<ActOutcome> {
  const { config, cluster, logger, signal } = deps;
  const clock = await prometheusNow(deps.metrics, signal);
  const observed = await observeAll(deps, clock, toDetectOptions(config.detection));
  summary.now = clock.now;
  summary.failures.push(...observed.failures);
  summary.warnings.push(...observed.warnings);
  summary.targets.push(...observed.judged.map(targetRow));
  const done = (news: WorkloadNews[] = []): ActOutcome => ({ news, metrics: observed.metrics });
  const { now } = clock;
  if (now === null || observed.judged.length === 0) return done();

  const evidence = strongestEvidence(observed.judged);
  const actor = new Actor({
    cluster,
    logger,
    now,
    upgrade: deps.upgrade ?? noForge,
    ...(deps.previewUpgrade ? { previewUpgrade: deps.previewUpgrade } : {}),
    evidence: (w) => evidence.get(workloadKey(w)),
    beforeRestart: heapCapturer({
      config,
      cluster,
      logger,
      onCaptured: (action, heap) => {
        const key = workloadKey(action.workload);
        const e = evidence.get(key);
        if (e) evidence.set(key, { ...e, heap });
      },
    }),
    tooLate,
  });
  summary.failures.push(...(await readStates(cluster, actor, observed.judged)));
  const targets = observed.judged.flatMap(({ facts, verdict }) => {
    const state = actor.stateOf(facts.workload);
    return state ? [{ facts, verdict, state }] : [];
  });
  // Slack names the known issue the plan matched: under a hotfix leakguard set, the replaced image's.
  const workloads = new Map(observed.judged.map(({ facts }) => [workloadKey(facts.workload), facts.workload] as const));
  for (const [key, e] of evidence) {
    const workload = workloads.get(key);
    const stored = workload ? actor.stateOf(workload) : undefined;
    const matchedOn = stored ? standInFacts({ image: e.image, version: null, container: e.container }, stored).image : e.image;
    if (matchedOn !== e.image) evidence.set(key, { ...e, catalogImage: matchedOn });
  }
  const guardrails = toGuardrails(config, { dryRun: summary.dryRun, ...(options.killSwitch === undefined ? {} : { killSwitch: options.killSwitch }) });
  const plan = planActions({ targets, profiles: config.profiles.map((p) => toProfilePolicy(p, config)), guardrails, now, catalog: deps.catalog });
  summary.plan = plan;
  if (signal?.aborted) {
    summary.failures.push('run deadline reached before acting; nothing was changed');
    return done();
  }
  // The upgrade PR quotes the heap profiles kept with its incident by an earlier rung's restart.
  for (const item of plan.items) {
    if (item.type !== 'action' || item.kind !== 'upgrade-pr') continue;
    if (!config.profiles.find((p) => p.name === item.profile)?.diagnostics.heapProfile) continue;
    const key = workloadKey(item.workload);
    const heap = await keptHeapReport(cluster, item.workload, item.incidentId);
    const e = evidence.get(key);
    if (heap && e) evidence.set(key, { ...e, heap });
  }
  // Dry-run and the kill switch change nothing in the cluster but Events: not even leakguard's own
  // bookkeeping on the workloads. (Time windows only hold back live changes; see policy/.)
  await actor.execute(plan.items, { handsOff: guardrails.dryRun || guardrails.killSwitch });
  summary.actions = actor.report.actions;
  summary.failures.push(...actor.report.failures);
  return done(groupByWorkload(plan.items, actor.report.outcomes, (key) => evidence.get(key)));
}

/** Slack on state changes, and Prometheus outages only after N failed runs in a row. */
async function keepLedger(deps: RunDeps, store: LedgerStore, summary: RunSummary, outcome: ActOutcome): Promise<void> {
  const ledger = await store.read();
  const nowSeconds = summary.now ?? Math.floor(Date.now() / 1000);
  const threshold = deps.config.notifications.metricsFailuresBeforeAlert;
  const alerts: string[] = [];
  for (const [profile, problem] of outcome.metrics) {
    const streak = problem === null ? 0 : (ledger.metricsFailures[profile] ?? 0) + 1;
    ledger.metricsFailures[profile] = streak;
    if (streak === threshold) alerts.push(profile);
  }
  if (deps.notifier) {
    const graph = (name: string) => {
      const profile = deps.config.profiles.find((p) => p.name === name);
      return profile ? profileGraphUrl(deps.config.prometheus, profile, deps.config.detection.window) : undefined;
    };
    summary.warnings.push(...(await notifyChanges(deps.notifier, ledger, outcome.news, { logger: deps.logger, prometheusGraphUrl: graph, catalog: deps.catalog, nowSeconds })));
    for (const profile of alerts) {
      const result = await deps.notifier.notify(metricsUnavailableMessage(profile, threshold, outcome.metrics.get(profile) ?? 'unknown error'));
      if (result.outcome === 'failed') summary.warnings.push(`Slack: ${result.error.message}`);
    }
  }
  if (!(await store.write(ledger, nowSeconds))) deps.logger.warn('could not save the ledger on the Lease; Slack may repeat a message');
}

const noForge: UpgradeExecutor = async () => ({ kind: 'failed', message: 'no GitHub access configured (github.tokenFile or github.app)' });

async function recordMetricsUnavailable(cluster: Cluster, workloads: readonly WorkloadRef[], profile: string, message: string, now: number, log: Logger): Promise<void> {
  const seen = new Set<string>();
  for (const workload of workloads) {
    if (seen.has(workloadKey(workload))) continue;
    seen.add(workloadKey(workload));
    const draft = metricsUnavailableEvent(profile, message, now);
    const result = await cluster.recordEvent({
      regarding: { kind: workload.kind, apiVersion: apiVersionOf(workload.kind), namespace: workload.namespace, name: workload.name, uid: workload.uid },
      reason: draft.reason,
      action: draft.action,
      note: draft.note,
      type: draft.type,
      key: draft.key,
      countRepeats: true,
    });
    if (result.outcome === 'failed') log.warn({ error: describeKubeError(result.error) }, 'could not record MetricsUnavailable Event');
  }
}

/** The ledger kept on leakguard's run-lock Lease, through the cluster the run already uses. */
function ledgerOn(cluster: RunLock, lease: LeaseRef, logger: Logger): LedgerStore {
  return {
    async read() {
      const read = await cluster.readLedger(lease);
      if (read.outcome !== 'read') return emptyLedger();
      const { ledger, problems } = checkLedger(read.text);
      for (const { where, problem } of problems) logger.warn({ lease: `${lease.namespace}/${lease.name}`, where }, `ledger on the Lease: ${where} ${problem}`);
      return ledger;
    },
    async write(ledger, nowSeconds) {
      const { ledger: kept, dropped } = compactLedger(ledger, nowSeconds);
      if (dropped.length > 0) {
        const overBudget = dropped.some((d) => d.why === 'over the size budget');
        (overBudget ? logger.warn.bind(logger) : logger.info.bind(logger))({ dropped }, describeDropped(dropped));
      }
      return (await cluster.writeLedger(lease, JSON.stringify(kept))).outcome === 'written';
    },
  };
}
