/**
 * PR title and body, built from small pure functions (header, detection, known issue, upgrade path,
 * actions, footer). Inputs are plain data so the catalogue and the detector can evolve on their own.
 */
import type { SampleSeries } from '../detect/columns.js';
import type { Verdict } from '../detect/types.js';
import { normalizeLink, truncate, type LinkInput } from '../model/text.js';
import { formatHours, formatMiB, formatMiBPerHour, formatTime } from '../model/units.js';
import { stripV } from '../catalog/version.js';
import { memoryChart } from './pr-chart.js';
import { heapMarkdown, type HeapReport } from './heap-text.js';

/** Another place that pins the running version, which the PR leaves alone (a bump's `alsoPinned`). */
export interface PinnedElsewhere {
  file: string;
  resource: string;
  path: string;
  value: string;
  /** Why it was not changed, in words a person reads. */
  reason: string;
}

/** What the catalogue knows about the issue, as plain data. */
export interface KnownIssueInfo {
  issueId: string;
  title: string;
  /** Bare URLs or `{ title, url }` as in the catalogue; only http(s) links are shown. */
  links: readonly LinkInput[];
  /** Versions in upgrade order, e.g. ["1.14.9", "1.15.9", "1.16.5"]; one minor at a time. */
  upgradePath: readonly string[];
  workaround?: string;
  /** The project's upgrade rule in words; default: one minor version at a time. */
  upgradeRule?: string;
  /** Upgrade notes to read for each minor version the bump crosses. */
  upgradeNotes?: readonly LinkInput[];
  /** The day the catalogue entry was checked against its sources (`2026-11-30`). */
  checked?: string;
}

export interface ActionRecord {
  /** Unix seconds. */
  at: number;
  kind: string;
  summary: string;
}

export interface PrBodyInput {
  profile: string;
  target: { namespace: string; workload: string; container: string };
  fromVersion: string;
  toVersion: string;
  verdict: Pick<Verdict, 'slope' | 'hoursToLimit' | 'reasons' | 'currentBytes'>;
  limitBytes: number | null;
  /** Working-set samples over the judged window (drawn as a chart of hourly floors). */
  memory?: SampleSeries;
  knownIssue?: KnownIssueInfo;
  actions: readonly ActionRecord[];
  prometheusGraphUrl?: string;
  /** Other releases pinned at the running version that this PR leaves alone. */
  alsoPinned?: readonly PinnedElsewhere[];
  /** The heap profile kept with the incident (`diagnostics.heapProfile`). */
  heapProfile?: HeapReport;
}

/** GitHub rejects bodies over 65536 characters; stay well under. */
const MAX_BODY_CHARS = 60_000;

/** Hidden marker that identifies leakguard's PR for one (profile, target version). */
export function prMarker(profile: string, toVersion: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._/-]/g, '_');
  return `<!-- leakguard:profile=${clean(profile)};target=${clean(stripV(toVersion))} -->`;
}

export function prTitle(input: Pick<PrBodyInput, 'target' | 'fromVersion' | 'toVersion'>): string {
  return `fix(${input.target.workload}): upgrade ${stripV(input.fromVersion)} → ${stripV(input.toVersion)} (memory leak)`;
}

function isWebLink(url: string): boolean {
  return /^https?:\/\/[^\s<>()]+$/.test(url);
}

function oneLine(text: string, max = 300): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max);
}

export function headerSection(input: PrBodyInput): string {
  const t = input.target;
  return [
    `## leakguard: upgrade \`${t.namespace}/${t.workload}\` from ${stripV(input.fromVersion)} to ${stripV(input.toVersion)}`,
    '',
    `The \`${t.container}\` container of profile \`${input.profile}\` is leaking memory. This PR moves it to a version where the leak is fixed.`,
  ].join('\n');
}

export function detectionSection(input: PrBodyInput): string {
  const v = input.verdict;
  const chart = input.memory ? memoryChart(input.memory, input.limitBytes) : null;
  const lines = [
    '### What was detected',
    '',
    ...(chart ? [chart, ''] : []),
    '| | |',
    '|---|---|',
    `| Growth of the memory floor | ${formatMiBPerHour(v.slope?.bytesPerHour)}${v.slope ? ` (95% CI ${formatMiBPerHour(v.slope.low)} – ${formatMiBPerHour(v.slope.high)})` : ''} |`,
    `| Current working set | ${formatMiB(v.currentBytes)} |`,
    `| Memory limit | ${input.limitBytes === null ? 'none' : formatMiB(input.limitBytes)} |`,
    `| Time to limit | ${formatHours(v.hoursToLimit)} |`,
  ];
  if (input.prometheusGraphUrl && isWebLink(input.prometheusGraphUrl)) lines.push(`| Graph | [Prometheus](${input.prometheusGraphUrl}) |`);
  if (v.reasons.length > 0) lines.push('', ...v.reasons.slice(0, 5).map((r) => `- ${oneLine(r)}`));
  return lines.join('\n');
}

