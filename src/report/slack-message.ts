/**
 * Slack messages built from small pure functions: header, fields, sparkline, action, reasons, links.
 * Every text respects Slack's limits (header 150, section 3000, field 2000 characters).
 */
import type { ActionKind } from '../model/action.js';
import type { Values } from '../model/units.js';
import type { Verdict } from '../detect/types.js';
import { normalizeLink, truncate, type LinkInput } from '../model/text.js';
import { formatHours, formatMiB, formatMiBPerHour, formatTime, known, sparkline } from '../model/units.js';
import type { IncidentPhase, Severity } from '../model/incident.js';

/** A Slack Block Kit block, kept loose on purpose: this file builds only header/section/context. */
export type SlackBlock = Record<string, unknown> & { type: string };

export interface SlackMessage {
  /** Plain-text fallback shown in notifications and by clients that cannot render blocks. */
  text: string;
  blocks: SlackBlock[];
}

export const HEADER_MAX = 150;
export const SECTION_MAX = 3000;
export const FIELD_MAX = 2000;
/** Fallback `text` is cut here: notifications show far less, and it keeps the payload small. */
export const FALLBACK_MAX = 3000;

export interface ActionInfo {
  kind: ActionKind | 'revert-workaround' | 'none';
  status: 'planned' | 'done' | 'failed' | 'blocked' | 'skipped';
  dryRun: boolean;
  /** Why it was skipped/blocked/failed, or what exactly was done. */
  detail?: string;
}

export interface IncidentMessageInput {
  phase: IncidentPhase;
  severity: Severity;
  profile: string;
  target: { namespace: string; kind: string; name: string; container: string };
  version: string | null;
  verdict: Pick<Verdict, 'slope' | 'hoursToLimit' | 'currentBytes' | 'reasons'>;
  limitBytes: number | null;
  /** Working-set bytes over the detection window, oldest first. */
  memoryBytes?: Values;
  /** `possible`: the entry's condition (in words) could not be checked, so the issue is not claimed as certain. */
  knownIssue?: {
    issueId: string;
    title: string;
    links: readonly LinkInput[];
    checked?: string;
    possible?: string;
    /** The issue is the one the incident's upgrade fixes, no longer matched on the version running now. */
    upgradeFixes?: boolean;
  };
  action?: ActionInfo;
  /** Further actions of the same run (the upgrade PR proposed with the workaround). */
  moreActions?: ActionInfo[];
  /** Where the fix stands: the upgrade advised, rolled out, verified, or ineffective (one line each). */
  fix?: string[];
  /** The upgrade as the incident's durable state holds it: when the new version rolled out, judged until when, judged when. */
  upgrade?: { rolledOut?: { at: number }; judgedAt?: number };
  prUrl?: string;
  prometheusGraphUrl?: string;
  cluster?: string;
  /** The heap profile taken before the restart, in lines (src/report/heap-text.ts). */
  heapProfile?: { lines: readonly string[]; command: string | null };
}

const SEVERITY_ICON: Record<Severity, string> = { info: 'ℹ️', warning: '⚠️', critical: '🔥' };
const PHASE_LABEL: Record<IncidentPhase, string> = {
  healthy: 'Healthy',
  suspected: 'Leak suspected',
  leaking: 'Leak confirmed',
  remediated: 'Remediated',
  escalated: 'Escalated',
  blocked: 'Remediation blocked',
  failed: 'Remediation failed',
  'upgrade-proposed': 'Upgrade proposed',
  'upgrade-rolled-out': 'Upgrade rolled out',
  verified: 'Fix verified',
  'upgrade-ineffective': 'Upgrade did not fix the leak',
  resolved: 'Resolved',
  'metrics-unavailable': 'Metrics unavailable',
};

/** Slack mrkdwn needs &, < and > escaped in any text that is not a link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<url|label>` for http(s) URLs only; anything else is dropped. */
export function slackLink(url: string | undefined, label: string): string | null {
  if (!url || !/^https?:\/\/[^\s<>|]+$/.test(url)) return null;
  return `<${url}|${escapeMrkdwn(label)}>`;
}

