/**
 * `leakguard demo`: one real run (`runOnce`, dry-run) on the embedded trace, over in-memory adapters —
 * no cluster, no network — so it can never show what a run in a cluster would not. The upgrade PR of
 * the third rung is built by the production bumper and PR body from the same verdict.
 */
import type { HistoryEntry } from '../model/state.js';
import { pino } from 'pino';
import { buildCatalog } from '../catalog/index.js';
import { parseConfig } from '../config/load.js';
import type { Verdict } from '../detect/types.js';
import { bumpFile } from '../forge/bump/index.js';
import { upgradePrBody, upgradePrTitle } from '../report/upgrade-pr.js';
import { upgradeBranchName } from '../forge/types.js';
import type { SlackMessage } from '../notify/types.js';
import { knownIssuesFor } from '../policy/known-issues.js';
import { upgradeDetails } from '../policy/ladder.js';
import type { Plan } from '../policy/types.js';
import { workloadKey, type TargetFacts } from '../model/workload.js';
import type { EventDraft } from '../report/event-text.js';
import { runOnce } from '../run/index.js';
import { MemoryCluster } from './memory-cluster.js';
import { demoTrace, type DemoSeries } from './trace.js';
import { RecordingNotifier, TraceMetrics, demoFacts } from './world.js';

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

/**
 * One profile per operator of the trace: the Rook one as the README's example configures it; the
 * cainjector's goes straight to the upgrade PR (its known issue documents no workaround).
 */
const DEMO_CONFIG = `
dryRun: true
controller: none
prometheus: {url: "http://prometheus.monitoring.svc:9090"}
guardrails: {maxActionsPerRun: 2}
profiles:
  - name: rook-ceph-operator
    namespace: rook-ceph
    selector: app=rook-ceph-operator
    container: rook-ceph-operator
    knownIssues: [rook-operator-leak-1.14]
    ladder: [restart, workaround, upgrade-pr]
    workaround: {env: {ROOK_WATCH_FOR_NODE_FAILURE: "false"}}
    upgrade: {repo: example-org/gitops, file: clusters/prod/rook/helmrelease.yaml}
  - {name: cert-manager, namespace: cert-manager, selector: app=cert-manager, container: cert-manager-controller}
  - name: cert-manager-cainjector
    namespace: cert-manager
    selector: app=cainjector
    container: cert-manager-cainjector
    ladder: [upgrade-pr]
    upgrade: {repo: example-org/gitops, file: clusters/prod/cert-manager/helmrelease.yaml}
  - {name: provider-aws-ec2, namespace: crossplane-system, selector: app=provider-aws-ec2, container: package-runtime}
  - {name: prometheus-operator, namespace: monitoring, selector: app=prometheus-operator, container: prometheus-operator}
github: {tokenFile: /var/run/secrets/leakguard/github-token}
`;

/**
 * One real run (`runOnce`, dry-run) over the in-memory world: the same discovery, query, detector,
 * plan, Events and Slack messages a run in a cluster would produce for this history.
 */
export async function runDemoPipeline(now = Math.floor(Date.UTC(2026, 10, 26, 12, 0, 0) / 1000)): Promise<DemoReport> {
  const config = parseConfig(DEMO_CONFIG, 'demo');
  const trace = demoTrace(now);
  const profileOf = (series: DemoSeries) =>
    config.profiles.find((p) => p.namespace === series.labels.namespace && p.container === series.labels.container)!
      .name;
  const cluster = new MemoryCluster(trace.map((series) => demoFacts(series, profileOf(series), now)));
  const notifier = new RecordingNotifier();
  const catalog = buildCatalog();
  const summary = await runOnce({
    config,
    cluster,
    metrics: new TraceMetrics(trace, now),
    catalog,
    logger: pino({ level: 'silent' }),
    identity: { identity: 'leakguard-demo', namespace: 'leakguard' },
    notifier,
  });
  const targets = summary.targets.flatMap((t) => {
    const series = trace.find((s) => s.labels.pod === t.pod);
    const facts = cluster.targets.find((f) => f.pod.name === t.pod);
    return series && facts ? [{ series, facts, verdict: t.verdict }] : [];
  });
  const events = cluster.events.map((e) => ({
    reason: e.reason as EventDraft['reason'],
    action: e.action,
    type: e.type,
    key: e.key ?? e.note,
    note: e.note,
    object: `${e.regarding.kind.toLowerCase()}/${e.regarding.name} -n ${e.regarding.namespace}`,
  }));
  const rookState = (t: DemoTarget) => cluster.states.get(workloadKey(t.facts.workload))?.state.history ?? [];
  return {
    now,
    targets,
    plan: summary.plan ?? { now, dryRun: true, items: [] },
    events,
    pr: upgradePr(targets, catalog, rookState),
    slack: notifier.messages,
  };
}

/** The PR the third rung would open if the leak survived the restart and the workaround. */
function upgradePr(
  targets: readonly DemoTarget[],
  catalog: ReturnType<typeof buildCatalog>,
  historyOf: (t: DemoTarget) => readonly HistoryEntry[],
): DemoReport['pr'] {
  const rook = targets.find((t) => t.facts.profile === 'rook-ceph-operator' && t.verdict.kind === 'leaking');
  if (!rook?.facts.version) return null;
  const history = historyOf(rook);
  const match = knownIssuesFor(catalog, rook.facts, ['rook-operator-leak-1.14'])[0];
  if (!match?.targetVersion) return null;
  const from = match.version;
  const to = match.targetVersion;
  const file = 'clusters/prod/rook/helmrelease.yaml';
  const bumped = bumpFile(demoHelmRelease, { fromVersion: from, toVersion: to, fileName: file });
  const before = demoHelmRelease.split('\n');
  const after = bumped.content.split('\n');
  const diff = before.flatMap((line, i) => (line === after[i] ? [] : [`- ${line}`, `+ ${after[i] ?? ''}`]));
  // The PR the real rung would open: the plan's bump for this match, worded by the same functions.
  const facts = {
    profile: 'rook-ceph-operator',
    target: {
      namespace: rook.facts.workload.namespace,
      workload: rook.facts.workload.name,
      container: rook.facts.container,
    },
    upgrade: upgradeDetails(match, to),
    issueTitle: match.explanation,
    verdict: rook.verdict,
    limitBytes: rook.facts.limitBytes,
    memory: rook.series.samples,
    // What a run records, not rows of its own: a dry run records nothing, so the PR says it is the first remediation.
    history,
  };
  return {
    branch: upgradeBranchName('rook-ceph-operator', to),
    title: upgradePrTitle(facts),
    file,
    diff,
    body: upgradePrBody(facts),
  };
}
