/**
 * Workload history in `runOnce` (issue #17), over in-memory adapters: the profile's earlier pods are
 * read in one extra range query, and a new pod is judged with what they showed. Prometheus is played
 * by a source that answers the built-in queries as Prometheus would (the floor of each step, pods
 * narrowed by the query's pod pattern).
 */
import {
  inContainer,
  inWorkload,
  ofProfile,
  runningImage,
  startedAt,
  targetFacts,
  withLimit,
  withPod,
} from '../support/gen.js';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { TargetFacts } from '../../src/model/workload.js';
import { MetricsError } from '../../src/prom/errors.js';
import type { MetricsAnswer, RangeQuery, RangeResult } from '../../src/prom/types.js';
import { TraceMetrics, type TracedPod } from '../../src/demo/world.js';
import { runOnce } from '../../src/run/index.js';
import { statusRows } from '../../src/cli/commands/status.js';
import { TestCluster } from '../support/test-cluster.js';
import { makeSeries, T0 } from '../support/detect-series.js';

const HOUR = 3600;
const MiB = 2 ** 20;

type Pod = TracedPod;

/** Prometheus as the demo plays it, recording the range queries; the workload history can be made to fail. */
class PodsMetrics extends TraceMetrics {
  rangeQueries: RangeQuery[] = [];
  /** Range queries that read kube_pod_owner (the workload history) fail with this. */
  historyFailure: MetricsError | null = null;

  override async queryRange(query: RangeQuery): Promise<MetricsAnswer<RangeResult>> {
    this.rangeQueries.push(query);
    if (query.query.includes('kube_pod_owner') && this.historyFailure)
      return { outcome: 'failed', error: this.historyFailure };
    return super.queryRange(query);
  }
}

/** One pod of a workload, `hours` long from `startHours` after T0; its floor in MiB by wall hour and pod age. */
function pod(
  namespace: string,
  name: string,
  startHours: number,
  hours: number,
  floorMiB: (wall: number, age: number) => number,
  seed: number,
  owner?: Pod['owner'],
): Pod {
  const samples = makeSeries({
    hours,
    start: T0 + startHours * HOUR,
    floorMiB: (age) => floorMiB(startHours + age, age),
    sawtoothMiB: 20,
    noiseMiB: 3,
    seed,
  });
  return { labels: { namespace, pod: name, container: 'app' }, samples, ...(owner ? { owner } : {}) };
}

const warmup = (age: number) => -60 * Math.exp(-age / 0.15);
/** Every pod since a bad rollout leaks 30 MiB/h from its start. */
const leaking = (_wall: number, age: number) => 300 + warmup(age) + 30 * age;
/** A strong daily cycle of the wall clock (240 MiB peak to peak, lowest at 03:00 UTC) on a healthy workload. */
const cycling = (wall: number, age: number) => 370 - 120 * Math.cos((2 * Math.PI * (wall - 3)) / 24) + warmup(age);

function facts(profile: string, namespace: string, workload: string, current: Pod): TargetFacts {
  return targetFacts(
    ofProfile(profile),
    inWorkload(namespace, workload),
    withPod(current.labels.pod, `uid-${current.labels.pod}`),
    startedAt(current.samples[0]!.t),
    inContainer('app'),
    runningImage('ghcr.io/example/operator:v1.2.3', '1.2.3'),
    withLimit(4096 * MiB),
  );
}

const NOW = T0 + 86 * HOUR;

/** What `runOnce` needs: these adapters, the built-in catalogue, no log. */
const runDeps = (config: Config, cluster: TestCluster, metrics: PodsMetrics) => ({
  config,
  cluster,
  metrics,
  catalog: buildCatalog(),
  logger: pino({ level: 'silent' }),
  identity: { identity: 'run-1', namespace: 'leakguard' },
});

/**
 * @param opHashes the pod-template-hash of each of op's four pods: the same when its pods were evicted, a new
 *   one at each rollout restart (each made a new ReplicaSet)
 */
