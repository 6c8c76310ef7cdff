/**
 * PR title and body, built from small pure functions (header, detection, known issue, upgrade path,
 * actions, footer). Inputs are plain data so the catalogue and the detector can evolve on their own.
 */
import type { SampleSeries } from '../detect/columns.js';
import type { Verdict } from '../detect/types.js';
import { normalizeLink, truncate, type LinkInput } from '../model/text.js';
import { formatHours, formatMiB, formatMiBPerHour, formatTime } from '../model/units.js';
import { stripV, withV } from '../catalog/version.js';
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
  /** Where the incident is: re-written in the open PR when its phase changes. */
  status?: PrStatus;
}

/** The incident's phase as the PR tells it (from the durable state, never from one run alone). */
export interface PrStatus {
  phase: 'proposed' | 'rolled-out' | 'verified' | 'ineffective';
  toVersion: string;
  /** leakguard's workaround: what it set and since when; `removedAt` once leakguard removed it. */
  workaround: { what: string; since: number; removedAt: number | null } | null;
  /** The version the pods run since `at`, judged until `verifyUntil` (rolled-out and after). */
  rolledOut?: { version: string; at: number; verifyUntil: number };
  /** When the new version was judged (verified or ineffective). */
  judgedAt?: number;
  /** Where this PR's step is on the way to the fix: hops already rolled out (`from → to`), this one's number and the count. */
  hop: { index: number; of: number; earlier: readonly { from: string; to: string }[] };
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

/** The table row of the floor's growth and its 95% interval (the PR body, the issue draft). */
export function growthRow(slope: Verdict['slope']): string {
  const ci = slope ? ` (95% CI ${formatMiBPerHour(slope.low)} – ${formatMiBPerHour(slope.high)})` : '';
  return `| Growth of the memory floor | ${formatMiBPerHour(slope?.bytesPerHour)}${ci} |`;
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
    growthRow(v.slope),
    `| Current working set | ${formatMiB(v.currentBytes)} |`,
    `| Memory limit | ${input.limitBytes === null ? 'none' : formatMiB(input.limitBytes)} |`,
    `| Time to limit | ${formatHours(v.hoursToLimit)} |`,
  ];
  if (input.prometheusGraphUrl && isWebLink(input.prometheusGraphUrl))
    lines.push(`| Graph | [Prometheus](${input.prometheusGraphUrl}) |`);
  if (v.reasons.length > 0) lines.push('', ...v.reasons.slice(0, 5).map((r) => `- ${oneLine(r)}`));
  return lines.join('\n');
}

export function knownIssueSection(issue: KnownIssueInfo | undefined): string {
  if (!issue)
    return '### Known issue\n\nNo catalogued issue matches; the upgrade is proposed from the configured profile.';
  const lines = ['### Known issue', '', `**${oneLine(issue.title)}** (\`${issue.issueId}\`)`];
  const links = issue.links.map(normalizeLink).filter((l) => isWebLink(l.url));
  const item = (l: { title: string; url: string }) =>
    l.title === l.url ? `- ${l.url}` : `- [${oneLine(l.title, 120).replace(/[[\]]/g, '')}](${l.url})`;
  if (links.length > 0) lines.push('', ...links.map(item));
  if (issue.checked) lines.push('', `Ranges checked against these sources on ${oneLine(issue.checked, 10)}.`);
  if (issue.workaround) lines.push('', `Workaround until the upgrade lands: ${oneLine(issue.workaround)}`);
  return lines.join('\n');
}

/**
 * Steps from the running version along the catalogue's path: this PR's step first, the rest later,
 * one minor version at a time.
 */
export function upgradePathSection(
  fromVersion: string,
  toVersion: string,
  path: readonly string[] = [],
  rule?: string,
  notes: readonly LinkInput[] = [],
  hop?: PrStatus['hop'],
): string {
  const from = stripV(fromVersion);
  const to = stripV(toVersion);
  const normalized = path.map(stripV);
  const at = normalized.indexOf(to);
  const after = at >= 0 ? normalized.slice(at + 1) : [];
  const earlier = hop?.earlier ?? [];
  const of = Math.max(hop?.of ?? 0, earlier.length + 1 + after.length);
  const lines = [
    '### Upgrade path',
    '',
    ...earlier.map((h, i) => `${i + 1}. ${stripV(h.from)} → ${stripV(h.to)}, rolled out`),
    `${earlier.length + 1}. **${from} → ${to}** (this PR: hop ${earlier.length + 1} of ${of})`,
  ];
  let prev = to;
  after.forEach((next, i) => {
    lines.push(`${earlier.length + i + 2}. ${prev} → ${next} later, in its own PR once this one is rolled out`);
    prev = next;
  });
  lines.push(
    '',
    rule
      ? `Upgrade rule: ${oneLine(rule)}.`
      : 'Upgrades go one minor version at a time; skipping a minor version is not supported by the operator.',
  );
  const readFirst = notes.map(normalizeLink).filter((l) => isWebLink(l.url));
  if (readFirst.length > 0)
    lines.push(
      '',
      'Read before merging:',
      ...readFirst.map((l) => `- [${oneLine(l.title, 120).replace(/[[\]]/g, '')}](${l.url})`),
    );
  return lines.join('\n');
}

