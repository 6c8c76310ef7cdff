/**
 * Telling Slack: one message per workload when its incident changes state, never one per run. What was
 * last said is kept in the ledger; a Slack failure is logged and never touches the Kubernetes side.
 */
import type { Logger } from 'pino';
import { issueLinks, matchKnownIssues, type Catalog } from '../catalog/catalog.js';
import { versionFromImage } from '../catalog/image.js';
import type { Ledger } from '../notify/ledger.js';
import { buildIncidentMessage, escapeMrkdwn, type ActionInfo, type IncidentMessageInput } from '../report/slack-message.js';
import type { IncidentPhase, Severity } from '../model/incident.js';
import { shouldNotify, type NotifyState } from '../notify/should-notify.js';
import type { Notifier, SlackMessage } from '../notify/types.js';
import { describeLeak } from '../policy/describe.js';
import type { PlanAction, PlanItem } from '../policy/types.js';
import { valuesOf } from '../detect/columns.js';
import type { ActionOutcome } from '../model/action.js';
import { describeImageSwap, undoHint } from '../report/event-text.js';
import { workloadKey } from '../model/workload.js';
import type { TargetEvidence } from './act.js';

export interface WorkloadNews {
  key: string;
  items: PlanItem[];
  outcomes: ActionOutcome[];
  evidence: TargetEvidence | undefined;
}

/** Pure: what the run's items and outcomes for one workload mean for its incident. */
/**
 * The action's reason without the leak phrase it opens with: Slack states the slope, time to limit
 * and the detector's reasons in their own blocks, so the action line says only the step taken.
 */
function stepOf(action: PlanAction): string {
  const leak = describeLeak(action.details.verdict);
  const step = action.reason.startsWith(`${leak}; `) ? action.reason.slice(leak.length + 2) : action.reason;
  // An image swap is named in full (which container, from which image to which), as the Event does.
  const swap = describeImageSwap(action);
  return swap ? `${swap}; ${step}` : step;
}

export function incidentState(news: WorkloadNews): { state: NotifyState; action: ActionInfo | undefined; prUrl?: string } {
  const action = news.items.find((i) => i.type === 'action');
  const skip = news.items.find((i) => i.type === 'skip');
  const notices = news.items.filter((i) => i.type === 'notice');
  const incidentId = action?.incidentId ?? notices.find((n) => n.incidentId)?.incidentId ?? skip?.incidentId ?? null;
  const hoursToLimit = news.evidence?.verdict.hoursToLimit ?? null;
  const leaking = news.evidence?.verdict.kind === 'leaking';
  const severity: Severity = leaking ? (hoursToLimit !== null && hoursToLimit < 6 ? 'critical' : 'warning') : 'info';
  let phase: IncidentPhase = notices.some((n) => n.kind === 'leak-resolved') ? 'resolved' : notices.some((n) => n.kind === 'leak-suspected') ? 'suspected' : leaking ? 'leaking' : 'healthy';
  let info: ActionInfo | undefined;
  let prUrl: string | undefined;
  if (action) {
    const kind = action.kind === 'revert-workaround' ? 'workaround' : action.kind;
    const outcome = news.outcomes.at(-1);
    if (action.dryRun || !outcome) {
      info = { kind, status: 'planned', dryRun: action.dryRun, detail: stepOf(action) };
    } else if (outcome.kind === 'eviction-blocked') {
      phase = 'blocked';
      info = { kind, status: 'blocked', dryRun: false, detail: outcome.message };
    } else if (outcome.kind === 'failed') {
      phase = 'failed';
      info = { kind, status: 'failed', dryRun: false, detail: outcome.message };
    } else if (outcome.kind === 'deferred' || outcome.kind === 'gitops-owned') {
      info = { kind, status: 'skipped', dryRun: false, detail: outcome.kind === 'deferred' ? outcome.message : `owned by ${outcome.owner}` };
    } else {
      phase = action.rung > 0 ? 'escalated' : 'remediated';
      const undo = undoHint(action);
      info = { kind, status: 'done', dryRun: false, detail: undo ? `${stepOf(action)}. ${undo}` : stepOf(action) };
      if (outcome.kind === 'pr' && outcome.url) prUrl = outcome.url;
    }
  } else if (skip) {
    // On another operator's pod every rung says what a human can do instead (the hotfix image to set, where): all of it.
    const foreign = news.items.filter((i) => i.type === 'skip' && i.reason === 'foreign-owner').map((i) => (i.type === 'skip' ? i.note : ''));
    const detail = skip.reason === 'foreign-owner' ? foreign.join('; ') : skip.note;
    info = { kind: skip.wanted === 'revert-workaround' ? 'workaround' : (skip.wanted ?? 'none'), status: 'skipped', dryRun: skip.reason === 'dry-run', detail };
  }
  const actionTag = info ? `${info.kind}:${info.status}${info.dryRun ? ':dry-run' : ''}` : null;
  return { state: { incidentId, phase, severity, action: actionTag }, action: info, ...(prUrl ? { prUrl } : {}) };
}