export function knownIssueSection(issue: KnownIssueInfo | undefined): string {
  if (!issue) return '### Known issue\n\nNo catalogued issue matches; the upgrade is proposed from the configured profile.';
  const lines = ['### Known issue', '', `**${oneLine(issue.title)}** (\`${issue.issueId}\`)`];
  const links = issue.links.map(normalizeLink).filter((l) => isWebLink(l.url));
  const item = (l: { title: string; url: string }) => (l.title === l.url ? `- ${l.url}` : `- [${oneLine(l.title, 120).replace(/[[\]]/g, '')}](${l.url})`);
  if (links.length > 0) lines.push('', ...links.map(item));
  if (issue.checked) lines.push('', `Ranges checked against these sources on ${oneLine(issue.checked, 10)}.`);
  if (issue.workaround) lines.push('', `Workaround until the upgrade lands: ${oneLine(issue.workaround)}`);
  return lines.join('\n');
}

/**
 * Steps from the running version along the catalogue's path: this PR's step first, the rest later,
 * one minor version at a time.
 */
export function upgradePathSection(fromVersion: string, toVersion: string, path: readonly string[] = [], rule?: string, notes: readonly LinkInput[] = []): string {
  const from = stripV(fromVersion);
  const to = stripV(toVersion);
  const normalized = path.map(stripV);
  const at = normalized.indexOf(to);
  const after = at >= 0 ? normalized.slice(at + 1) : [];
  const lines = ['### Upgrade path', '', `1. **${from} → ${to}** (this PR)`];
  let prev = to;
  after.forEach((next, i) => {
    lines.push(`${i + 2}. ${prev} → ${next} later, in its own PR once this one is rolled out`);
    prev = next;
  });
  lines.push('', rule ? `Upgrade rule: ${oneLine(rule)}.` : 'Upgrades go one minor version at a time; skipping a minor version is not supported by the operator.');
  const readFirst = notes.map(normalizeLink).filter((l) => isWebLink(l.url));
  if (readFirst.length > 0) lines.push('', 'Read before merging:', ...readFirst.map((l) => `- [${oneLine(l.title, 120).replace(/[[\]]/g, '')}](${l.url})`));
  return lines.join('\n');
}

/** Other releases at the running version: a person decides whether they move too. */
export function alsoPinnedSection(fromVersion: string, alsoPinned: readonly PinnedElsewhere[] = []): string | null {
  if (alsoPinned.length === 0) return null;
  const rows = alsoPinned.map((s) => `- \`${s.file}\` ${s.resource ? `\`${s.resource}\` ` : ''}\`${s.path}\`: ${oneLine(s.reason)}`);
  return [`### Also pinned at this version, not changed`, '', `These places pin ${stripV(fromVersion)} too; this PR leaves them alone.`, '', ...rows].join('\n');
}

export function actionsSection(actions: readonly ActionRecord[]): string {
  if (actions.length === 0) return '### Actions already taken\n\nNone: this PR is the first remediation.';
  const when = (at: number) => (Number.isFinite(at) && at > 0 ? `${formatTime(at)} ` : '');
  const rows = actions.map((a) => `- ${when(a.at)}**${oneLine(a.kind, 40)}**: ${oneLine(a.summary)}`);
  return ['### Actions already taken', '', ...rows].join('\n');
}

export function footerSection(profile: string, toVersion: string): string {
  return [
    '---',
    '*Opened by leakguard. A later run updates this PR instead of opening another; close it to stop.*',
    prMarker(profile, toVersion),
  ].join('\n');
}

/** Other open PRs for this bump that claim to be leakguard's but are not; linked, never edited. */
export interface SeeAlsoPull {
  number: number;
  /** `owner/name:branch` of the PR's head. */
  head: string;
}

const FOOTER_START = '\n\n---\n*Opened by leakguard.';

/** Adds a "See also" section before the footer (at most 5 PRs; the rest are counted). */
export function withSeeAlso(body: string, pulls: readonly SeeAlsoPull[]): string {
  if (pulls.length === 0) return body;
  const shown = pulls.slice(0, 5).map((p) => `- #${p.number} from \`${oneLine(p.head, 120).replace(/`/g, '')}\` (not opened by leakguard; left as it is)`);
  if (pulls.length > shown.length) shown.push(`- and ${pulls.length - shown.length} more`);
  const section = ['### See also', '', ...shown].join('\n');
  // Before the footer (or the bare marker), so the marker stays last.
  const footer = body.lastIndexOf(FOOTER_START);
  const marker = body.lastIndexOf('\n<!-- leakguard:');
  const at = footer >= 0 ? footer : marker;
  return at < 0 ? `${body}\n\n${section}` : `${body.slice(0, at)}\n\n${section}${body.slice(at)}`;
}

export function prBody(input: PrBodyInput): string {
  const body = [
    headerSection(input),
    detectionSection(input),
    knownIssueSection(input.knownIssue),
    upgradePathSection(input.fromVersion, input.toVersion, input.knownIssue?.upgradePath, input.knownIssue?.upgradeRule, input.knownIssue?.upgradeNotes),
    alsoPinnedSection(input.fromVersion, input.alsoPinned),
    actionsSection(input.actions),
    input.heapProfile ? heapMarkdown(input.heapProfile) : null,
  ]
    .filter((section) => section !== null)
    .join('\n\n');
  const footer = footerSection(input.profile, input.toVersion);
  // The marker must survive truncation: cut the sections, never the footer.
  return `${truncate(body, MAX_BODY_CHARS - footer.length - 2)}\n\n${footer}`;
}