function world(workloadHistory: string, opHashes = ['6b7c9d5f4', '6b7c9d5f4', '6b7c9d5f4', '6b7c9d5f4']) {
  // "op" leaks since a bad rollout and was restarted three times; its newest pod started 2.5 h ago
  // and leaks the same way. Its pods are grouped by kube-state-metrics' kube_pod_owner.
  const opPod = (n: number, suffix: string, start: number, hours: number) =>
    pod('leaky', `op-${opHashes[n]}-${suffix}`, start, hours, leaking, 5 + n, {
      kind: 'ReplicaSet',
      name: `op-${opHashes[n]}`,
    });
  const op = [opPod(0, 'xxxxx', 33.5, 20), opPod(1, 'bbbbb', 53.5, 14), opPod(2, 'ccccc', 67.5, 16)];
  const opNow = opPod(3, 'ddddd', 83.5, 2.5);
  // "web" cycles daily; its pods were replaced over three days (no kube-state-metrics: grouped by
  // their names), and its newest started at the trough 11 h ago: it has only seen the cycle rise.
  const web = [
    pod('cyc', 'web-6b7c9d5f4-xxxxx', 0, 30, cycling, 1),
    pod('cyc', 'web-6b7c9d5f4-bbbbb', 30, 20, cycling, 2),
    pod('cyc', 'web-7c8d9f5b4-ccccc', 50, 25, cycling, 3),
  ];
  const webNow = pod('cyc', 'web-7c8d9f5b4-ddddd', 75, 11, cycling, 4);
  // A neighbour in the same namespace that the history query's pod pattern leaves out.
  const other = pod('cyc', 'webhook-5f4d6b7c9-zzzzz', 0, 86, () => 200, 9);
  const metrics = new PodsMetrics([...op, opNow, ...web, webNow, other], NOW);
  const cluster = new TestCluster([facts('op', 'leaky', 'op', opNow), facts('web', 'cyc', 'web', webNow)]);
  const config = parseConfig(`
dryRun: false
controller: none
prometheus: {url: http://prometheus.test:9090}
detection: {workloadHistory: ${workloadHistory}}
guardrails: {maxActionsPerRun: 3}
profiles:
  - {name: op, namespace: leaky, selector: app=op, container: app}
  - {name: web, namespace: cyc, selector: app=web, container: app}
`);
  const deps = runDeps(config, cluster, metrics);
  return { metrics, cluster, deps };
}

const restarted = (cluster: TestCluster) => cluster.mutations.filter((m) => m.verb === 'restart').map((m) => m.target);