/** Other releases at the running version: a person decides whether they move too. */
export function alsoPinnedSection(fromVersion: string, alsoPinned: readonly PinnedElsewhere[] = []): string | null {
  if (alsoPinned.length === 0) return null;
  const rows = alsoPinned.map(
    (s) => `- \`${s.file}\` ${s.resource ? `\`${s.resource}\` ` : ''}\`${s.path}\`: ${oneLine(s.reason)}`,
  );
  return [
    `### Also pinned at this version, not changed`,
    '',
    `These places pin ${stripV(fromVersion)} too; this PR leaves them alone.`,
    '',
    ...rows,
  ].join('\n');
}

const STATUS_START = '<!-- leakguard:status -->';
const STATUS_END = '<!-- /leakguard:status -->';

/** Where the incident is now, between markers so a later run can re-write this section alone. */
export function statusSection(status: PrStatus): string {
  const to = withV(status.toVersion);
  const w = status.workaround;
  const since = w ? `${oneLine(w.what)}, since ${formatTime(w.since)}` : '';
  let text: string;
  switch (status.phase) {
    case 'proposed':
      text = w
        ? `**Workaround in place** (${since}): it is temporary, this upgrade is the fix. Once ${to} runs, leakguard judges it on its own data over the verification window, then removes the workaround.`
        : `**Proposed.** Once ${to} runs, leakguard judges it on its own data over the verification window.`;
      break;
    case 'rolled-out': {
      const r = status.rolledOut!;
      const keep = w ? `; the workaround (${since}) stays until then, and is removed if the leak is gone` : '';
      text = `**${withV(r.version)} rolled out** at ${formatTime(r.at)}; verifying until at least ${formatTime(r.verifyUntil)}${keep}.`;
      break;
    }
    case 'verified': {
      const version = withV(status.rolledOut?.version ?? status.toVersion);
      const after = !w
        ? ''
        : w.removedAt !== null
          ? ` leakguard removed its workaround (${oneLine(w.what)}) at ${formatTime(w.removedAt)}.`
          : ` The workaround (${since}) is removed as soon as the guardrails allow.`;
      text = `**Verified on ${version}** at ${formatTime(status.judgedAt ?? 0)}: the memory floor stayed flat over the verification window; the leak is fixed.${after}`;
      break;
    }
    case 'ineffective': {
      const version = withV(status.rolledOut?.version ?? status.toVersion);
      const keep = w ? ` The workaround (${since}) stays in place.` : '';
      text = `**STILL LEAKING on ${version}** (judged at ${formatTime(status.judgedAt ?? 0)}): this upgrade did not fix the leak; the known issue does not explain it.${keep}`;
      break;
    }
  }
  return [STATUS_START, '### Status', '', text, STATUS_END].join('\n');
}

/** The body with its status section replaced by `section` (added after the header when it has none). */
export function withStatus(body: string, section: string): string {
  const start = body.indexOf(STATUS_START);
  const end = body.indexOf(STATUS_END, start);
  if (start >= 0 && end > start) return `${body.slice(0, start)}${section}${body.slice(end + STATUS_END.length)}`;
  const afterHeader = body.indexOf('\n\n### ');
  return afterHeader < 0
    ? `${section}\n\n${body}`
    : `${body.slice(0, afterHeader)}\n\n${section}${body.slice(afterHeader)}`;
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
  const shown = pulls
    .slice(0, 5)
    .map(
      (p) =>
        `- #${p.number} from \`${oneLine(p.head, 120).replace(/`/g, '')}\` (not opened by leakguard; left as it is)`,
    );
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
    input.status ? statusSection(input.status) : null,
    detectionSection(input),
    knownIssueSection(input.knownIssue),
    upgradePathSection(
      input.fromVersion,
      input.toVersion,
      input.knownIssue?.upgradePath,
      input.knownIssue?.upgradeRule,
      input.knownIssue?.upgradeNotes,
      input.status?.hop,
    ),
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
