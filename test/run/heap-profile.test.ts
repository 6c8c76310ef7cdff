/**
 * The heap profile before a restart, at the level of a whole run (in-memory cluster, real Go heap
 * profiles from the Go runtime): what the Event says, what is kept and how to open it, what Slack
 * shows, and that a pod that does not answer never holds the restart back.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { parseConfig } from '../../src/config/load.js';
import { toColumns } from '../../src/detect/columns.js';
import type { Sample } from '../../src/detect/types.js';
import { TestCluster } from '../support/test-cluster.js';
import { RecordingNotifier } from '../../src/demo/world.js';
import type { PodProxyResult } from '../../src/kube/pod-proxy.js';
import type { InstantResult, MetricsAnswer, MetricsSource, RangeQuery, RangeResult } from '../../src/prom/types.js';
import { runOnce } from '../../src/run/index.js';
import { keptHeapReport } from '../../src/kube/heap-capture.js';
import { draftIssue } from '../../src/cli/commands/report.js';
import { prBody } from '../../src/report/pr-body.js';
import { buildHeapProfileMaker, GO_BUILD_MS, type HeapProfileMaker } from '../support/go-heap-profile.js';
import { operatorTarget } from '../support/metrics-run.js';

const MiB = 2 ** 20;
const now = Math.floor(Date.UTC(2026, 11, 7, 12) / 1000);
let go: HeapProfileMaker;

beforeAll(async () => {
  go = await buildHeapProfileMaker();
}, GO_BUILD_MS);
afterAll(() => go?.close());

/** 24 h of a 40 MiB/h leak for the one operator pod. */
const leakingMetrics: MetricsSource = {
  async query(): Promise<MetricsAnswer<InstantResult>> {
    return { outcome: 'answered', series: [{ labels: {}, sample: { t: now, v: now } }], warnings: [] };
  },
  async queryRange(query: RangeQuery): Promise<MetricsAnswer<RangeResult>> {
    if (query.query.includes('kube_pod_owner')) return { outcome: 'answered', series: [], warnings: [] };
    const samples: Sample[] = [];
    for (let t = query.start; t <= query.end; t += query.stepSeconds)
      samples.push({ t, v: 300 * MiB + ((t - (now - 86_400)) / 3600) * 40 * MiB });
    return {
      outcome: 'answered',
      series: [{ labels: { namespace: 'ops', pod: 'op-1', container: 'op' }, samples: toColumns(samples) }],
      warnings: [],
    };
  },
};

function world(heapProfile: string | null, dryRun = false) {
  const cluster = new TestCluster([operatorTarget('ops', 'op-1', 'op', now)]);
  const notifier = new RecordingNotifier();
  const config = parseConfig(`
dryRun: ${dryRun}
controller: none
prometheus: {url: http://prometheus.test:9090}
profiles:
  - name: ops
    namespace: ops
    selector: app=op
    container: op
${heapProfile === null ? '' : `    diagnostics: {heapProfile: ${heapProfile}}\n`}`);
  const run = () =>
    runOnce({
      config,
      cluster,
      metrics: leakingMetrics,
      catalog: buildCatalog(),
      logger: pino({ level: 'silent' }),
      identity: { identity: 'run-1', namespace: 'leakguard' },
      notifier,
    });
  const draft = (incidentId: string) =>
    draftIssue({ config, cluster, metrics: leakingMetrics, catalog: buildCatalog() }, incidentId);
  return { cluster, notifier, run, draft };
}

const answer =
  (bytes: Buffer): (() => Promise<PodProxyResult>) =>
  async () => ({ outcome: 'fetched', bytes, ms: 5 });