describe('workload history in run', () => {
  it("acts on the second leaking pod of a restarted workload within hours, and not on a cycling workload's new pod", async () => {
    const { cluster, metrics, deps } = world('7d');
    const summary = await runOnce(deps);
    expect(summary.failures).toEqual([]);
    expect(summary.warnings).toEqual([]);
    const verdict = (workload: string) => summary.targets.find((t) => t.workload.endsWith(`/${workload}`))!.verdict;
    expect(verdict('op').kind).toBe('leaking');
    expect(verdict('op').reasons[1]).toMatch(
      /^the 3 previous pods of this workload leaked, growing \d+\.\d–\d+\.\d MiB\/h from start; this one \d+\.\d MiB\/h over 1\.\d h$/,
    );
    expect(verdict('web').kind).toBe('not-leaking');
    expect(verdict('web').reasons[0]).toMatch(
      /^the rise follows this workload's daily cycle: its 3 earlier pod\(s\) swing/,
    );
    expect(restarted(cluster)).toEqual(['Deployment/leaky/op']);
    // One query per profile for today's window, one per profile for the workload history (7 d at the floor's 15 min).
    const history = metrics.rangeQueries.filter((q) => q.query.includes('kube_pod_owner'));
    expect(history.map((q) => [q.stepSeconds, (q.end - q.start) / HOUR])).toEqual([
      [900, 7 * 24],
      [900, 7 * 24],
    ]);
    expect(metrics.rangeQueries).toHaveLength(4);
    expect(history[1]!.query).toContain('pod=~"(?:web(?:-.+)?)"');
  });

  it('after rollout restarts (a new ReplicaSet each, the same template) it still acts within hours; after a template change it waits', async () => {
    const hashes = ['6b7c9d5f4', '7c8d9f5b4', '8d9f5b4c6', '9f5b4c6d7'];
    const run = async (templateOfNewest: string) => {
      const { cluster, deps } = world('7d', hashes);
      hashes.forEach((h, n) => cluster.templateKeys.set(`leaky/op-${h}`, n === 3 ? templateOfNewest : 'bad-version'));
      const summary = await runOnce(deps);
      expect(summary.warnings).toEqual([]);
      return { op: summary.targets.find((t) => t.workload === 'Deployment/leaky/op')!.verdict, cluster };
    };
    const restartedOnly = await run('bad-version');
    expect(restartedOnly.op.kind).toBe('leaking');
    expect(restartedOnly.op.reasons[1]).toMatch(/^the 3 previous pods of this workload leaked/);
    expect(restarted(restartedOnly.cluster)).toEqual(['Deployment/leaky/op']);
    // A new template (a workaround's env var, a new image) may have fixed the leak: only the pod's own growth counts.
    const changed = await run('with-workaround');
    expect(changed.op.kind).toBe('unknown');
    expect(restarted(changed.cluster)).toEqual([]);
  });

  it('ReplicaSets that cannot be read: every new pod-template-hash counts as a new version, and a warning says so', async () => {
    const { cluster, deps } = world('7d', ['6b7c9d5f4', '7c8d9f5b4', '8d9f5b4c6', '9f5b4c6d7']);
    cluster.templatesRefusal = { code: 'forbidden', status: 403, message: 'replicasets is forbidden' };
    const summary = await runOnce(deps);
    expect(summary.failures).toEqual([]);
    expect(summary.targets.find((t) => t.workload === 'Deployment/leaky/op')!.verdict.kind).toBe('unknown');
    expect(summary.warnings).toEqual(
      ['op', 'web'].map(
        (profile) =>
          `profile ${profile}: ReplicaSets unreadable, so a pod after a rollout restart is judged as a new version, ` +
          'without what its predecessors showed: forbidden (HTTP 403): replicasets is forbidden',
      ),
    );
    expect(restarted(cluster)).toEqual([]);
  });

  it('without it (workloadHistory: false) the same run waits on the leaking pod and only suspects the cycling one: nothing restarted', async () => {
    const { cluster, metrics, deps } = world('false');
    const summary = await runOnce(deps);
    expect(summary.targets.map((t) => [t.workload, t.verdict.kind])).toEqual([
      ['Deployment/leaky/op', 'unknown'],
      ['Deployment/cyc/web', 'not-leaking'],
    ]);
    // Its first day: the rise may be the rising half of a daily cycle (issue #25; it was restarted before).
    const web = summary.targets.find((t) => t.workload === 'Deployment/cyc/web')!.verdict;
    expect(web.suspected).toBe(true);
    expect(web.reasons[0]).toMatch(/^suspected, not acted on: floor rose/);
    expect(restarted(cluster)).toEqual([]);
    expect(metrics.rangeQueries).toHaveLength(2);
  });

  it('a known-affected version (a catalogue match on the image) waits in its first day as another does, and `status` says so as the run does', async () => {
    // A Rook operator 6.75 h after its start, its floor rising 70 MiB/h from 1 GiB with a slight S:
    // slower than a daily cycle as large as the first day allows for could rise, not straight enough
    // to rule one out. The catalogue does not shorten the first day's wait (issue #25).
    const rook = pod(
      'rook-ceph',
      'rook-ceph-operator-6b7c9d5f4-xxxxx',
      79.25,
      6.75,
      (_w, age) => 1000 + 70 * age + 10 * ((age - 3.625) / 3.125) ** 3,
      11,
    );
    const run = async (tag: string) => {
      const metrics = new PodsMetrics([rook], NOW);
      const target = {
        ...facts('rook', 'rook-ceph', 'rook-ceph-operator', rook),
        image: `rook/ceph:${tag}`,
        version: tag.slice(1),
      };
      const cluster = new TestCluster([target]);
      const config = parseConfig(`
dryRun: false
controller: none
prometheus: {url: http://prometheus.test:9090}
profiles:
  - {name: rook, namespace: rook-ceph, selector: app=rook-ceph-operator, container: app, ladder: [restart]}
`);
      const status = await statusRows(config, { cluster, metrics, catalog: buildCatalog() });
      expect(status.failures).toEqual([]);
      const statusVerdict = status.rows[0]!.verdict;
      const summary = await runOnce(runDeps(config, cluster, metrics));
      // `status` on the same cluster and history, before the run acts: it must say what the run then does.
      return { verdict: summary.targets[0]!.verdict, restarted: restarted(cluster), status: statusVerdict };
    };
    const affected = await run('v1.14.9');
    expect(affected.verdict.kind).toBe('not-leaking');
    expect(affected.verdict.suspected).toBe(true);
    expect(affected.verdict.reasons.at(-1)).toBe(
      'the known-issue catalogue lists this version as affected by a leak; it does not shorten the wait: the steepest hours of a large daily cycle rise the same way',
    );
    expect(affected.restarted).toEqual([]);
    // `status` judges with the same catalogue prior: the same verdict, in the same words (it judged without it before).
    expect(affected.status.kind).toBe('not-leaking');
    expect(affected.status.reasons).toEqual(affected.verdict.reasons);
    const fixed = await run('v1.15.9');
    expect(fixed.verdict.kind).toBe('not-leaking');
    expect(fixed.verdict.suspected).toBe(true);
    expect(fixed.verdict.reasons.join(' ')).not.toContain('catalogue');
    expect(fixed.restarted).toEqual([]);
    expect(fixed.status.reasons).toEqual(fixed.verdict.reasons);
  });

  it('in one run, each pod is matched against the catalogue by its own image: pods on one version share the answer, not the others', async () => {
    // Three Rook operators rising alike in their first day (the test above), two on the affected version.
    const rising = (_w: number, age: number) => 1000 + 70 * age + 10 * ((age - 3.625) / 3.125) ** 3;
    const tags = ['v1.14.9', 'v1.15.9', 'v1.14.9'];
    const pods = tags.map((_, i) =>
      pod('rook-ceph', `rook-ceph-operator-6b7c9d5f4-x${i}`, 79.25, 6.75, rising, 11 + i),
    );
    const targets = pods.map((p, i) => ({
      ...facts('rook', 'rook-ceph', `rook-ceph-operator-${i}`, p),
      image: `rook/ceph:${tags[i]}`,
      version: tags[i]!.slice(1),
    }));
    const config = parseConfig(`
dryRun: true
controller: none
prometheus: {url: http://prometheus.test:9090}
profiles:
  - {name: rook, namespace: rook-ceph, selector: app=rook-ceph-operator, container: app, ladder: [restart]}
`);
    const summary = await runOnce(runDeps(config, new TestCluster(targets), new PodsMetrics(pods, NOW)));
    expect(summary.failures).toEqual([]);
    const noted = summary.targets.map((t) => t.verdict.reasons.some((r) => r.includes('known-issue catalogue')));
    expect(noted).toEqual([true, false, true]);
  });

  it('with a short floorBucket, reads the history at a multiple of it that Prometheus accepts (≤ 11,000 points)', async () => {
    const { metrics, deps } = world('7d, floorBucket: 30s');
    const summary = await runOnce(deps);
    expect(summary.failures).toEqual([]);
    const history = metrics.rangeQueries.filter((q) => q.query.includes('kube_pod_owner'));
    expect(history.length).toBeGreaterThan(0);
    for (const q of history) {
      expect(q.stepSeconds).toBe(60);
      expect((q.end - q.start) / q.stepSeconds).toBeLessThanOrEqual(11_000);
    }
  });

  it('a history query that fails leaves the verdicts as without it, with one warning per profile and no failure', async () => {
    const { cluster, metrics, deps } = world('7d');
    metrics.historyFailure = new MetricsError(
      'limit',
      'query_range: the answer holds more than 2000 series (prometheus.maxSeries)',
    );
    const summary = await runOnce(deps);
    expect(summary.failures).toEqual([]);
    expect(summary.targets.map((t) => t.verdict.kind)).toEqual(['unknown', 'not-leaking']);
    expect(summary.warnings).toEqual([
      'profile op: workload history unavailable, judged without it: query_range: the answer holds more than 2000 series (prometheus.maxSeries)',
      'profile web: workload history unavailable, judged without it: query_range: the answer holds more than 2000 series (prometheus.maxSeries)',
    ]);
    expect(restarted(cluster)).toEqual([]);
  });

  it('is not asked for when the pods that could learn from it alone are more series than maxSeries leaves: a warning says so', async () => {
    // Six young pods of three workloads, read in shards of a workload each: each pod could learn from its
    // workload's past, and each has a series of its own in that answer.
    const pods = [0, 1, 2, 3, 4, 5].map((n) =>
      pod('fleet', `${'abc'[n >> 1]}-6b7c9d5f4-bbbb${n + 2}`, 84, 2, () => 300, 20 + n),
    );
    const metrics = new PodsMetrics(pods, NOW);
    const cluster = new TestCluster(pods.map((p, n) => facts('app', 'fleet', 'abc'[n >> 1]!, p)));
    const config = parseConfig(`
dryRun: false
controller: none
prometheus: {url: http://prometheus.test:9090, maxSeries: 5}
profiles:
  - {name: app, namespace: fleet, selector: app=app, container: app, expectedPods: 6}
`);
    const summary = await runOnce(runDeps(config, cluster, metrics));
    expect(summary.failures).toEqual([]);
    expect(summary.warnings).toEqual([
      'profile app: workload history unavailable, judged without it: not asked for: its 6 pods that could learn from it are more series than the 5 prometheus.maxSeries leaves for it',
    ]);
    expect(metrics.rangeQueries.filter((q) => q.query.includes('kube_pod_owner'))).toEqual([]);
    expect(summary.targets).toHaveLength(6);
  });

  it('skips the extra query when no pod can learn from it (all older than the window and not leaking)', async () => {
    const { metrics, deps } = world('7d');
    metrics.now = NOW + 30 * HOUR;
    deps.cluster.targets = deps.cluster.targets.map((t) => ({ ...t, pod: { ...t.pod, startTime: NOW - 40 * HOUR } }));
    await runOnce(deps);
    expect(metrics.rangeQueries.filter((q) => q.query.includes('kube_pod_owner'))).toEqual([]);
  });
});
