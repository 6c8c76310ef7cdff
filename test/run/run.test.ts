/**
 * `runOnce` end to end over in-memory adapters: ordering, guardrails, idempotency and the records a user
 * sees (Events, state, Slack). The same flows run against a real control plane in test/e2e.
 */
import {
  inContainer,
  inWorkload,
  ofProfile,
  runningImage,
  startedAt,
  targetFacts,
  withEnv,
  withLimit,
} from '../support/gen.js';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { createLogger } from '../../src/cli/logger.js';
import { parseConfig } from '../../src/config/load.js';
import { toColumns } from '../../src/detect/columns.js';
import type { Sample } from '../../src/detect/types.js';
import type { TargetFacts } from '../../src/model/workload.js';
import { MetricsError } from '../../src/prom/errors.js';
import type { InstantResult, MetricsAnswer, MetricsSource, RangeQuery, RangeResult } from '../../src/prom/types.js';
import type { UpgradeExecutor } from '../../src/forge/upgrade-rung.js';
import type { ActionOutcome } from '../../src/model/action.js';
import { runOnce, type RunDeps } from '../../src/run/index.js';
import { TestCluster } from '../support/test-cluster.js';
import { RecordingNotifier } from '../../src/demo/world.js';
import { checkLedger, parseLedger } from '../../src/notify/ledger.js';
import { emptyWorkloadState } from '../../src/model/state.js';

const MiB = 2 ** 20;
const HOUR = 3600;
const start = Date.UTC(2026, 10, 25, 0, 0) / 1000;

function configText(): string {
  return `
dryRun: false
controller: none
prometheus: {url: http://prometheus.test:9090}
guardrails: {cooldown: 6h, maxActionsPerRun: 2, maxRestartsPerDay: 3}
profiles:
  - name: rook
    namespace: rook-ceph
    selector: app=rook-ceph-operator
    container: rook-ceph-operator
    knownIssues: [rook-operator-leak-1.14]
    ladder: [restart, workaround]
    workaround: {env: {ROOK_WATCH_FOR_NODE_FAILURE: "false"}}
  - name: certs
    namespace: cert-manager
    selector: app=cert-manager
`;
}

function facts(profile: string, namespace: string, name: string, container: string, podStart: number): TargetFacts {
  const rook = profile === 'rook';
  return targetFacts(
    ofProfile(profile),
    inWorkload(namespace, name),
    startedAt(podStart),
    inContainer(container),
    rook ? runningImage('rook/ceph:v1.14.9', '1.14.9') : runningImage(CERT_MANAGER_IMAGE, '1.16.2'),
    withLimit(2048 * MiB),
    withEnv({ ROOK_LOG_LEVEL: 'INFO' }),
  );
}

const CERT_MANAGER_IMAGE = 'quay.io/jetstack/cert-manager-controller:v1.16.2';

/** Working-set history served like Prometheus would: a 40 MiB/h leak and a flat neighbour. */
class MemoryMetrics implements MetricsSource {
  now = start + 30 * HOUR;
  down = false;
  /** Prometheus' warnings on every range answer (a store that did not respond, …). */
  warnings: string[] = [];
  /** Range queries about these namespaces fail (one profile's history lost, the others' not). */
  failingNamespaces = new Set<string>();
  /** Reading these namespaces' answers hits a bug (the query rejects instead of answering). */
  brokenNamespaces = new Set<string>();
  /** Called as each range query arrives (e.g. to let the run's deadline pass meanwhile). */
  onRangeQuery: () => void = () => {};
  rangeQueries: RangeQuery[] = [];
  rookPods = ['rook-ceph-operator-abc'];
  /** The Rook pods' growth; a pod listed in rookPodStarts has samples from its own start, from 400 MiB. */
  rookBytesPerHour = 40 * MiB;
  rookPodStarts = new Map<string, number>();
  /** A second, flat series for the Rook pod after the leaking one (two scrape jobs). */
  duplicateFlatRook = false;

  private series(): { labels: Record<string, string>; from?: number; level: (t: number) => number }[] {
    return [
      ...this.rookPods.map((pod) => ({
        labels: { namespace: 'rook-ceph', pod, container: 'rook-ceph-operator' },
        from: this.rookPodStarts.get(pod) ?? start,
        level: (t: number) =>
          400 * MiB +
          ((t - (this.rookPodStarts.get(pod) ?? start)) / HOUR) * this.rookBytesPerHour +
          ((t % 240) / 240) * 20 * MiB,
      })),
      {
        labels: { namespace: 'cert-manager', pod: 'cert-manager-abc', container: 'cert-manager' },
        level: (t) => 150 * MiB + ((t % 240) / 240) * 10 * MiB,
      },
      ...(this.duplicateFlatRook
        ? [
            {
              labels: { namespace: 'rook-ceph', pod: 'rook-ceph-operator-abc', container: 'rook-ceph-operator' },
              level: () => 400 * MiB,
            },
          ]
        : []),
    ];
  }

  async query(): Promise<MetricsAnswer<InstantResult>> {
    if (this.down)
      return { outcome: 'failed', error: new MetricsError('unreachable', 'connect ECONNREFUSED 127.0.0.1:9090') };
    return { outcome: 'answered', series: [{ labels: {}, sample: { t: this.now, v: this.now } }], warnings: [] };
  }

