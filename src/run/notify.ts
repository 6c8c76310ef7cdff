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
import type { PlanAction, PlanItem, PlanNotice } from '../policy/types.js';
import { valuesOf } from '../detect/columns.js';
import type { ActionOutcome } from '../model/action.js';
import { describeImageSwap, undoHint } from '../report/event-text.js';
import { workloadKey } from '../model/workload.js';
import type { TargetEvidence } from '../report/evidence.js';

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

/** What one action did (or would do), for the message's action lines. */
function actionInfo(action: PlanAction, outcome: ActionOutcome | undefined): { info: ActionInfo; phase?: IncidentPhase; prUrl?: string } {
  const kind = action.kind;
  if (action.dryRun || !outcome) return { info: { kind, status: 'planned', dryRun: action.dryRun, detail: stepOf(action) } };
  if (outcome.kind === 'eviction-blocked') return { info: { kind, status: 'blocked', dryRun: false, detail: outcome.message }, phase: 'blocked' };
  if (outcome.kind === 'failed') return { info: { kind, status: 'failed', dryRun: false, detail: outcome.message }, phase: 'failed' };
  if (outcome.kind === 'deferred' || outcome.kind === 'gitops-owned') {
    return { info: { kind, status: 'skipped', dryRun: false, detail: outcome.kind === 'deferred' ? outcome.message : `owned by ${outcome.owner}` } };
  }
  const undo = undoHint(action);
  const phase: IncidentPhase = action.kind === 'upgrade-pr' && action.together ? 'upgrade-proposed' : action.rung > 0 ? 'escalated' : 'remediated';
  return {
    info: { kind, status: 'done', dryRun: false, detail: undo ? `${stepOf(action)}. ${undo}` : stepOf(action) },
    phase,
    ...(outcome.kind === 'pr' && outcome.url ? { prUrl: outcome.url } : {}),
  };
}

/** The fix's notices, the phase they put the incident in (the furthest one), and their lines. */
const fixPhases: Partial<Record<PlanNotice['kind'], IncidentPhase>> = {
  'upgrade-advised': 'upgrade-proposed',
  'upgrade-rolled-out': 'upgrade-rolled-out',
  'upgrade-ineffective': 'upgrade-ineffective',
  'upgrade-verified': 'verified',
};

export function incidentState(news: WorkloadNews): { state: NotifyState; action: ActionInfo | undefined; moreActions: ActionInfo[]; fix: string[]; prUrl?: string } {
  const actions = news.items.filter((i): i is PlanAction => i.type === 'action');
  const skip = news.items.find((i) => i.type === 'skip');
  const notices = news.items.filter((i): i is PlanNotice => i.type === 'notice');
  const incidentId = actions[0]?.incidentId ?? notices.find((n) => n.incidentId)?.incidentId ?? skip?.incidentId ?? null;
  const hoursToLimit = news.evidence?.verdict.hoursToLimit ?? null;
  const leaking = news.evidence?.verdict.kind === 'leaking';
  const severity: Severity = leaking ? (hoursToLimit !== null && hoursToLimit < 6 ? 'critical' : 'warning') : 'info';
  let phase: IncidentPhase = notices.some((n) => n.kind === 'leak-resolved') ? 'resolved' : notices.some((n) => n.kind === 'leak-suspected') ? 'suspected' : leaking ? 'leaking' : 'healthy';
  let info: ActionInfo | undefined;
  const moreActions: ActionInfo[] = [];
  let prUrl: string | undefined;
  // Outcomes come in the order the actions were carried out (none in dry-run).
  actions.forEach((action, i) => {
    const done = actionInfo(action, news.outcomes[i]);
    if (i === 0) info = done.info;
    else moreActions.push(done.info);
    if (done.phase && (i === 0 || done.phase === 'upgrade-proposed' || done.phase === 'failed')) phase = done.phase;
    if (done.prUrl) prUrl = done.prUrl;
  });
  if (actions.length === 0 && skip) {
    // On another operator's pod every rung says what a human can do instead (the hotfix image to set, where): all of it.
    const foreign = news.items.filter((i) => i.type === 'skip' && i.reason === 'foreign-owner').map((i) => (i.type === 'skip' ? i.note : ''));
    const detail = skip.reason === 'foreign-owner' ? foreign.join('; ') : skip.note;
    info = { kind: skip.wanted ?? 'none', status: 'skipped', dryRun: skip.reason === 'dry-run', detail };
  }
  const fixNotices = notices.filter((n) => fixPhases[n.kind] !== undefined);
  const furthest = fixNotices.at(-1);
  if (furthest && (phase as IncidentPhase) !== 'failed') phase = fixPhases[furthest.kind]!;
  const fix = fixNotices.map((n) => n.note);
  const actionTag = info ? `${info.kind}:${info.status}${info.dryRun ? ':dry-run' : ''}` : null;
  return { state: { incidentId, phase, severity, action: actionTag }, action: info, moreActions, fix, ...(prUrl ? { prUrl } : {}) };
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
    const { state, action, moreActions, fix, prUrl } = incidentState(entry);
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
      ...(moreActions.length > 0 ? { moreActions } : {}),
      ...(fix.length > 0 ? { fix } : {}),
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