describe('a heap profile before the restart', () => {
  it('names the leaking function in an Event before the restart, keeps the profile and says how to open it', async () => {
    const { cluster, notifier, run } = world('{port: 6060}');
    cluster.podProxy = answer(await go.heap('6Mi', '1Mi'));
    const summary = await run();
    expect(summary.failures).toEqual([]);
    expect(cluster.podProxyRequests).toEqual([
      {
        pod: { namespace: 'ops', name: 'op-1', uid: 'uid-op-1-pod' },
        port: 6060,
        path: '/debug/pprof/heap',
        maxBytes: 450 * 1024,
        timeoutMs: 10_000,
      },
    ]);
    expect(cluster.reasons()).toEqual(['LeakSuspected', 'HeapProfileCaptured', 'PodRestarted']);
    const note = cluster.events.find((e) => e.reason === 'HeapProfileCaptured')!.note;
    expect(note).toMatch(
      /^Heap of pod op-1 before the restart: 7\.0 MiB in use\. Top allocation sites \(share of in-use bytes\): 1\. main\.leakguardTestLeak \(heap-profile\/main\.go:\d+\) 8[56]% /,
    );
    const kept = [...cluster.heapProfiles.entries()];
    expect(kept).toHaveLength(1);
    const [configMap, { keys }] = kept[0]!;
    const [key] = [...keys.keys()];
    expect(note).toContain(
      `Open it: kubectl get configmap ${configMap} -n ops -o go-template='{{index .binaryData "${key}"}}' | base64 -d > ${key} && go tool pprof -top ${key}`,
    );
    // The capture comes before the restart in what was changed, too.
    expect(cluster.mutations.map((m) => m.verb).filter((v) => v !== 'state')).toEqual(['heap-profile', 'restart']);
    const slack = JSON.stringify(notifier.messages.at(-1));
    expect(slack).toContain('main.leakguardTestLeak');
    expect(slack).toContain(`go tool pprof -top ${key}`);
  });

  it('a pod that does not answer: a Warning says why, and the restart goes ahead', async () => {
    const { cluster, run } = world('{port: 6060, timeout: 2s}');
    const started = Date.now();
    cluster.podProxy = (request) =>
      new Promise((resolve) =>
        setTimeout(
          () =>
            resolve({
              outcome: 'failed',
              error: { code: 'timeout', message: `no complete answer within ${request.timeoutMs / 1000} s` },
            }),
          request.timeoutMs,
        ),
      );
    const summary = await run();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(summary.failures).toEqual([]);
    expect(cluster.reasons()).toEqual(['LeakSuspected', 'HeapProfileFailed', 'PodRestarted']);
    expect(cluster.events.find((e) => e.reason === 'HeapProfileFailed')).toMatchObject({
      type: 'Warning',
      note: 'No heap profile of pod op-1 before the restart: port 6060 path /debug/pprof/heap did not answer through the pod proxy (timeout: no complete answer within 2 s). The restart went ahead without it.',
    });
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
  });

  it('an answer that is no heap profile is not kept, and says what it was', async () => {
    const { cluster, run } = world('{port: 6060, path: /debug/pprof/goroutine}');
    cluster.podProxy = answer(await go.goroutine());
    await run();
    expect(cluster.heapProfiles.size).toBe(0);
    expect(cluster.events.find((e) => e.reason === 'HeapProfileFailed')!.note).toContain(
      'path /debug/pprof/goroutine is not a heap profile: no inuse_space sample type (it has goroutine)',
    );
    expect(cluster.mutations.filter((m) => m.verb === 'restart')).toHaveLength(1);
  });

  it('in dry-run: captured and summarized, nothing kept or restarted', async () => {
    const { cluster, run } = world('{port: 6060}', true);
    cluster.podProxy = answer(await go.heap('3Mi', '1Mi'));
    await run();
    expect(cluster.reasons()).toEqual(['LeakSuspected', 'HeapProfileCaptured', 'RemediationPlanned']);
    expect(cluster.events.find((e) => e.reason === 'HeapProfileCaptured')!.note).toMatch(
      /1\. main\.leakguardTestLeak .* Not kept: a dry run writes nothing but Events\.$/,
    );
    expect(cluster.mutations).toEqual([]);
  });

  it('off by default: no request to the pod', async () => {
    const { cluster, run } = world(null);
    await run();
    expect(cluster.podProxyRequests).toEqual([]);
    expect(cluster.reasons()).toEqual(['LeakSuspected', 'PodRestarted']);
  });
});

