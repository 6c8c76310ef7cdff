/**
 * Telling Slack: one message per workload when its incident changes state, never one per run, and a
 * Prometheus outage only after N failed runs in a row. What was last said is kept in the ledger; a
 * Slack failure is logged and never touches the Kubernetes side.
 */
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.js';
import type { LedgerStore, Ledger } from './ledger.js';
import { shouldNotify, type NotifyState } from './should-notify.js';
import type { Notifier } from './types.js';
import { incidentView } from '../policy/incident.js';
import type { PlanItem } from '../policy/types.js';
import type { ActionOutcome } from '../model/action.js';
import type { UpgradeTrack } from '../model/state.js';
import type { TargetEvidence } from '../report/evidence.js';
import { incidentMessage, metricsUnavailableMessage } from '../report/incident-message.js';
import { runText } from '../report/run-text.js';
import type { PrStatus } from '../report/pr-body.js';

export interface WorkloadNews {
  key: string;
  items: PlanItem[];
  outcomes: ActionOutcome[];
  evidence: TargetEvidence | undefined;
  /** The incident's upgrade as its durable state holds it after the run: its phase, and when it rolled out and was judged. */
  track: UpgradeTrack | null;
  fix: PrStatus | null;
}

export interface SlackRound {
  /** Absent when Slack is not configured: the streaks are still kept. */
  notifier: Notifier | undefined;
  logger: Logger;
  catalog: Catalog;
  prometheusGraphUrl: (profile: string) => string | undefined;
  /** Prometheus' time of the run, else the wall clock. */
  nowSeconds: number;
  /** `notifications.metricsFailuresBeforeAlert`. */
  metricsFailuresBeforeAlert: number;
}

/**
 * One run's news told, and the ledger kept on `store`: `metrics` holds, per profile observed, why its
 * history could not be had in full this run (null when it could). Returns the warnings for the run.
 */
export async function tellRun(
  store: LedgerStore,
  news: readonly WorkloadNews[],
  metrics: ReadonlyMap<string, string | null>,
  round: SlackRound,
): Promise<string[]> {
  const warnings: string[] = [];
  const ledger = await store.read();
  const threshold = round.metricsFailuresBeforeAlert;
  const alerts: string[] = [];
  for (const [profile, problem] of metrics) {
    const streak = problem === null ? 0 : (ledger.metricsFailures[profile] ?? 0) + 1;
    ledger.metricsFailures[profile] = streak;
    if (streak === threshold) alerts.push(profile);
  }
  if (round.notifier) {
    warnings.push(...(await notifyChanges(round.notifier, ledger, news, round)));
    for (const profile of alerts) {
      const result = await round.notifier.notify(
        metricsUnavailableMessage(profile, threshold, metrics.get(profile) ?? 'unknown error'),
      );
      if (result.outcome === 'failed') warnings.push(runText.slackFailed(result.error.message));
    }
  }
  if (!(await store.write(ledger, round.nowSeconds)))
    round.logger.warn('could not save the ledger on the Lease; Slack may repeat a message');
  return warnings;
}

export async function notifyChanges(
  notifier: Notifier,
  ledger: Ledger,
  news: readonly WorkloadNews[],
  context: {
    logger: Logger;
    prometheusGraphUrl: (profile: string) => string | undefined;
    catalog: Catalog;
    nowSeconds: number;
  },
): Promise<string[]> {
  const problems: string[] = [];
  for (const entry of news) {
    const first = entry.items[0];
    if (!first) continue;
    // No decision (too little or stale data, e.g. right after a restart) is no news: never "Healthy".
    if (entry.items.every((i) => i.type === 'skip' && i.reason === 'stale-data')) continue;
    const view = incidentView(entry.items, entry.outcomes, entry.evidence?.verdict, entry.track);
    const state: NotifyState = {
      incidentId: view.incidentId,
      phase: view.phase,
      severity: view.severity,
      action: view.actionTag,
    };
    const previous = ledger.notified[entry.key];
    const decision = shouldNotify(previous ?? null, state);
    if (!decision.notify) continue;
    const { profile, workload, container } = first;
    const message = incidentMessage(view, {
      profile,
      workload,
      container,
      evidence: entry.evidence,
      graphUrl: context.prometheusGraphUrl(profile),
      catalog: context.catalog,
      fix: entry.fix,
      fixes: entry.track?.issueId ?? null,
    });
    const sameIncident = previous?.incidentId === state.incidentId;
    const result = await notifier.notify(message, { threadTs: sameIncident ? (previous?.threadTs ?? null) : null });
    if (result.outcome === 'sent') {
      const threadTs = result.threadTs ?? (sameIncident ? (previous?.threadTs ?? null) : null);
      // The ledger keeps whole seconds; Prometheus' clock has fractions of one.
      ledger.notified[entry.key] = { ...state, threadTs, at: Math.floor(context.nowSeconds) };
      context.logger.info({ workload: entry.key, reason: decision.reason }, 'told Slack');
    } else {
      problems.push(runText.slackFailed(result.error.message, entry.key));
      context.logger.warn(
        { workload: entry.key, code: result.error.code },
        'Slack message failed; the Kubernetes side is unaffected',
      );
    }
  }
  return problems;
}