const VERBS: Record<Exclude<ActionInfo['kind'], 'none'>, { would: string; did: string; noun: string }> = {
  restart: { would: 'Would restart the workload', did: 'Restarted the workload', noun: 'Restart' },
  workaround: { would: 'Would apply the workaround', did: 'Applied the workaround', noun: 'Workaround' },
  'upgrade-pr': { would: 'Would open an upgrade PR', did: 'Opened an upgrade PR', noun: 'Upgrade PR' },
  'revert-workaround': {
    would: 'Would remove the workaround',
    did: 'Removed the workaround',
    noun: 'Workaround removal',
  },
};

/** One line saying what was done or is planned; dry-run always says "would". */
export function actionStatusLine(action: ActionInfo | undefined): string {
  if (!action || action.kind === 'none') return 'No action: watching.';
  const v = VERBS[action.kind];
  const detail = action.detail ? ` — ${action.detail}` : '';
  if (action.dryRun) return `${v.would} (dry-run: nothing was changed)${detail}`;
  switch (action.status) {
    case 'planned':
      return `Planned: ${v.would.replace(/^Would /, '').toLowerCase()}${detail}`;
    case 'done':
      return `${v.did}${detail}`;
    case 'failed':
      return `${v.noun} failed${detail}`;
    case 'blocked':
      return `${v.noun} blocked${detail}`;
    case 'skipped':
      return `${v.noun} skipped${detail}`;
  }
}

export function targetName(input: IncidentMessageInput): string {
  return `${input.target.namespace}/${input.target.name}`;
}

export function headerBlock(input: IncidentMessageInput): SlackBlock {
  const text = `${SEVERITY_ICON[input.severity]} ${input.severity.toUpperCase()} · ${PHASE_LABEL[input.phase]}: ${targetName(input)}`;
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, HEADER_MAX), emoji: true } };
}

function knownIssueText(issue: NonNullable<IncidentMessageInput['knownIssue']>): string {
  const text = `${issue.title} (${issue.issueId}${issue.checked ? `, checked ${issue.checked}` : ''})`;
  if (issue.upgradeFixes) return `${text}: the issue this upgrade fixes`;
  return issue.possible ? `possible: ${text}; ${issue.possible} could not be checked` : text;
}

/**
 * What is known now, label and value, never an empty slot: the leak's numbers when the verdict has them,
 * and in the fix's phases when the new version rolled out and when it was judged.
 */
function facts(input: IncidentMessageInput): { label: string; value: string }[] {
  const { slope, hoursToLimit } = input.verdict;
  const upgrade = input.upgrade;
  const out: { label: string; value: string }[] = [];
  if (known(slope?.bytesPerHour)) out.push({ label: 'Slope', value: formatMiBPerHour(slope?.bytesPerHour) });
  if (known(hoursToLimit)) out.push({ label: 'Time to limit', value: formatHours(hoursToLimit) });
  const rolledOut = upgrade?.rolledOut;
  // Until when it is verified, the rolled-out note says (UpgradeRolledOut): once.
  if (input.phase === 'upgrade-rolled-out' && rolledOut)
    out.push({ label: 'Rolled out', value: formatTime(rolledOut.at) });
  if (input.phase === 'verified' && upgrade?.judgedAt !== undefined)
    out.push({ label: 'Verified', value: formatTime(upgrade.judgedAt) });
  if (input.phase === 'upgrade-ineffective' && upgrade?.judgedAt !== undefined)
    out.push({ label: 'Judged still leaking', value: formatTime(upgrade.judgedAt) });
  return out;
}

export function fieldsBlock(input: IncidentMessageInput): SlackBlock {
  const v = input.verdict;
  const field = (label: string, value: string) => ({
    type: 'mrkdwn',
    text: truncate(`*${label}*\n${value}`, FIELD_MAX),
  });
  const issue = input.knownIssue ? escapeMrkdwn(knownIssueText(input.knownIssue)) : 'none catalogued';
  return {
    type: 'section',
    fields: [
      ...facts(input).map((f) => field(f.label, f.value)),
      field(
        'Working set / limit',
        `${formatMiB(v.currentBytes)} / ${input.limitBytes === null ? 'no limit' : formatMiB(input.limitBytes)}`,
      ),
      field('Version', escapeMrkdwn(input.version ?? 'unknown')),
      field('Known issue', issue),
      field(
        'Workload',
        escapeMrkdwn(
          `${input.target.kind} ${targetName(input)}, container ${input.target.container}${input.cluster ? ` on ${input.cluster}` : ''}`,
        ),
      ),
    ],
  };
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) } };
}

