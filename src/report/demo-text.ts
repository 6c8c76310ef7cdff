/**
 * What `leakguard demo` prints as text: one dry run's verdicts, plan, Events, Slack messages and the
 * upgrade PR, then the Rook incident's life run after run. Every line quotes what a run recorded. Pure.
 */
import type { Verdict } from '../detect/types.js';
import { renderTable, wrap } from '../model/text.js';
import { formatTime } from '../model/units.js';
import type { Plan, PlanAction } from '../policy/types.js';
import type { EventDraft } from './event-text.js';
import type { SlackMessage } from './slack-message.js';
import { renderVerdictTable } from './verdict-table.js';

/** The demo's dry run, as far as its text needs (src/demo/pipeline.ts DemoReport). */
export interface DemoRunText {
  targets: readonly {
    series: { labels: { namespace: string }; workload: string; samples: readonly { v: number }[] };
    verdict: Verdict;
  }[];
  plan: Pick<Plan, 'items'>;
  events: readonly (EventDraft & { object: string })[];
  slack: readonly SlackMessage[];
  pr: { branch: string; title: string; body: string; file: string; diff: readonly string[] } | null;
}

/** The demo's incident run after run, as far as its text needs (src/demo/story.ts DemoStory). */
export interface DemoStoryText {
  steps: readonly {
    before: string;
    at: number;
    phase: string | null;
    events: readonly { type: string; reason: string; note: string }[];
    slack: readonly string[];
    prStatus: string | null;
  }[];
  pr: { number: number; branch: string; title: string; bodies: readonly string[] } | null;
  operator: readonly { image: string; env: Record<string, string>; configMap: Record<string, string> }[];
}

/** The demo's text stays within this many columns (the PR body is Markdown, shown as GitHub gets it). */
const WIDTH = 116;

/** A table's rows, each followed by its note wrapped and indented. */
function indentedNotes(table: string, notes: readonly string[]): string[] {
  const [head, ...rows] = table.split('\n');
  return [head!, ...rows.flatMap((row, i) => [row, ...wrap(notes[i] ?? '', WIDTH - 4).map((l) => `    ${l}`)])];
}

/** ` 1.12.1 → 1.12.3` for an upgrade PR: the target is what a reader looks for first. */
function upgradeStep(item: PlanAction): string {
  const upgrade = item.details.upgrade;
  return upgrade ? ` ${upgrade.fromVersion} → ${upgrade.toVersion}` : '';
}

function section(title: string): string {
  return `\n== ${title} ${'='.repeat(Math.max(0, 72 - title.length))}`;
}

export function renderDemo(report: DemoRunText): string {
  const lines: string[] = [
    'leakguard demo — 48 h of working-set history (60 s step): a Rook Ceph operator v1.14.9 under namespace/PVC',
    "churn (rook/rook#15499), cert-manager's cainjector v1.12.1 (cert-manager/cert-manager#6217) and three healthy",
    'neighbours. No cluster, no network; dry-run.',
    section('1. Detection'),
    renderVerdictTable(
      report.targets.map((t) => ({
        name: `${t.series.labels.namespace}/${t.series.workload}`,
        verdict: t.verdict,
        values: t.series.samples.map((s) => s.v),
      })),
    ),
    section('2. Plan'),
    ...report.plan.items.flatMap((item) => {
      const [head, text] =
        item.type === 'action'
          ? [
              `${item.dryRun ? 'WOULD' : 'DO'} ${item.kind}${upgradeStep(item)} ${item.workload.namespace}/${item.workload.name}  (action ${item.id})`,
              item.reason,
            ]
          : item.type === 'skip'
            ? [`SKIP ${item.wanted ?? ''} ${item.workload.namespace}/${item.workload.name}: ${item.reason}`, item.note]
            : [`NOTICE ${item.kind} ${item.workload.namespace}/${item.workload.name}`, item.note];
      return [head, ...wrap(text, WIDTH - 6).map((l) => `      ${l}`)];
    }),
    section('3. Events (kubectl events -A)'),
    ...indentedNotes(
      renderTable([['TYPE', 'REASON', 'OBJECT'], ...report.events.map((e) => [e.type, e.reason, e.object])]),
      report.events.map((e) => e.note),
    ),
    section('4. Slack (a message per workload; plain-text fallback shown)'),
  ];
  for (const [i, message] of report.slack.entries()) {
    lines.push(
      ...(i > 0 ? [''] : []),
      ...wrap(message.text, WIDTH),
      `(${message.blocks.length} blocks: ${message.blocks.map((b) => b.type).join(', ')})`,
    );
  }
  if (report.pr) {
    lines.push(
      section("5. Rook's upgrade PR (third rung, if restart and workaround fail)"),
      `branch: ${report.pr.branch}`,
      `title:  ${report.pr.title}`,
      `file:   ${report.pr.file}`,
      ...report.pr.diff.map((l) => `  ${l}`),
      '',
      report.pr.body,
    );
  }
  return lines.join('\n');
}

/** The Rook incident run after run, acting, fast-forwarded: what each run recorded. */
export function renderStory(story: DemoStoryText): string {
  const lines = [
    section("6. The Rook incident's life, fast-forwarded (acting, in memory)"),
    'The same run, again and again as time passes, over an in-memory cluster, Prometheus, Slack and GitOps repo.',
  ];
  for (const [i, step] of story.steps.entries()) {
    lines.push('', `-- run ${i + 1} at ${formatTime(step.at)} (${step.before}) — phase: ${step.phase ?? 'none'}`);
    for (const e of step.events)
      lines.push(
        ...wrap(`${e.type} ${e.reason}: ${e.note}`, WIDTH - 4).map((l, k) => `${k === 0 ? '  ' : '    '}${l}`),
      );
    for (const text of step.slack)
      lines.push(...wrap(`Slack: ${text}`, WIDTH - 4).map((l, k) => `${k === 0 ? '  ' : '    '}${l}`));
    if (step.prStatus)
      lines.push(...wrap(`PR status: ${step.prStatus}`, WIDTH - 4).map((l, k) => `${k === 0 ? '  ' : '    '}${l}`));
  }
  const [before, after] = story.operator;
  if (before && after) {
    const show = (o: typeof before) =>
      `image ${o.image}, env ${JSON.stringify(o.env)}, ConfigMap ${JSON.stringify(o.configMap)}`;
    lines.push('', `Operator before the workaround: ${show(before)}`, `Operator at the end:            ${show(after)}`);
  }
  if (story.pr)
    lines.push(
      '',
      `PR #${story.pr.number} (${story.pr.branch}): ${story.pr.title}; its body written ${story.pr.bodies.length} times, one PR all along.`,
    );
  return lines.join('\n');
}