describe('the profiles kept with an incident, for the upgrade PR', () => {
  it("quotes the latest profile, what grew since the incident's first, and the command, in the PR body", async () => {
    const cluster = new TestCluster([]);
    const workload = { kind: 'Deployment' as const, namespace: 'rook-ceph', name: 'rook-ceph-operator', uid: 'u1' };
    const incidentId = 'inc-202612070000-abc';
    const keep = async (actionId: string, pod: string, leak: string) =>
      cluster.keepHeapProfile({ workload, incidentId, actionId, pod, bytes: await go.heap(leak, '1Mi') });
    await keep('restart-1', 'op-a', '2Mi');
    await keep('restart-2', 'op-b', '6Mi');
    const third = await keep('restart-3', 'op-c', '10Mi');
    // The incident's first capture stays; the later one is replaced: two at most.
    expect([...cluster.heapProfiles.get(third.outcome === 'kept' ? third.configMap : '')!.keys.keys()]).toEqual([
      'heap-restart-1.pb.gz',
      'heap-restart-3.pb.gz',
    ]);
    const heap = await keptHeapReport(cluster, workload, incidentId);
    expect(heap!.lines[0]).toBe(
      'Heap of pod op-c before the restart: 11 MiB in use. Top allocation sites (share of in-use bytes):',
    );
    expect(heap!.lines.find((l) => l.startsWith('Grew since'))).toMatch(
      /^Grew since the incident's first profile \(8\.\d MiB\): main\.leakguardTestLeak \(heap-profile\/main\.go:\d+\) \+8\.0 MiB/,
    );
    expect(heap!.command).toContain('"heap-restart-3.pb.gz"');
    const body = prBody({
      profile: 'rook',
      target: { namespace: 'rook-ceph', workload: 'rook-ceph-operator', container: 'rook-ceph-operator' },
      fromVersion: '1.14.9',
      toVersion: '1.15.9',
      verdict: { slope: null, hoursToLimit: null, reasons: [], currentBytes: null },
      limitBytes: null,
      actions: [],
      heapProfile: heap!,
    });
    expect(body).toContain('### Heap profile before the restart');
    expect(body).toContain(`\`\`\`sh\n${heap!.command}\n\`\`\``);
    expect(await keptHeapReport(cluster, workload, 'inc-another')).toBeNull();
  });
});

describe('leakguard report INCIDENT: an upstream issue draft for a leak no catalogue entry explains', () => {
  it('drafts growth, duration, what was tried, the memory chart and the top allocation sites; nothing is written', async () => {
    const { cluster, run, draft } = world('{port: 6060}');
    cluster.podProxy = answer(await go.heap('6Mi', '1Mi'));
    await run();
    const incidentId = cluster.states.get('Deployment/ops/op-1')!.state.incidentId!;
    const mutations = cluster.mutations.length;
    const result = await draft(incidentId);
    expect(cluster.mutations).toHaveLength(mutations);
    expect(result.outcome).toBe('drafted');
    const markdown = result.outcome === 'drafted' ? result.markdown : '';
    expect(markdown).toContain(`Drafted by \`leakguard report ${incidentId}\`; nothing was filed.`);
    expect(markdown).toContain('## Memory leak in op 1.0.0');
    expect(markdown).toMatch(/\| Growth of the memory floor \| 40\.0 MiB\/h \(95% CI/);
    expect(markdown).toMatch(/- Restarted by leakguard 1 time\(s\) in the last 24 h/);
    expect(markdown).toContain('```mermaid');
    expect(markdown).toMatch(/1\. main\.leakguardTestLeak \(heap-profile\/main\.go:\d+\) 8[56]%/);
    expect(markdown).toContain('go tool pprof -top heap-restart-');
  });

  it('a leak the catalogue explains gets no draft, and an unknown incident is said to be unknown', async () => {
    const { cluster, run, draft } = world(null);
    cluster.targets[0]!.image = 'rook/ceph:v1.14.9';
    cluster.targets[0]!.version = '1.14.9';
    await run();
    const incidentId = cluster.states.get('Deployment/ops/op-1')!.state.incidentId!;
    expect(await draft(incidentId)).toMatchObject({ outcome: 'known', issueId: 'rook-operator-leak-1.14' });
    expect(await draft('inc-202601010000-nope')).toEqual({ outcome: 'not-found' });
  });
});
