/** `leakguard demo`: prints what one run would detect, plan and record, on embedded data. */
import { runDemoPipeline, type DemoReport } from '../../demo/pipeline.js';
import type { OutputFormat } from '../output.js';
import { renderTable } from '../output.js';
import { renderVerdictTable } from '../render.js';

export async function runDemo(options: { output: OutputFormat }, print: (text: string) => void): Promise<void> {
  const report = runDemoPipeline();
  if (options.output === 'json') {
    print(JSON.stringify(demoJson(report)));
    return;
  }
  print(renderDemo(report));
}

function demoJson(report: DemoReport) {
  return {
    now: report.now,
    targets: report.targets.map(({ series, verdict, facts }) => ({ labels: series.labels, image: facts.image, verdict })),
    plan: report.plan.items,
    events: report.events,
    pullRequest: report.pr,
    slack: report.slack,
  };
}

function section(title: string): string {
  return `\n== ${title} ${'='.repeat(Math.max(0, 72 - title.length))}`;
}

export function renderDemo(report: DemoReport): string {
  const lines: string[] = [
    'leakguard demo — 48 h of working-set history (60 s step): a Rook Ceph operator v1.14.9 under namespace/PVC',
    'churn (rook/rook#15499) and three healthy neighbours. No cluster, no network; dry-run.',
    section('1. Detection'),
    renderVerdictTable(report.targets.map((t) => ({ name: `${t.series.labels.namespace}/${t.series.workload}`, verdict: t.verdict, values: t.series.samples.map((s) => s.v) }))),
    section('2. Plan'),
    ...report.plan.items.map((item) => {
      if (item.type === 'action') return `${item.dryRun ? 'WOULD' : 'DO'} ${item.kind} ${item.workload.namespace}/${item.workload.name}  (action ${item.id})\n      ${item.reason}`;
      if (item.type === 'skip') return `SKIP ${item.wanted ?? ''} ${item.workload.namespace}/${item.workload.name}: ${item.reason} — ${item.note}`;
      return `NOTICE ${item.kind} ${item.workload.namespace}/${item.workload.name}: ${item.note}`;
    }),
    section('3. Events (kubectl events --for deployment/rook-ceph-operator -n rook-ceph)'),
    renderTable([['TYPE', 'REASON', 'OBJECT', 'MESSAGE'], ...report.events.map((e) => [e.type, e.reason, e.object, e.note])]),
  ];
  for (const message of report.slack) {
    lines.push(section('4. Slack (Block Kit; plain-text fallback shown)'), message.text, '', `(${message.blocks.length} blocks: ${message.blocks.map((b) => b.type).join(', ')})`);
  }
  if (report.pr) {
    lines.push(
      section('5. Upgrade PR (third rung, if restart and workaround do not stop the leak)'),
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
