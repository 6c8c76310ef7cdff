/**
 * An upstream bug report for a leak no catalogue entry explains, ready to paste (leakguard writes it,
 * never files it): what leaks, how fast and for how long, what was tried, the memory chart and the
 * heap profile's top allocation sites. Pure.
 */
import type { SampleSeries } from '../detect/columns.js';
import type { Verdict } from '../detect/types.js';
import { memoryChart } from './pr-chart.js';
import { growthRow } from './pr-body.js';
import type { WorkloadState } from '../model/state.js';
import { formatHours, formatMiB, formatTime } from '../model/units.js';
import type { WorkloadRef } from '../model/workload.js';
import { heapMarkdown, type HeapReport } from './heap-text.js';

export interface IssueDraftInput {
  incidentId: string;
  workload: WorkloadRef;
  container: string;
  image: string;
  version: string | null;
  verdict: Pick<Verdict, 'slope' | 'hoursToLimit' | 'currentBytes' | 'reasons'>;
  limitBytes: number | null;
  memory?: SampleSeries;
  state: WorkloadState;
  /** Unix seconds, the Prometheus evaluation time. */
  now: number;
  heap?: HeapReport;
}

/** What leakguard did in the incident, from its state, in words. */
export function whatWasTried(state: WorkloadState): string[] {
  const tried: string[] = [];
  if (state.restartTimes.length > 0)
    tried.push(
      `Restarted by leakguard ${state.restartTimes.length} time(s) in the last 24 h (last ${formatTime(Math.max(...state.restartTimes))}).`,
    );
  if (state.workaroundAppliedAt !== null)
    tried.push(`A workaround was applied at ${formatTime(state.workaroundAppliedAt)}.`);
  if (state.workaroundImage)
    tried.push(`Image ${state.workaroundImage.hotfix} was set in place of ${state.workaroundImage.previous}.`);
  if (tried.length === 0 && state.lastAction)
    tried.push(`Last action: ${state.lastAction}${state.lastActionAt ? ` at ${formatTime(state.lastActionAt)}` : ''}.`);
  return tried.length > 0 ? tried : ['Nothing yet.'];
}

export function upstreamIssueDraft(input: IssueDraftInput): string {
  const v = input.verdict;
  const version = input.version ?? 'unknown version';
  const since = input.state.incidentStart;
  const duration =
    since !== null ? `${formatHours((input.now - since) / 3600)} (since ${formatTime(since)})` : 'unknown';
  const chart = input.memory ? memoryChart(input.memory, input.limitBytes) : null;
  const lines = [
    `<!-- Drafted by \`leakguard report ${input.incidentId}\`; nothing was filed. Review it, remove what is private, then paste it. -->`,
    `## Memory leak in ${input.container} ${version}`,
    '',
    `The \`${input.container}\` container's memory grows steadily until it is restarted or OOM-killed.`,
    '',
    '| | |',
    '|---|---|',
    `| Image | \`${input.image}\` |`,
    `| Version | ${version} |`,
    `| Workload | ${input.workload.kind} (${input.workload.namespace}/${input.workload.name}) |`,
    growthRow(v.slope),
    `| Leaking for | ${duration} |`,
    `| Working set / limit | ${formatMiB(v.currentBytes)} / ${input.limitBytes === null ? 'none' : formatMiB(input.limitBytes)} |`,
    `| Time to limit | ${formatHours(v.hoursToLimit)} |`,
    '',
    '### What was tried',
    '',
    ...whatWasTried(input.state).map((t) => `- ${t}`),
  ];
  if (v.reasons.length > 0) lines.push('', '### Why this is a leak', '', ...v.reasons.slice(0, 5).map((r) => `- ${r}`));
  if (chart) lines.push('', '### Memory', '', chart);
  lines.push(
    '',
    input.heap
      ? heapMarkdown(input.heap)
      : '### Heap profile\n\nNone was captured: set `diagnostics.heapProfile` on the profile to keep one before the next restart.',
  );
  if (input.heap?.command)
    lines.push('', 'Attach that file to the issue: `go tool pprof` opens it without the binary.');
  return `${lines.join('\n')}\n`;
}

export function knownIssueExplains(known: { issueId: string; title: string; image: string }): string {
  return `The known issue ${known.issueId} (${known.title}) explains this leak: no upstream draft. \`leakguard catalog check ${known.image}\` says what leakguard does about it.`;
}