export function sparklineBlock(memoryBytes: Values | undefined): SlackBlock | null {
  if (!memoryBytes || memoryBytes.length === 0) return null;
  return section(`*Working set* \`${sparkline(memoryBytes, 40)}\``);
}

export function actionBlock(input: IncidentMessageInput): SlackBlock {
  const more = (input.moreActions ?? []).map((a) => `\n*Action* ${escapeMrkdwn(actionStatusLine(a))}`).join('');
  return section(`*Action* ${escapeMrkdwn(actionStatusLine(input.action))}${more}`);
}

export function fixBlock(input: IncidentMessageInput): SlackBlock | null {
  if (!input.fix || input.fix.length === 0) return null;
  return section(input.fix.map((line) => `*Fix* ${escapeMrkdwn(line)}`).join('\n'));
}

export function reasonsBlock(reasons: readonly string[]): SlackBlock | null {
  if (reasons.length === 0) return null;
  return section(reasons.map((r) => `• ${escapeMrkdwn(r)}`).join('\n'));
}

/** The heap profile's top sites and the command that opens it (the command in code, so it copies whole). */
export function heapBlock(heap: IncidentMessageInput['heapProfile']): SlackBlock | null {
  if (!heap) return null;
  const command = heap.command ? `\n\`${escapeMrkdwn(heap.command)}\`` : '';
  return section(`*Heap profile*\n${heap.lines.map(escapeMrkdwn).join('\n')}${command}`);
}

export function linksBlock(input: IncidentMessageInput): SlackBlock | null {
  const links = [
    slackLink(input.prUrl, 'Upgrade PR'),
    slackLink(input.prometheusGraphUrl, 'Prometheus graph'),
    ...(input.knownIssue?.links ?? [])
      .slice(0, 3)
      .map(normalizeLink)
      .map((l, i) =>
        slackLink(l.url, l.title === l.url ? `Upstream issue${i > 0 ? ` ${i + 1}` : ''}` : truncate(l.title, 80)),
      ),
  ].filter((l): l is string => l !== null);
  if (links.length === 0) return null;
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(links.join('  ·  '), SECTION_MAX) }] };
}

/** The plain-text fallback: severity, target, what is known (slope, time to limit, rollout), action, PR. */
export function fallbackText(input: IncidentMessageInput): string {
  const known = facts(input)
    .map((f) => `${f.label.toLowerCase()} ${f.value}`)
    .join(', ');
  const parts = [
    `[${input.severity.toUpperCase()}] ${PHASE_LABEL[input.phase]}: ${targetName(input)} (${input.target.container}${input.version ? ` ${input.version}` : ''})`,
    ...(known ? [known] : []),
    actionStatusLine(input.action),
    ...(input.moreActions ?? []).map(actionStatusLine),
    ...(input.fix ?? []),
  ];
  if (input.knownIssue)
    parts.push(
      `${input.knownIssue.upgradeFixes ? 'the upgrade fixes known issue' : `known issue${input.knownIssue.possible ? ' possible' : ''}`}: ${input.knownIssue.title}`,
    );
  if (input.prUrl) parts.push(`PR: ${input.prUrl}`);
  return truncate(parts.join(' — '), FALLBACK_MAX);
}

export function buildIncidentMessage(input: IncidentMessageInput): SlackMessage {
  const blocks = [
    headerBlock(input),
    fieldsBlock(input),
    sparklineBlock(input.memoryBytes),
    fixBlock(input),
    actionBlock(input),
    reasonsBlock(input.verdict.reasons),
    heapBlock(input.heapProfile),
    linksBlock(input),
  ].filter((b): b is SlackBlock => b !== null);
  return { text: fallbackText(input), blocks };
}
