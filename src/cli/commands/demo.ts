/** `leakguard demo`: prints what one run would detect, plan and record, on embedded data. */
import { runDemoPipeline, type DemoReport } from '../../demo/pipeline.js';
import { runDemoStory, type DemoStory } from '../../demo/story.js';
import { formatTime } from '../../model/units.js';
import type { PlanAction } from '../../policy/types.js';
import type { OutputFormat } from '../output.js';
import { wrap } from '../../model/text.js';
import { renderTable } from '../../model/text.js';
import { renderVerdictTable } from '../../report/verdict-table.js';

export async function runDemo(options: { output: OutputFormat }, print: (text: string) => void): Promise<void> {
  const report = await runDemoPipeline();
  const story = await runDemoStory();
  if (options.output === 'json') {
    print(JSON.stringify({ ...demoJson(report), story }));
    return;
  }
  print(`${renderDemo(report)}\n${renderStory(story)}`);
}

/** The Rook incident run after run, acting, fast-forwarded: what each run recorded. */
export function renderStory(story: DemoStory): string {
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

function demoJson(report: DemoReport) {
  return {
    now: report.now,
    targets: report.targets.map(({ series, verdict, facts }) => ({
      labels: series.labels,
      image: facts.image,
      verdict,
    })),
    plan: report.plan.items,
    events: report.events,
    pullRequest: report.pr,
    slack: report.slack,
  };
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

export function renderDemo(report: DemoReport): string {
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
