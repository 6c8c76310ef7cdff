/**
 * `leakguard demo`: the whole pipeline on the embedded trace, with no cluster and no network. The facts a
 * cluster would report are written out here; everything downstream (detector, catalogue, policy, Event
 * notes, PR body, file bump) is the production code.
 */
import { buildCatalog, describeWorkaround, issueLinks, ruleText, type Catalog } from '../catalog/index.js';
import { versionFromImage } from '../catalog/image.js';
import { knownIssuesFor } from '../policy/known-issues.js';
import { defaultDetectOptions, judge, valuesOf } from '../detect/index.js';
import type { Verdict } from '../detect/types.js';
import { bumpFile } from '../forge/bump/index.js';
import { prBody, prTitle } from '../forge/pr-body.js';
import { upgradeBranchName } from '../forge/types.js';
import { plan as planActions } from '../policy/plan.js';
import { emptyWorkloadState, type Plan, type ProfilePolicy, type TargetFacts } from '../policy/types.js';
import { buildIncidentMessage } from '../notify/message.js';
import { shouldNotify } from '../notify/should-notify.js';
import type { SlackMessage } from '../notify/types.js';
import { promGraphUrl } from '../prom/graph-url.js';
import { eventFor, type EventDraft } from '../report/event-text.js';
import { workloadKey } from '../model/workload.js';
import type { TargetEvidence } from '../run/act.js';
import { groupByWorkload, incidentState, knownIssueInput } from '../run/notify.js';
import { demoTrace, type DemoSeries } from './trace.js';

/** The GitOps file the upgrade PR would change, as a Flux user keeps it. */
export const demoHelmRelease = `# Rook operator for the prod cluster. Upgrade one minor at a time!
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: rook-ceph
  namespace: rook-ceph
spec:
  interval: 30m
  chart:
    spec:
      chart: rook-ceph
      version: v1.14.9 # pinned after the 1.14 upgrade
      sourceRef:
        kind: HelmRepository
        name: rook-release
  values:
    csi:
      enableRbdDriver: true
`;

export interface DemoTarget {
  series: DemoSeries;
  facts: TargetFacts;
  verdict: Verdict;
}

export interface DemoReport {
  now: number;
  targets: DemoTarget[];
  plan: Plan;
  events: (EventDraft & { object: string })[];
  pr: { branch: string; title: string; body: string; file: string; diff: string[] } | null;
  slack: SlackMessage[];
}

const profiles: ProfilePolicy[] = [
  {
    name: 'rook-ceph-operator',
    ladder: ['restart', 'workaround', 'upgrade-pr'],
    restartMode: 'rollout',
    escalateWithinSeconds: 48 * 3600,
    revertWorkaroundIfIneffective: false,
    knownIssues: ['rook-operator-leak-1.14'],
  },
  { name: 'platform-operators', ladder: ['restart'], restartMode: 'rollout', escalateWithinSeconds: 48 * 3600, revertWorkaroundIfIneffective: false, knownIssues: [] },
];

function factsFor(series: DemoSeries, now: number): TargetFacts {
  const rook = series.labels.namespace === 'rook-ceph';
  const version = versionFromImage(series.image);
  return {
    profile: rook ? 'rook-ceph-operator' : 'platform-operators',
    workload: { kind: 'Deployment', namespace: series.labels.namespace, name: series.workload, uid: `demo-${series.workload}` },
    pod: { name: series.labels.pod, uid: `demo-${series.labels.pod}`, startTime: now - 48 * 3600, ready: true, terminating: false, controlled: true },
    container: series.labels.container,
    image: series.image,
    version,
    limitBytes: series.limitBytes,
    restartCount: 0,
    gitopsOwner: null,
    rollingOut: false,
    unreadyReplicas: 0,
    env: rook ? { ROOK_LOG_LEVEL: 'INFO', ROOK_CURRENT_NAMESPACE_ONLY: 'true' } : {},
  };
}

