/**
 * One workload's incident as Slack's message input: what each step did in words, the known issue,
 * the numbers the detector saw; and the metrics-unavailable alert. Pure.
 */
import { issueLinks, matchKnownIssues, type Catalog } from '../catalog/catalog.js';
import { versionFromImage } from '../catalog/image.js';
import { valuesOf } from '../detect/columns.js';
import type { WorkloadRef } from '../model/workload.js';
import { describeLeak } from './plan-words.js';
import type { IncidentStep, IncidentView } from '../policy/incident.js';
import type { PlanAction, PlanSkip } from '../policy/types.js';
import { describeAction, describeImageSwap, failureText, undoHint } from './event-text.js';
import type { TargetEvidence } from './evidence.js';
import type { PrStatus } from './pr-body.js';
import {
  buildIncidentMessage,
  escapeMrkdwn,
  type ActionInfo,
  type IncidentMessageInput,
  type SlackMessage,
} from './slack-message.js';

/**
 * The action's reason without the leak phrase it opens with: Slack states the slope, time to limit
 * and the detector's reasons in their own blocks, so the action line says only the step taken.
 */
function stepText(action: PlanAction): string {
  const leak = describeLeak(action.details.verdict);
  const step = action.reason.startsWith(`${leak}; `) ? action.reason.slice(leak.length + 2) : action.reason;
  // An image swap is named in full (which container, from which image to which), as the Event does.
  const swap = describeImageSwap(action);
  return swap ? `${swap}; ${step}` : step;
}

/**
 * What one action did (or would do), for the message's action lines. A workaround removed because the
 * upgrade is verified names what it put back; the message's fix line says why, once.
 */
function stepInfo({ action, outcome, status }: IncidentStep, fixExplains = false): ActionInfo {
  const info = { kind: action.kind, status, dryRun: status === 'planned' && action.dryRun };
  if (action.kind === 'revert-workaround' && fixExplains && (status === 'done' || status === 'planned'))
    return { ...info, detail: describeAction(action, status === 'done' && !info.dryRun ? 'done' : 'do') };
  if (status === 'planned') return { ...info, detail: stepText(action) };
  if (outcome?.kind === 'failed') return { ...info, detail: failureText(action, outcome) };
  if (outcome?.kind === 'eviction-blocked' || outcome?.kind === 'deferred') return { ...info, detail: outcome.message };
  if (outcome?.kind === 'gitops-owned') return { ...info, detail: `owned by ${outcome.owner}` };
  const undo = undoHint(action);
  return { ...info, detail: undo ? `${stepText(action)}. ${undo}` : stepText(action) };
}

/** Without an action: why not. On another operator's pod every rung says what a human can do instead (all of it). */
function skipInfo(skips: readonly PlanSkip[]): ActionInfo | undefined {
  const skip = skips[0];
  if (!skip) return undefined;
  const detail =
    skip.reason === 'foreign-owner'
      ? skips
          .filter((s) => s.reason === 'foreign-owner')
          .map((s) => s.note)
          .join('; ')
      : skip.note;
  return { kind: skip.wanted ?? 'none', status: 'skipped', dryRun: skip.reason === 'dry-run', detail };
}

/**
 * The catalogue entry behind a leak, for the message's "known issue" field and links. On a version the
 * entry no longer matches (the upgrade rolled out), the entry the incident's upgrade fixes (`fixes`, its id).
 */
export function knownIssueInput(
  catalog: Catalog,
  evidence: TargetEvidence | undefined,
  fixes?: string | null,
): Pick<IncidentMessageInput, 'knownIssue'> {
  const match = evidence
    ? matchKnownIssues(catalog, evidence.catalogImage ?? evidence.image, {
        container: evidence.container,
        ...(evidence.pod ? { pod: evidence.pod } : {}),
      })[0]
    : undefined;
  const fixed = match ? undefined : catalog.entries.find((entry) => entry.id === fixes);
  if (fixed) {
    const { id: issueId, title, checked } = fixed;
    return { knownIssue: { issueId, title, links: issueLinks(fixed), checked, upgradeFixes: true } };
  }
  if (!match) return {};
  const { issue } = match;
  return {
    knownIssue: {
      issueId: issue.id,
      title: issue.title,
      links: issueLinks(issue),
      checked: issue.checked,
      ...(match.certainty === 'possible' && issue.condition ? { possible: issue.condition.text } : {}),
    },
  };
}

export interface IncidentFacts {
  profile: string;
  workload: WorkloadRef;
  /** The container the plan names, when the evidence does not. */
  container?: string | null | undefined;
  evidence: TargetEvidence | undefined;
  graphUrl?: string | undefined;
  catalog: Catalog;
  /** Where the incident's upgrade stands after the run (src/report/upgrade-pr.ts `fixStatusOf`). */
  fix?: PrStatus | null | undefined;
  /** The catalogue id of the known issue the incident's upgrade fixes (its durable state's track). */
  fixes?: string | null | undefined;
}

/** The Slack message for one workload's incident as this run left it. */
export function incidentMessage(view: IncidentView, facts: IncidentFacts): SlackMessage {
  const { evidence } = facts;
  const [first, ...more] = view.steps;
  const fixExplains = view.fix.some((n) => n.kind === 'upgrade-verified');
  const action = first ? stepInfo(first, fixExplains) : skipInfo(view.skips);
  return buildIncidentMessage({
    phase: view.phase,
    severity: view.severity,
    profile: facts.profile,
    target: {
      namespace: facts.workload.namespace,
      kind: facts.workload.kind,
      name: facts.workload.name,
      container: evidence?.container ?? facts.container ?? '',
    },
    version: evidence ? versionFromImage(evidence.image) : null,
    verdict: evidence?.verdict ?? { slope: null, hoursToLimit: null, currentBytes: null, reasons: [] },
    limitBytes: evidence?.limitBytes ?? null,
    ...(evidence ? { memoryBytes: valuesOf(evidence.samples) } : {}),
    ...(action ? { action } : {}),
    ...(more.length > 0 ? { moreActions: more.map((step) => stepInfo(step, fixExplains)) } : {}),
    ...(view.fix.length > 0 ? { fix: view.fix.map((n) => n.note) } : {}),
    ...(facts.fix
      ? {
          upgrade: {
            ...(facts.fix.rolledOut ? { rolledOut: facts.fix.rolledOut } : {}),
            ...(facts.fix.judgedAt !== undefined ? { judgedAt: facts.fix.judgedAt } : {}),
          },
        }
      : {}),
    ...(view.prUrl ? { prUrl: view.prUrl } : {}),
    ...(facts.graphUrl ? { prometheusGraphUrl: facts.graphUrl } : {}),
    ...(evidence?.heap ? { heapProfile: evidence.heap } : {}),
    ...knownIssueInput(facts.catalog, evidence, facts.fixes),
  });
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