  async queryRange(query: RangeQuery): Promise<MetricsAnswer<RangeResult>> {
    if (this.down)
      return { outcome: 'failed', error: new MetricsError('unreachable', 'connect ECONNREFUSED 127.0.0.1:9090') };
    this.rangeQueries.push(query);
    this.onRangeQuery();
    const ns = /namespace="([^"]+)"/.exec(query.query)?.[1];
    if (ns !== undefined && this.failingNamespaces.has(ns))
      return { outcome: 'failed', error: new MetricsError('server', `query_range for ${ns}: HTTP 503`) };
    if (ns !== undefined && this.brokenNamespaces.has(ns))
      throw new TypeError(`cannot read properties of undefined (reading 'values') in ${ns}`);
    return {
      outcome: 'answered',
      series: this.series()
        .filter((s) => s.labels.namespace === ns)
        .map((s) => {
          const samples: Sample[] = [];
          for (let t = Math.max(query.start, s.from ?? start); t <= query.end; t += query.stepSeconds)
            samples.push({ t, v: s.level(t) });
          return { labels: s.labels, samples: toColumns(samples) };
        }),
      warnings: this.warnings,
    };
  }
}

/** A run's world; `edit` changes the config text (guardrails, the rook profile) before parsing. */
function setup(edit: (config: string) => string = (config) => config) {
  const cluster = new TestCluster([
    facts('rook', 'rook-ceph', 'rook-ceph-operator', 'rook-ceph-operator', start),
    facts('certs', 'cert-manager', 'cert-manager', 'cert-manager', start),
  ]);
  const metrics = new MemoryMetrics();
  const notifier = new RecordingNotifier();
  const deps = (identity = 'run-1'): RunDeps => ({
    config: parseConfig(edit(configText())),
    cluster,
    metrics,
    catalog: buildCatalog(),
    logger: pino({ level: 'silent' }),
    identity: { identity, namespace: 'leakguard' },
    notifier,
  });
  return { cluster, metrics, notifier, deps };
}

