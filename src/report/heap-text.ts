/**
 * What a heap profile captured before a restart says, in words: the Event note, the lines Slack and
 * the PR quote, and the command that opens the raw profile. Pure.
 */
import type { HeapGrowth, HeapSite, HeapSummary } from '../profile/heap.js';
import { formatMiB, MIB } from '../model/units.js';

export const HeapEventReason = {
  HeapProfileCaptured: 'HeapProfileCaptured',
  HeapProfileFailed: 'HeapProfileFailed',
} as const;

/** Where the raw profile was kept. */
export interface KeptAt {
  namespace: string;
  configMap: string;
  key: string;
}

export interface HeapCaptured {
  pod: string;
  summary: HeapSummary;
  kept: KeptAt | { notKept: string };
  /** What grew since the incident's first capture, when this is a later one. */
  growth?: { grewBytes: number; sites: HeapGrowth[] };
}

/** `kubectl … | base64 -d > heap.pb.gz && go tool pprof -top heap.pb.gz`: paste-ready. */
export function pprofCommand(kept: KeptAt): string {
  const file = kept.key;
  return `kubectl get configmap ${kept.configMap} -n ${kept.namespace} -o go-template='{{index .binaryData "${kept.key}"}}' | base64 -d > ${file} && go tool pprof -top ${file}`;
}

/** The last two parts of a path: `operator/pkg/watch/informer.go:88`, not the build machine's GOPATH. */
function shortFile(fileLine: string): string {
  return fileLine.split('/').slice(-2).join('/');
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

function size(bytes: number): string {
  return bytes < MIB
    ? `${Math.round(bytes / 1024)} KiB`
    : bytes < 10 * MIB
      ? `${(bytes / MIB).toFixed(1)} MiB`
      : formatMiB(bytes);
}

/** `main.leak (leaker/main.go:42) 91% of in-use bytes` */
export function describeSite(site: HeapSite): string {
  return `${site.function}${site.fileLine ? ` (${shortFile(site.fileLine)})` : ''} ${percent(site.share)}`;
}

function describeGrowth(g: HeapGrowth): string {
  return `${g.function}${g.fileLine ? ` (${shortFile(g.fileLine)})` : ''} +${size(g.grewBytes)}`;
}

/** What Slack and the PR body show: top sites and what grew, in lines; the command that opens the profile. */
export interface HeapReport {
  lines: string[];
  /** Null when the profile could not be kept (the last line says why). */
  command: string | null;
}

export function heapReport(captured: HeapCaptured, top = 3): HeapReport {
  const lines = heapLines(captured, top);
  if ('notKept' in captured.kept) return { lines, command: null };
  return { lines: lines.slice(0, -1), command: pprofCommand(captured.kept) };
}

function heapLines(captured: HeapCaptured, top: number): string[] {
  const lines = [
    `Heap of pod ${captured.pod} before the restart: ${size(captured.summary.totalInuseBytes)} in use. Top allocation sites (share of in-use bytes):`,
  ];
  // Sites under 1% say nothing a person can act on; the first is always named.
  const sites = captured.summary.sites.slice(0, top).filter((s, i) => i === 0 || s.share >= 0.01);
  lines.push(...sites.map((s, i) => `${i + 1}. ${describeSite(s)}`));
  if (captured.growth && captured.growth.sites.length > 0) {
    lines.push(
      `Grew since the incident's first profile (${size(Math.max(0, captured.growth.grewBytes))}): ${captured.growth.sites.slice(0, top).map(describeGrowth).join(', ')}.`,
    );
  }
  lines.push(
    'notKept' in captured.kept ? `Not kept: ${captured.kept.notKept}.` : `Open it: ${pprofCommand(captured.kept)}`,
  );
  return lines;
}

/** The Event note, within `limitBytes`: sites are dropped from the end before the command is. */
export function heapCapturedNote(captured: HeapCaptured, limitBytes = 1024): string {
  for (let top = 3; top >= 1; top--) {
    const note = heapLines(captured, top).join(' ');
    if (Buffer.byteLength(note, 'utf8') <= limitBytes) return note;
  }
  return heapLines(captured, 1).join(' ');
}

/** Why no profile was kept; the restart is never held back by it. */
export function heapFailedNote(pod: string, reason: string, dryRun: boolean): string {
  return `No heap profile of pod ${pod} before the restart: ${reason}. The restart ${dryRun ? 'would go' : 'went'} ahead without it.`;
}

/** The heap profile as a Markdown section (PR body, upstream issue draft). */
export function heapMarkdown(heap: HeapReport): string {
  const [first, ...rest] = heap.lines;
  const lines = [
    '### Heap profile before the restart',
    '',
    first ?? '',
    '',
    ...rest.map((l) => (/^\d+\. /.test(l) ? l : `\n${l}`)),
  ];
  if (heap.command) lines.push('', 'Open the kept profile:', '', '```sh', heap.command, '```');
  return lines.join('\n').replace(/\n{3,}/g, '\n\n');
}

/** Why no profile was read (HeapProfileFailed quotes it); `where` names the port and path. */
export function heapTooLargeReason(where: string, limitBytes: number): string {
  return `the profile at ${where} is larger than maxSize (${Math.round(limitBytes / 1024)} KiB)`;
}

/** `status` is `forbidden` for the API server's 403, else the error as the port describes it. */
export function heapUnansweredReason(where: string, status: string): string {
  const why =
    status === 'forbidden'
      ? 'forbidden: the chart renders pods/proxy only for profiles with diagnostics.heapProfile'
      : status;
  return `${where} did not answer through the pod proxy (${why})`;
}

export function heapUnreadableReason(where: string, reason: string): string {
  return `the answer of ${where} is ${reason}`;
}

/** Why a profile that was read is not kept. */
export function heapNotKeptReason(why: { dryRun: true } | { notOurs: string } | { failed: string }): string {
  if ('dryRun' in why) return 'a dry run writes nothing but Events';
  if ('notOurs' in why) return `ConfigMap ${why.notOurs} exists and is not leakguard's`;
  return `ConfigMap write failed (${why.failed})`;
}