export async function notifyChanges(
  notifier: Notifier,
  ledger: Ledger,
  news: readonly WorkloadNews[],
  context: { logger: Logger; prometheusGraphUrl: (profile: string) => string | undefined; catalog: Catalog; nowSeconds: number },
): Promise<string[]> {
  const problems: string[] = [];
  for (const entry of news) {
    const first = entry.items[0];
    if (!first) continue;
    const { state, action, prUrl } = incidentState(entry);
    const previous = ledger.notified[entry.key];
    const decision = shouldNotify(previous ?? null, state);
    if (!decision.notify) continue;
    const evidence = entry.evidence;
    const graph = context.prometheusGraphUrl(first.profile);
    const input: IncidentMessageInput = {
      phase: state.phase,
      severity: state.severity,
      profile: first.profile,
      target: { namespace: first.workload.namespace, kind: first.workload.kind, name: first.workload.name, container: evidence?.container ?? first.container ?? '' },
      version: evidence ? versionFromImage(evidence.image) : null,
      verdict: evidence?.verdict ?? { slope: null, hoursToLimit: null, currentBytes: null, reasons: [] },
      limitBytes: evidence?.limitBytes ?? null,
      ...(evidence ? { memoryBytes: valuesOf(evidence.samples) } : {}),
      ...(action ? { action } : {}),
      ...(prUrl ? { prUrl } : {}),
      ...(graph ? { prometheusGraphUrl: graph } : {}),
      ...(evidence?.heap ? { heapProfile: evidence.heap } : {}),
      ...knownIssueInput(context.catalog, evidence),
    };
    const sameIncident = previous?.incidentId === state.incidentId;
    const result = await notifier.notify(buildIncidentMessage(input), { threadTs: sameIncident ? (previous?.threadTs ?? null) : null });
    if (result.outcome === 'sent') {
      const threadTs = result.threadTs ?? (sameIncident ? (previous?.threadTs ?? null) : null);
      ledger.notified[entry.key] = { ...state, threadTs, at: context.nowSeconds };
      context.logger.info({ workload: entry.key, reason: decision.reason }, 'told Slack');
    } else {
      problems.push(`${entry.key}: Slack: ${result.error.message}`);
      context.logger.warn({ workload: entry.key, code: result.error.code }, 'Slack message failed; the Kubernetes side is unaffected');
    }
  }
  return problems;
}

export function groupByWorkload(items: readonly PlanItem[], outcomes: ReadonlyMap<string, ActionOutcome[]>, evidence: (key: string) => TargetEvidence | undefined): WorkloadNews[] {
  const byKey = new Map<string, PlanItem[]>();
  for (const item of items) {
    const key = workloadKey(item.workload);
    byKey.set(key, [...(byKey.get(key) ?? []), item]);
  }
  return [...byKey].map(([key, list]) => ({ key, items: list, outcomes: outcomes.get(key) ?? [], evidence: evidence(key) }));
}

/** Sent once when a profile's history has failed `runs` runs in a row (not on every failed run). */
export function metricsUnavailableMessage(profile: string, runs: number, error: string): SlackMessage {
  const text = `⚠️ leakguard: memory history for profile ${profile} unavailable for ${runs} runs in a row (${error}). No action is taken while metrics are missing.`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `⚠️ Metrics unavailable: ${profile}`.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text).slice(0, 3000) } },
    ],
  };
}

/** The catalogue entry behind a leak, for the message's "known issue" field and links. */
export function knownIssueInput(catalog: Catalog, evidence: TargetEvidence | undefined): Pick<IncidentMessageInput, 'knownIssue'> {
  if (!evidence) return {};
  const match = matchKnownIssues(catalog, evidence.catalogImage ?? evidence.image, { container: evidence.container, ...(evidence.pod ? { pod: evidence.pod } : {}) })[0];
  if (!match) return {};
  const { issue } = match;
  return { knownIssue: { issueId: issue.id, title: issue.title, links: issueLinks(issue), checked: issue.checked, ...(match.certainty === 'possible' && issue.condition ? { possible: issue.condition.text } : {}) } };
}