describe('runOnce', () => {
  it('restarts the leaking operator once, records why, and leaves the neighbour alone', async () => {
    const { cluster, metrics, deps } = setup();
    const summary = await runOnce(deps());
    expect(summary.failures).toEqual([]);
    expect(summary.targets.find((t) => t.workload.includes('rook'))!.verdict.kind).toBe('leaking');
    expect(summary.targets.find((t) => t.workload.includes('cert-manager'))!.verdict.kind).toBe('not-leaking');
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toEqual([
      { verb: 'restart', target: 'Deployment/rook-ceph/rook-ceph-operator', detail: summary.actions[0]!.id },
    ]);
    expect(cluster.mutations.some((m) => m.target.includes('cert-manager'))).toBe(false);
    expect(cluster.reasons()).toEqual(['LeakSuspected', 'PodRestarted']);
    expect(cluster.events[0]!.note).toMatch(/rook-operator-leak-1\.14.*ROOK_WATCH_FOR_NODE_FAILURE=false/);
    // The decision is told once however many runs repeat it; the restart carried out counts every time.
    expect(cluster.events.map((e) => e.countRepeats === true)).toEqual([false, true]);
    // Intent is written before the restart, the outcome after.
    const restartAt = cluster.mutations.findIndex((m) => m.verb === 'restart');
    const before = cluster.mutations[restartAt - 1]!;
    expect(before.verb).toBe('state');
    expect(before.detail).toMatchObject({ intent: { kind: 'restart', actionId: summary.actions[0]!.id } });
    const state = cluster.states.get('Deployment/rook-ceph/rook-ceph-operator')!.state;
    expect(state).toMatchObject({ lastAction: 'restart', intent: null, actionCount: 1 });
    // One range query per profile, never per pod; and the workload history of the profile whose pod
    // could learn from it (the leaking one: a daily cycle its earlier pods showed could explain it).
    expect(metrics.rangeQueries.map((q) => q.query.includes('kube_pod_owner'))).toEqual([false, true, false]);
    // Both workloads' state asked for at once (one list per namespace and kind in the adapter).
    expect(cluster.stateReads).toEqual([2]);
    expect(cluster.leaseHolder).toBeNull();
  });

  it("writes each target's line as the CLI's redacting logger writes those fields, byte for byte", async () => {
    const linesOf = (chunks: string[]) => chunks.join('').trim().split('\n');
    const sinkInto = (chunks: string[]) =>
      new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk.toString()), done()) });
    const written: string[] = [];
    const { deps } = setup();
    const summary = await runOnce({ ...deps(), logger: createLogger('info', sinkInto(written)) });
    const perTarget = linesOf(written).filter((line) => 'verdict' in (JSON.parse(line) as object));
    expect(perTarget).toHaveLength(summary.targets.length);
    const again: string[] = [];
    const redacting = createLogger('info', sinkInto(again));
    for (const line of perTarget) {
      const { profile, pod, verdict, bytesPerHour, msg } = JSON.parse(line) as Record<string, unknown>;
      redacting.child({ profile }).info({ pod, verdict, bytesPerHour }, msg as string);
    }
    const timeless = (line: string) => line.replace(/"time":"[^"]*"/, '');
    expect(perTarget.map(timeless)).toEqual(linesOf(again).map(timeless));
    expect(perTarget.join('\n')).toMatch(/"pod":"rook-ceph-operator-abc","verdict":"leaking","bytesPerHour":4\d{7}/);
  });

  it('collects whatever garbage is left once the run is done, however little, before its summary is printed', async () => {
    const { cluster, deps } = setup();
    const calls: { force: boolean; leaseHeld: boolean }[] = [];
    await runOnce({
      ...deps(),
      reclaim: (force = false) => calls.push({ force, leaseHeld: cluster.leaseHolder !== null }),
    });
    expect(calls.at(-1)).toEqual({ force: true, leaseHeld: false });
    expect(calls.filter((c) => c.force)).toHaveLength(1);
  });

  it('a second run inside the cooldown does not restart again (row 16)', async () => {
    const { cluster, metrics, deps } = setup();
    await runOnce(deps());
    metrics.now += 1800;
    const second = await runOnce(deps());
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
    expect(second.actions).toEqual([]);
  });

  it('the CronJob firing twice for one schedule acts once (row 23)', async () => {
    const { cluster, deps } = setup();
    await runOnce(deps('job-a'));
    await runOnce(deps('job-b'));
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
  });

  it('dry-run records "would" Events and mutates nothing (row 17)', async () => {
    const { cluster, deps } = setup();
    const summary = await runOnce(deps(), { dryRun: true });
    expect(cluster.mutations).toEqual([]);
    expect(cluster.reasons()).toContain('RemediationPlanned');
    expect(cluster.events.find((e) => e.reason === 'RemediationPlanned')!.note).toMatch(
      /^\[dry-run\] would rollout-restart/,
    );
    expect(summary.actions).toEqual([expect.objectContaining({ dryRun: true, outcome: 'planned' })]);
  });

  it('the kill switch stops every mutation', async () => {
    const { cluster, deps } = setup();
    await runOnce(deps(), { killSwitch: true });
    expect(cluster.mutations).toEqual([]);
    expect(cluster.reasons()).toContain('RemediationSkipped');
  });

  describe("the kill-switch annotation on leakguard's own CronJob", () => {
    const controller = { kind: 'CronJob' as const, namespace: 'leakguard', name: 'leakguard' };
    const withController = (d: RunDeps): RunDeps => ({ ...d, identity: { ...d.identity, controller } });

    it('is read from the live CronJob each run; on, it stops every mutation and says why', async () => {
      const { cluster, deps } = setup();
      cluster.killSwitch = { outcome: 'read', on: true, value: 'true' };
      const summary = await runOnce(withController(deps()));
      expect(cluster.killSwitchReads).toEqual([controller]);
      expect(cluster.mutations).toEqual([]);
      expect(summary.failures).toEqual([]);
      expect(summary.warnings).toContain(
        'kill switch on (CronJob leakguard/leakguard annotation leakguard.io/kill-switch=true): nothing is changed',
      );
      expect(cluster.events.find((e) => e.reason === 'RemediationSkipped')?.note).toMatch(/kill switch/);
    });

    it('off (or absent), the run acts as usual', async () => {
      const { cluster, deps } = setup();
      cluster.killSwitch = { outcome: 'read', on: false, value: 'false' };
      await runOnce(withController(deps()));
      expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
    });

    it('unreadable (RBAC, API down): nothing is changed and the run fails, naming the CronJob', async () => {
      const { cluster, deps } = setup();
      cluster.killSwitch = {
        outcome: 'failed',
        error: { code: 'forbidden', message: 'cronjobs.batch "leakguard" is forbidden', status: 403 },
      };
      const summary = await runOnce(withController(deps()));
      expect(cluster.mutations).toEqual([]);
      expect(summary.failures).toEqual([
        expect.stringMatching(
          /^cannot read the kill switch on CronJob leakguard\/leakguard: .*forbidden.*; nothing is changed this run$/,
        ),
      ]);
    });

    it('set to something that is neither true nor false: treated as on, and the run fails naming the value', async () => {
      const { cluster, deps } = setup();
      cluster.killSwitch = { outcome: 'invalid', value: 'maybe' };
      const summary = await runOnce(withController(deps()));
      expect(cluster.mutations).toEqual([]);
      expect(summary.failures).toEqual([
        'CronJob leakguard/leakguard: annotation leakguard.io/kill-switch="maybe" is neither true nor false; treated as on, nothing is changed',
      ]);
    });

    it('controller: none — no annotation is read, guardrails.killSwitch alone stops the run', async () => {
      const { cluster, deps } = setup();
      await runOnce(deps());
      expect(cluster.killSwitchReads).toEqual([]);
      expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
    });

    it('no controller configured at all: an acting run cannot tell whether the switch is on, so it changes nothing (#9.4)', async () => {
      const { cluster, deps } = setup((config) => config.replace('controller: none\n', ''));
      const summary = await runOnce(deps());
      expect(cluster.mutations).toEqual([]);
      expect(summary.failures).toEqual([
        expect.stringMatching(/^no kill switch to read: set controller .*nothing is changed this run$/),
      ]);
      // Dry-run changes nothing anyway: no failure for it.
      const dry = setup((config) => config.replace('controller: none\n', '').replace('dryRun: false', 'dryRun: true'));
      expect((await runOnce(dry.deps())).failures).toEqual([]);
    });
  });

  it('Prometheus down: no action, MetricsUnavailable on each workload, a failure for exit 1 (row 1)', async () => {
    const { cluster, metrics, deps, notifier } = setup();
    metrics.down = true;
    const summary = await runOnce(deps());
    expect(summary.failures.join('\n')).toMatch(/memory history unavailable: connect ECONNREFUSED/);
    expect(cluster.mutations).toEqual([]);
    expect(cluster.reasons()).toEqual(['MetricsUnavailable', 'MetricsUnavailable']);
    // Slack hears about it only after 3 failed runs in a row, and once.
    await runOnce(deps());
    expect(notifier.messages).toHaveLength(0);
    await runOnce(deps());
    expect(notifier.messages.map((m) => m.text)).toEqual([
      expect.stringMatching(/rook.*unavailable for 3 runs/),
      expect.stringMatching(/certs.*unavailable for 3 runs/),
    ]);
    await runOnce(deps());
    expect(notifier.messages).toHaveLength(2);
    metrics.down = false;
    await runOnce(deps());
    expect(parseLedger(cluster.ledgerText).metricsFailures).toEqual({ rook: 0, certs: 0 });
  });

  it('another live holder of the lock: exit 0, nothing touched (row 22)', async () => {
    const { cluster, deps } = setup();
    cluster.leaseHolder = 'scheduled-run';
    const summary = await runOnce(deps('manual-run'));
    expect(summary.status).toBe('locked');
    expect(summary.failures).toEqual([]);
    expect(cluster.events).toEqual([]);
    expect(cluster.mutations).toEqual([]);
  });

  it('a lock held for longer than lock.duration allows: the run fails saying why, and touches nothing (#21.6)', async () => {
    const { cluster, deps } = setup();
    const reason = 'squatter holds it for another 2147483600s, longer than lock.duration (900s) allows';
    cluster.acquireLease = async () => ({ outcome: 'invalid', holder: 'squatter', reason });
    const summary = await runOnce(deps());
    expect(summary.status).toBe('ran');
    expect(summary.failures).toEqual([`run lock leakguard/leakguard: ${reason}`]);
    expect(cluster.mutations).toEqual([]);
    expect(cluster.events).toEqual([]);
  });

  it('a run killed between intent and restart is completed by the next run, without a second restart (row 21)', async () => {
    const { cluster, metrics, deps } = setup();
    cluster.crashOn = 'restart';
    await expect(runOnce(deps())).rejects.toThrow(/simulated crash/);
    cluster.leaseHolder = null; // the dead run's lease: taken over (the real adapter checks the holder pod)
    const intent = cluster.states.get('Deployment/rook-ceph/rook-ceph-operator')!.state.intent;
    expect(intent).toMatchObject({ kind: 'restart' });
    metrics.now += 900;
    await runOnce(deps());
    const restarts = cluster.mutations.filter((m) => m.verb === 'restart');
    expect(restarts).toEqual([expect.objectContaining({ detail: intent!.actionId })]);
    const state = cluster.states.get('Deployment/rook-ceph/rook-ceph-operator')!.state;
    expect(state).toMatchObject({ intent: null, lastActionId: intent!.actionId });
    // And a third run does not restart again.
    metrics.now += 900;
    await runOnce(deps());
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
  });

  it('a leak back after escalateWithin, within the hour of the last incident, is restarted again — never reported done when it was not', async () => {
    // Detection scaled to minutes, as on the real node: the pod starts at 06:05, leaks 450 MiB/h, is
    // restarted at 06:20; its replacement leaks too and is judged at 06:50, past escalateWithin (20m).
    const minutes = (config: string) =>
      config
        .replace(
          'prometheus: {url: http://prometheus.test:9090}',
          'prometheus: {url: http://prometheus.test:9090, step: 30s}\ndetection: {window: 30m, minHistory: 3m, maxGap: 2m, maxStaleness: 2m, minCoverage: 0.5, floorBucket: 30s, warmup: 30s, sustained: 10m}',
        )
        .replace('guardrails: {cooldown: 6h,', 'guardrails: {cooldown: 5m, escalateWithin: 20m,');
    const { cluster, metrics, deps } = setup(minutes);
    const rook = cluster.targets.find((t) => t.profile === 'rook')!;
    const podStart = start + 30 * HOUR + 5 * 60;
    rook.pod.startTime = podStart;
    metrics.rookPodStarts.set('rook-ceph-operator-abc', podStart);
    metrics.rookBytesPerHour = 450 * MiB;
    metrics.now = podStart + 15 * 60;
    const first = await runOnce(deps());
    expect(first.actions).toEqual([expect.objectContaining({ kind: 'restart', outcome: 'restarted' })]);

    // The rollout replaces the pod; its successor leaks from its own start.
    rook.pod = { ...rook.pod, name: 'rook-ceph-operator-def', uid: 'uid-rook-def', startTime: metrics.now + 10 };
    metrics.rookPods = ['rook-ceph-operator-def'];
    metrics.rookPodStarts.set('rook-ceph-operator-def', metrics.now + 10);
    metrics.now += 30 * 60;
    const second = await runOnce(deps());
    expect(second.failures).toEqual([]);
    expect(second.actions).toEqual([expect.objectContaining({ kind: 'restart', outcome: 'restarted' })]);
    expect(second.actions[0]!.id).not.toBe(first.actions[0]!.id);
    expect(cluster.mutations.filter((m) => m.verb === 'restart').map((m) => m.detail)).toEqual([
      first.actions[0]!.id,
      second.actions[0]!.id,
    ]);
    // Two incidents, each told as one: two LeakSuspected Events with different keys, two restarts.
    const suspected = cluster.events.filter((e) => e.reason === 'LeakSuspected');
    expect(suspected).toHaveLength(2);
    expect(new Set(suspected.map((e) => e.key)).size).toBe(2);
    expect(cluster.reasons().filter((r) => r === 'PodRestarted')).toHaveLength(2);
  });

  describe('a run killed mid-restart: the next one finishes it the same way, or counts it, never another action (#9.2)', () => {
    const ROOK = 'Deployment/rook-ceph/rook-ceph-operator';
    const evict = (config: string) =>
      config.replace('ladder: [restart, workaround]', 'restartMode: evict\n    ladder: [restart, workaround]');
    const closedWindow = (config: string) =>
      config.replace('maxRestartsPerDay: 3}', 'maxRestartsPerDay: 3, windows: [{start: "00:00", end: "00:01"}]}');

    it('evicted, then killed before recording it: the next run sees the pod gone and counts it; no rollout restart', async () => {
      const { cluster, metrics, deps } = setup(evict);
      cluster.crashWhen = (m) => m.verb === 'state' && cluster.mutations.some((x) => x.verb === 'evict');
      await expect(runOnce(deps())).rejects.toThrow(/simulated crash/);
      cluster.leaseHolder = null;
      const intent = cluster.states.get(ROOK)!.state.intent!;
      expect(intent).toMatchObject({
        kind: 'restart',
        restartMode: 'evict',
        pod: { name: 'rook-ceph-operator-abc', uid: 'uid-rook-ceph-operator-pod' },
      });
      metrics.now += 900;
      await runOnce(deps());
      expect(cluster.mutations.filter((m) => m.verb === 'restart' || m.verb === 'evict').map((m) => m.verb)).toEqual([
        'evict',
      ]);
      expect(cluster.states.get(ROOK)!.state).toMatchObject({
        intent: null,
        lastAction: 'restart',
        lastActionId: intent.actionId,
        lastActionAt: intent.at,
        restartTimes: [intent.at],
      });
    });

    it('killed between intent and eviction: the next run evicts that same pod, once', async () => {
      const { cluster, metrics, deps } = setup(evict);
      cluster.crashOn = 'evict';
      await expect(runOnce(deps())).rejects.toThrow(/simulated crash/);
      cluster.leaseHolder = null;
      metrics.now += 900;
      await runOnce(deps());
      expect(cluster.mutations.filter((m) => m.verb === 'restart' || m.verb === 'evict')).toEqual([
        { verb: 'evict', target: 'rook-ceph/rook-ceph-operator-abc' },
      ]);
      expect(cluster.states.get(ROOK)!.state).toMatchObject({ intent: null, lastAction: 'restart', actionCount: 1 });
    });

    it('the window closed before the next run: a restart that happened is counted, one that did not is dropped', async () => {
      for (const crashed of ['after', 'before'] as const) {
        const { cluster, metrics, deps } = setup();
        cluster.crashWhen = (m) =>
          crashed === 'before'
            ? m.verb === 'restart'
            : m.verb === 'state' && cluster.mutations.some((x) => x.verb === 'restart');
        await expect(runOnce(deps())).rejects.toThrow(/simulated crash/);
        cluster.leaseHolder = null;
        const intent = cluster.states.get(ROOK)!.state.intent!;
        metrics.now += 900;
        await runOnce({ ...deps(), config: parseConfig(closedWindow(configText())) });
        const state = cluster.states.get(ROOK)!.state;
        expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(crashed === 'after' ? 1 : 0);
        expect(state.intent).toBeNull();
        expect(state.restartTimes).toEqual(crashed === 'after' ? [intent.at] : []);
        expect(state.lastActionId).toBe(crashed === 'after' ? intent.actionId : null);
      }
    });

    it('a workaround killed mid-way: the pods show whether it was applied; counted if so, dropped if not', async () => {
      const only = (config: string) =>
        closedWindow(config.replace('ladder: [restart, workaround]', 'ladder: [workaround]'));
      for (const crashed of ['after', 'before'] as const) {
        const { cluster, metrics, deps } = setup((config) =>
          config.replace('ladder: [restart, workaround]', 'ladder: [workaround]'),
        );
        cluster.crashWhen = (m) =>
          crashed === 'before'
            ? m.verb === 'env'
            : m.verb === 'state' && cluster.mutations.some((x) => x.verb === 'env');
        await expect(runOnce(deps())).rejects.toThrow(/simulated crash/);
        cluster.leaseHolder = null;
        const intent = cluster.states.get(ROOK)!.state.intent!;
        expect(intent).toMatchObject({ kind: 'workaround' });
        metrics.now += 900;
        await runOnce({ ...deps(), config: parseConfig(only(configText())) });
        const state = cluster.states.get(ROOK)!.state;
        expect(state.intent).toBeNull();
        expect(cluster.mutations.filter((m) => m.verb === 'env')).toHaveLength(crashed === 'after' ? 1 : 0);
        expect(state.workaroundAppliedAt).toBe(crashed === 'after' ? intent.at : null);
        expect(state.lastAction).toBe(crashed === 'after' ? 'workaround' : null);
      }
    });

    it('the cluster cannot say whether it happened: the intent is kept, nothing is done', async () => {
      const { cluster, metrics, deps } = setup(evict);
      cluster.crashOn = 'evict';
      await expect(runOnce(deps())).rejects.toThrow(/simulated crash/);
      cluster.leaseHolder = null;
      const intent = cluster.states.get(ROOK)!.state.intent;
      cluster.readRefusal = { code: 'forbidden', status: 403, message: 'pods "rook-ceph-operator-abc" is forbidden' };
      metrics.now += 900;
      await runOnce(deps());
      expect(cluster.mutations.filter((m) => m.verb === 'restart' || m.verb === 'evict')).toEqual([]);
      expect(cluster.states.get(ROOK)!.state.intent).toEqual(intent);
    });
  });

  it('two series for one container in one answer: a warning, and the worst is judged, never the last (#9.6)', async () => {
    const { cluster, metrics, deps } = setup();
    metrics.duplicateFlatRook = true;
    const summary = await runOnce(deps());
    const rook = summary.targets.find((t) => t.profile === 'rook')!;
    expect(rook.verdict.kind).toBe('leaking');
    expect(rook.verdict.reasons).toContain(
      '2 series for this container in one answer (two scrape jobs?); the worst was judged',
    );
    expect(summary.warnings).toContain(
      'profile rook: 2 series for rook-ceph-operator-abc/rook-ceph-operator in one answer (duplicate scrape?); the worst was judged',
    );
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
  });

  it('tells Slack when the incident changes, not on every run', async () => {
    const { notifier, metrics, deps } = setup();
    await runOnce(deps());
    expect(notifier.messages).toHaveLength(1);
    expect(notifier.messages[0]!.text).toMatch(/rook-ceph-operator/);
    metrics.now += 1800;
    await runOnce(deps());
    metrics.now += 1800;
    await runOnce(deps());
    expect(notifier.messages.length).toBeLessThanOrEqual(2);
  });

  it.each([
    ['a Slack timestamp', '1700000001.000100', '1700000001.000100'],
    ['garbage, dropped', 'C0FFEE/../../chat.delete', null],
  ])('the ledger on the Lease: a threadTs read back as %s (#21.9)', async (_name, stored, repliedTo) => {
    const { cluster, notifier, metrics, deps } = setup();
    await runOnce(deps());
    expect(notifier.threads).toEqual([null]);
    const key = 'Deployment/rook-ceph/rook-ceph-operator';
    const ledger = JSON.parse(cluster.ledgerText!) as { notified: Record<string, { phase: string; threadTs: string }> };
    expect(ledger.notified[key]).toMatchObject({ threadTs: '1700000001.000100' });
    // Someone edits the Lease: the incident's phase (so the next run speaks) and its thread.
    ledger.notified[key] = { ...ledger.notified[key]!, phase: 'suspected', threadTs: stored };
    cluster.ledgerText = JSON.stringify(ledger);
    metrics.now += 1800;
    await runOnce(deps());
    expect(notifier.threads).toEqual([null, repliedTo]);
  });

  it("the ledger keeps the incident's thread when Prometheus' clock has fractions of a second", async () => {
    // A real Prometheus answers time() with milliseconds; the ledger keeps whole seconds. An entry
    // written with the fraction was dropped as invalid on the next read, so on a real cluster every
    // phase of an incident went to Slack as a new top-level message instead of a reply in its thread.
    const { cluster, notifier, metrics, deps } = setup();
    metrics.now += 0.437;
    await runOnce(deps());
    expect(checkLedger(cluster.ledgerText).problems).toEqual([]);
    const key = 'Deployment/rook-ceph/rook-ceph-operator';
    const ledger = JSON.parse(cluster.ledgerText!) as { notified: Record<string, { phase: string }> };
    ledger.notified[key] = { ...ledger.notified[key]!, phase: 'suspected' };
    cluster.ledgerText = JSON.stringify(ledger);
    metrics.now += 1800;
    await runOnce(deps());
    expect(notifier.threads).toEqual([null, '1700000001.000100']);
  });

  it('the ledger on the Lease stays under its budget: closed incidents are forgotten oldest first, open ones kept (#21.9)', async () => {
    const { cluster, metrics, deps } = setup();
    const closed = Object.fromEntries(
      Array.from({ length: 3000 }, (_, i) => [
        `Deployment/tenant-${i}/operator`,
        {
          incidentId: `inc-${i}`,
          phase: 'resolved',
          severity: 'info',
          action: null,
          threadTs: '1690000000.000100',
          at: metrics.now - 3600 + i,
        },
      ]),
    );
    cluster.ledgerText = JSON.stringify({ notified: closed, metricsFailures: {} });
    expect(cluster.ledgerText.length).toBeGreaterThan(256 * 1024);
    await runOnce(deps());
    expect(Buffer.byteLength(cluster.ledgerText)).toBeLessThanOrEqual(128 * 1024);
    const kept = Object.keys(parseLedger(cluster.ledgerText).notified);
    expect(kept).toContain('Deployment/rook-ceph/rook-ceph-operator');
    expect(kept).toContain('Deployment/tenant-2999/operator');
    expect(kept).not.toContain('Deployment/tenant-0/operator');
  });

  it('selector matching no pods, or more pods than expected: reported, and one disruption per workload (row 8)', async () => {
    const { cluster, metrics, deps } = setup();
    const rook = cluster.targets[0]!;
    // Three leaking replicas of the same Deployment.
    metrics.rookPods = ['rook-ceph-operator-abc', 'rook-ceph-operator-def', 'rook-ceph-operator-ghi'];
    cluster.targets.push(
      { ...rook, pod: { ...rook.pod, name: 'rook-ceph-operator-def', uid: 'pod-2' } },
      { ...rook, pod: { ...rook.pod, name: 'rook-ceph-operator-ghi', uid: 'pod-3' } },
    );
    cluster.targets = cluster.targets.filter((t) => t.profile !== 'certs');
    const summary = await runOnce(deps());
    expect(summary.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/profile certs: selector app=cert-manager matched no pods in cert-manager/),
        expect.stringMatching(/profile rook: 3 pods matched, 1 expected; at most one disruption per workload/),
      ]),
    );
    expect(summary.targets.filter((t) => t.verdict.kind === 'leaking')).toHaveLength(3);
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
  });
  it('pods that match but hold no target are said once, for what they are: never "matched no pods"', async () => {
    const { cluster, deps } = setup();
    const listed = cluster.discoverTargets.bind(cluster);
    const noContainer = 'pod cert-manager/cert-manager-abc has no container named "cert-manager"';
    cluster.discoverTargets = async (profile) =>
      profile.name === 'certs' ? { outcome: 'listed', targets: [], warnings: [noContainer] } : listed(profile);
    const summary = await runOnce(deps());
    const certs = summary.warnings.filter((w) => w.startsWith('profile certs:'));
    expect(certs).toEqual([`profile certs: ${noContainer}`]);
  });
  it('Prometheus warns its answer may be partial: every verdict of that answer is unknown, nothing is done (row 4)', async () => {
    const { cluster, metrics, notifier, deps } = setup();
    metrics.warnings = ['store 10.0.0.7:10901 unavailable: partial response'];
    const summary = await runOnce(deps());
    const rook = summary.targets.find((t) => t.workload.includes('rook'))!;
    expect(rook.verdict.kind).toBe('unknown');
    expect(rook.verdict.reasons[0]).toBe(
      'not judged: Prometheus warned that its answer may be partial (store 10.0.0.7:10901 unavailable: partial response)',
    );
    expect(summary.targets.every((t) => t.verdict.kind === 'unknown')).toBe(true);
    expect(summary.warnings).toContain(
      'profile rook: Prometheus warning: store 10.0.0.7:10901 unavailable: partial response',
    );
    expect(summary.actions).toEqual([]);
    expect(cluster.mutations).toEqual([]);
    // Partial answers count towards the Slack alert like an outage: the third in a row tells Slack, once.
    await runOnce(deps());
    await runOnce(deps());
    expect(notifier.messages.map((m) => m.text)).toEqual([
      expect.stringMatching(
        /rook unavailable for 3 runs in a row \(Prometheus warned that its answer may be partial \(store 10\.0\.0\.7:10901 unavailable: partial response\)\)/,
      ),
      expect.stringMatching(/certs unavailable for 3 runs/),
    ]);
    expect(cluster.mutations).toEqual([]);
    // Once Prometheus answers in full again, the leak is acted on.
    metrics.warnings = [];
    metrics.now += 900;
    await runOnce(deps());
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
  });

  it('the run deadline passing while history is fetched: nothing is changed, and the run fails saying so (row 2)', async () => {
    const { cluster, metrics, deps } = setup();
    const deadline = new AbortController();
    metrics.onRangeQuery = () => deadline.abort(new Error('job deadline reached'));
    const summary = await runOnce({ ...deps(), signal: deadline.signal });
    expect(summary.failures).toContain('run deadline reached before acting; nothing was changed');
    expect(summary.actions).toEqual([]);
    expect(cluster.mutations).toEqual([]);
    expect(cluster.events).toEqual([]);
  });

  it.each([
    [
      'while the leak is being recorded, before the intent',
      'LeakSuspected Event',
      'the run deadline has passed; not started',
    ],
    [
      'once the intent is written, before the restart',
      'intent',
      'the run deadline has passed once the intent was recorded; not started (the next run reconciles it)',
    ],
  ])(
    'the run deadline passing %s: no restart starts after it, and the run fails saying so (#21.3)',
    async (_when, at, failure) => {
      const { cluster, deps } = setup();
      const deadline = new AbortController();
      const [recordEvent, writeState] = [cluster.recordEvent.bind(cluster), cluster.writeState.bind(cluster)];
      cluster.recordEvent = async (event) => {
        if (at === 'LeakSuspected Event' && event.reason === 'LeakSuspected')
          deadline.abort(new Error('job deadline reached'));
        return recordEvent(event);
      };
      cluster.writeState = async (workload, state, basis) => {
        if (at === 'intent' && state.intent) deadline.abort(new Error('job deadline reached'));
        return writeState(workload, state, basis);
      };
      const summary = await runOnce({ ...deps(), signal: deadline.signal });
      expect(cluster.mutations.filter((m) => m.verb === 'restart')).toEqual([]);
      expect(summary.failures.map((f) => f.replace(/^restart-[\w-]+: /, ''))).toEqual([failure]);
      expect(summary.actions).toEqual([]);
    },
  );

  it.each([
    [
      '429 after its one retry',
      {
        code: 'rate-limited',
        message: 'Slack answered 429 twice (retry-after 30 s)',
        status: 429,
        retryAfterSeconds: 30,
      },
    ],
    ['5xx after its one retry', { code: 'server', message: 'Slack answered 503 twice', status: 503 }],
  ] as const)(
    'Slack failing (%s) leaves the Kubernetes action done and the run successful (row 20)',
    async (_name, failure) => {
      const { cluster, notifier, deps } = setup();
      notifier.failure = failure;
      const summary = await runOnce(deps());
      expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
      expect(cluster.states.get('Deployment/rook-ceph/rook-ceph-operator')!.state).toMatchObject({
        lastAction: 'restart',
        intent: null,
      });
      expect(cluster.reasons()).toContain('PodRestarted');
      expect(notifier.messages).toHaveLength(1);
      expect(summary.failures).toEqual([]);
      expect(summary.warnings.join('\n')).toContain(failure.message);
    },
  );

  it('a PodDisruptionBudget blocks the eviction: EvictionBlocked, Slack told, no delete, the run fails (row 10)', async () => {
    const { cluster, notifier, deps } = setup((config) =>
      config.replace('ladder: [restart, workaround]', 'ladder: [restart, workaround]\n    restartMode: evict'),
    );
    cluster.evictions = 'blocked';
    const summary = await runOnce(deps());
    expect(cluster.mutations.filter((m) => m.verb !== 'state')).toEqual([]);
    expect(cluster.reasons()).toContain('EvictionBlocked');
    expect(cluster.events.find((e) => e.reason === 'EvictionBlocked')!.note).toMatch(/disruption budget/);
    expect(notifier.messages).toHaveLength(1);
    expect(notifier.messages[0]!.text).toMatch(/blocked/i);
    expect(summary.failures.join('\n')).toMatch(/disruption budget/);
  });

  it('outside the allowed time windows: no live change, and a RemediationSkipped Event says why (row 17)', async () => {
    // Prometheus' clock reads Thursday 06:00 UTC.
    const { cluster, deps } = setup((config) =>
      config.replace('maxRestartsPerDay: 3}', 'maxRestartsPerDay: 3, windows: [{start: "22:00", end: "23:00"}]}'),
    );
    const summary = await runOnce(deps());
    expect(summary.targets.find((t) => t.workload.includes('rook'))!.verdict.kind).toBe('leaking');
    // Windows hold back live changes only: leakguard's bookkeeping (the incident it opened) is kept.
    expect(cluster.mutations.filter((m) => m.verb !== 'state')).toEqual([]);
    expect(summary.actions).toEqual([]);
    expect(cluster.events.find((e) => e.reason === 'RemediationSkipped')!.note).toMatch(/outside the allowed windows/);
  });

  it("the daily restart cap, read from the workload's state annotation, holds in a later run (row 16)", async () => {
    const { cluster, metrics, deps } = setup();
    const now = metrics.now;
    const key = 'Deployment/rook-ceph/rook-ceph-operator';
    cluster.states.set(key, {
      version: 3,
      state: { ...emptyWorkloadState, restartTimes: [now - 23 * HOUR, now - 15 * HOUR, now - 7 * HOUR] },
    });
    const summary = await runOnce(deps());
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toEqual([]);
    expect(summary.actions).toEqual([]);
    expect(cluster.events.find((e) => e.reason === 'RemediationSkipped')!.note).toMatch(
      /3 restarts in the last 24 h; the cap is 3 per day/,
    );
    // A day after the first of them, the cap has room again.
    metrics.now += 1 * HOUR + 60;
    await runOnce(deps());
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
  });
  it('RBAC refuses the restart: RemediationFailed names it, one attempt, the run fails (row 11)', async () => {
    const { cluster, deps } = setup();
    cluster.restartRefusal = {
      code: 'forbidden',
      status: 403,
      reason: 'Forbidden',
      message:
        'deployments.apps "rook-ceph-operator" is forbidden: User "system:serviceaccount:leakguard:leakguard" cannot patch resource "deployments"',
    };
    const summary = await runOnce(deps());
    expect(cluster.restartAttempts).toBe(1);
    expect(cluster.mutations.filter((m) => m.verb !== 'state')).toEqual([]);
    expect(cluster.events.find((e) => e.reason === 'RemediationFailed')!.note).toMatch(/forbidden/);
    expect(summary.failures.join('\n')).toMatch(/cannot patch resource "deployments"/);
    expect(summary.actions).toEqual([expect.objectContaining({ kind: 'restart', outcome: 'failed' })]);
  });

  it.each([
    ['mid-rollout', { rollingOut: true }, /a rollout is in progress/],
    ['terminating', { terminating: true }, /is terminating/],
    ['unready', { unreadyReplicas: 2 }, /2 replicas are unready/],
  ] as const)('a %s target is skipped with RemediationSkipped saying why (row 9)', async (_name, change, note) => {
    const { cluster, deps } = setup();
    const rook = cluster.targets[0]!;
    cluster.targets[0] =
      'terminating' in change ? { ...rook, pod: { ...rook.pod, terminating: true } } : { ...rook, ...change };
    const summary = await runOnce(deps());
    expect(cluster.mutations.filter((m) => m.verb !== 'state')).toEqual([]);
    expect(summary.actions).toEqual([]);
    expect(cluster.events.find((e) => e.reason === 'RemediationSkipped')!.note).toMatch(note);
  });
  it("GitHub's rate limit defers the upgrade PR: no failure, the rung is not passed, and the next run opens it (row 19)", async () => {
    const { cluster, metrics, deps } = setup(
      (config) =>
        `github: {tokenFile: /var/run/secrets/github/token}\n${config.replace('ladder: [restart, workaround]', 'ladder: [upgrade-pr]\n    upgrade: {repo: acme/gitops, file: clusters/prod/rook-ceph.yaml}')}`,
    );
    const outcomes: ActionOutcome[] = [
      { kind: 'deferred', message: 'GitHub secondary rate limit: retry after 60 s; deferred to the next run' },
      { kind: 'pr', result: 'opened', url: 'https://github.com/acme/gitops/pull/7' },
    ];
    const calls: string[] = [];
    const upgrade: UpgradeExecutor = async (action) => (calls.push(action.id), outcomes.shift()!);
    const first = await runOnce({ ...deps(), upgrade });
    expect(first.failures).toEqual([]);
    expect(first.actions).toEqual([expect.objectContaining({ kind: 'upgrade-pr', outcome: 'deferred' })]);
    expect(cluster.states.get('Deployment/rook-ceph/rook-ceph-operator')!.state).toMatchObject({
      lastAction: null,
      intent: null,
    });
    metrics.now += 900;
    const second = await runOnce({ ...deps(), upgrade });
    expect(second.failures).toEqual([]);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toBe(calls[0]);
    expect(cluster.states.get('Deployment/rook-ceph/rook-ceph-operator')!.state).toMatchObject({
      lastAction: 'upgrade-pr',
      lastActionId: calls[0],
    });
  });
  it("one profile's history failing counts against that profile only, even when another matches no pods", async () => {
    const { cluster, metrics, deps } = setup();
    metrics.failingNamespaces.add('rook-ceph');
    cluster.targets = cluster.targets.filter((t) => t.profile !== 'certs');
    const summary = await runOnce(deps());
    expect(summary.failures).toEqual([expect.stringMatching(/^profile rook: memory history unavailable: .*HTTP 503/)]);
    expect(parseLedger(cluster.ledgerText).metricsFailures).toEqual({ rook: 1, certs: 0 });
  });
  it("a bug reading one profile's history costs that profile its verdict, not the run (and nothing acts on it)", async () => {
    const { cluster, metrics, deps } = setup();
    metrics.brokenNamespaces.add('rook-ceph');
    const summary = await runOnce(deps());
    expect(summary.failures).toEqual([
      expect.stringMatching(
        /^profile rook: memory history unavailable: reading the history failed: cannot read properties/,
      ),
    ]);
    expect(summary.targets.map((t) => t.profile)).toEqual(['certs']);
    expect(summary.actions).toEqual([]);
    expect(cluster.events.map((e) => e.reason)).toContain('MetricsUnavailable');
  });
});
