/** `leakguard demo`: prints what one run would detect, plan and record, on embedded data. */
import { runDemoPipeline, type DemoReport } from '../../demo/pipeline.js';
import { runDemoStory } from '../../demo/story.js';
import { renderDemo, renderStory } from '../../report/demo-text.js';
import type { OutputFormat } from '../output.js';

export async function runDemo(options: { output: OutputFormat }, print: (text: string) => void): Promise<void> {
  const report = await runDemoPipeline();
  const story = await runDemoStory();
  if (options.output === 'json') {
    print(JSON.stringify({ ...demoJson(report), story }));
    return;
  }
  print(`${renderDemo(report)}\n${renderStory(story)}`);
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