export function runDemoPipeline(now = Math.floor(Date.UTC(2026, 10, 26, 12, 0, 0) / 1000)): DemoReport {
  const catalog = buildCatalog();
  const targets = demoTrace(now).map((series) => {
    const facts = factsFor(series, now);
    const verdict = judge({ samples: series.samples, limitBytes: series.limitBytes, now }, defaultDetectOptions);
    return { series, facts, verdict };
  });
  const plan = planActions({
    targets: targets.map(({ facts, verdict }) => ({ facts, verdict, state: emptyWorkloadState })),
    profiles,
    guardrails: { dryRun: true, cooldownSeconds: 6 * 3600, maxActionsPerRun: 1, maxRestartsPerDay: 3, windows: [], killSwitch: false },
    now,
    catalog,
  });
  const events = plan.items.flatMap((item) => {
    const draft = eventFor(item);
    return draft ? [{ ...draft, object: `deployment/${item.workload.name} -n ${item.workload.namespace}` }] : [];
  });
  return { now, targets, plan, events, pr: upgradePr(targets, catalog), slack: slackMessages(plan, targets, catalog) };
}

/** The message(s) Slack would get: one per workload whose incident changed (here: each new one). */
function slackMessages(plan: Plan, targets: readonly DemoTarget[], catalog: Catalog): SlackMessage[] {
  const evidence = (key: string): TargetEvidence | undefined => {
    const t = targets.find((x) => workloadKey(x.facts.workload) === key);
    return t ? { verdict: t.verdict, samples: t.series.samples, limitBytes: t.facts.limitBytes, image: t.facts.image, container: t.facts.container } : undefined;
  };
  return groupByWorkload(plan.items, new Map(), evidence).flatMap((news) => {
    const { state, action } = incidentState(news);
    if (!shouldNotify(null, state).notify) return [];
    const e = news.evidence!;
    const first = news.items[0]!;
    return [
      buildIncidentMessage({
        phase: state.phase,
        severity: state.severity,
        profile: first.profile,
        target: { namespace: first.workload.namespace, kind: first.workload.kind, name: first.workload.name, container: e.container },
        version: versionFromImage(e.image),
        verdict: e.verdict,
        limitBytes: e.limitBytes,
        memoryBytes: valuesOf(e.samples),
        ...(action ? { action } : {}),
        prometheusGraphUrl: promGraphUrl('http://prometheus.monitoring.svc:9090', 'max by (namespace, pod, container) (container_memory_working_set_bytes{namespace="rook-ceph"})', 86_400),
        cluster: 'demo',
        ...knownIssueInput(catalog, e),
      }),
    ];
  });
}

/** The PR the third rung would open if the leak survived the restart and the workaround. */
function upgradePr(targets: readonly DemoTarget[], catalog: ReturnType<typeof buildCatalog>): DemoReport['pr'] {
  const rook = targets.find((t) => t.facts.profile === 'rook-ceph-operator' && t.verdict.kind === 'leaking');
  if (!rook?.facts.version) return null;
  const match = knownIssuesFor(catalog, rook.facts, ['rook-operator-leak-1.14'])[0];
  if (!match?.targetVersion) return null;
  const from = match.version;
  const to = match.targetVersion;
  const file = 'clusters/prod/rook/helmrelease.yaml';
  const bumped = bumpFile(demoHelmRelease, { fromVersion: from, toVersion: to, fileName: file });
  const before = demoHelmRelease.split('\n');
  const after = bumped.content.split('\n');
  const diff = before.flatMap((line, i) => (line === after[i] ? [] : [`- ${line}`, `+ ${after[i] ?? ''}`]));
  const target = { namespace: rook.facts.workload.namespace, workload: rook.facts.workload.name, container: rook.facts.container };
  return {
    branch: upgradeBranchName('rook-ceph-operator', to),
    title: prTitle({ target, fromVersion: from, toVersion: to }),
    file,
    diff,
    body: prBody({
      profile: 'rook-ceph-operator',
      target,
      fromVersion: from,
      toVersion: to,
      verdict: rook.verdict,
      limitBytes: rook.facts.limitBytes,
      memory: rook.series.samples,
      knownIssue: {
        issueId: match.issue.id,
        title: match.issue.title,
        links: issueLinks(match.issue),
        upgradePath: [from, to, ...match.issue.fixed.filter((v) => v !== to)],
        upgradeRule: ruleText[match.issue.upgrade.rule],
        checked: match.issue.checked,
        ...(match.issue.workaround ? { workaround: describeWorkaround(match.issue.workaround) ?? '' } : {}),
      },
      actions: [
        { at: rook.series.samples.at(-1)!.t, kind: 'restart', summary: 'rollout restart (dry-run: planned)' },
      ],
    }),
  };
}
