/**
 * The official hotfix image as a workaround, end to end over in-memory adapters: applied only on the
 * exact affected tag, idempotent, refused over a digest, reverted when it did not help, reconciled
 * after a crash, and the same for a user's catalogue entry. What a user sees: the image the workload
 * runs, the Events, the state, Slack.
 */
import { inContainer, inWorkload, ofProfile, runningImage, startedAt, targetFacts, withLimit } from '../support/gen.js';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCatalog, CatalogError } from '../../src/catalog/catalog.js';
import { parseConfig } from '../../src/config/load.js';
import type { TargetFacts, WorkloadRef } from '../../src/model/workload.js';
import { runOnce, type RunDeps } from '../../src/run/index.js';
import { TestCluster } from '../support/test-cluster.js';
import { RecordingNotifier, TraceMetrics } from '../../src/demo/world.js';
import { catalogFor } from '../../src/cli/wiring.js';
import { createUpgradeRung } from '../../src/cli/wiring.js';
import { FakeGitHub } from '../forge/fake-github.js';
import { secretFile } from '../forge/helpers.js';

const MiB = 2 ** 20;
const HOUR = 3600;
const start = Date.UTC(2026, 10, 25, 0, 0) / 1000;
const affected = 'longhornio/longhorn-instance-manager:v1.11.0';
const hotfix = 'longhornio/longhorn-instance-manager:v1.11.0-hotfix-1';

const longhornProfile = `
  - name: longhorn
    namespace: longhorn-system
    selector: app=instance-manager
    container: instance-manager
    knownIssues: [longhorn-instance-manager-proxy-leak-1.11.0]
    ladder: [workaround]
    workaround: {revertIfIneffective: true}
`;

function configText(profiles = longhornProfile, extra = ''): string {
  return `
dryRun: false
controller: none
prometheus: {url: http://prometheus.test:9090}
guardrails: {cooldown: 6h, maxActionsPerRun: 2, maxRestartsPerDay: 3}
profiles:${profiles}
${extra}`;
}

function facts(image: string, kind: WorkloadRef['kind'] = 'Deployment', profile = 'longhorn'): TargetFacts {
  return targetFacts(
    ofProfile(profile),
    inWorkload('longhorn-system', 'instance-manager', kind),
    startedAt(start),
    inContainer('instance-manager'),
    runningImage(image, null),
    withLimit(2048 * MiB),
  );
}

/** The instance-manager's working set, leaking 40 MiB/h whatever image it runs: a sample a minute for 100 h. */
const leakingInstanceManager = {
  labels: { namespace: 'longhorn-system', pod: 'instance-manager-abc', container: 'instance-manager' },
  samples: Array.from({ length: 100 * 60 }, (_, i) => start + i * 60).map((t) => ({
    t,
    v: 400 * MiB + ((t - start) / HOUR) * 40 * MiB + ((t % 240) / 240) * 20 * MiB,
  })),
};

function setup(target: TargetFacts, config = configText()) {
  const cluster = new TestCluster([target]);
  const metrics = new TraceMetrics([leakingInstanceManager], start + 30 * HOUR);
  const notifier = new RecordingNotifier();
  const parsed = parseConfig(config);
  const deps = (): RunDeps => ({
    config: parsed,
    cluster,
    metrics,
    catalog: catalogFor(parsed),
    logger: pino({ level: 'silent' }),
    identity: { identity: 'run-1', namespace: 'leakguard' },
    notifier,
  });
  return { cluster, metrics, notifier, deps, key: `${target.workload.kind}/longhorn-system/instance-manager` };
}

const images = (cluster: TestCluster) =>
  cluster.mutations.filter((m) => m.verb === 'image' || m.verb === 'revert-image');
const notes = (cluster: TestCluster, reason: string) =>
  cluster.events.filter((e) => e.reason === reason).map((e) => e.note);
const slackText = (notifier: RecordingNotifier) => JSON.stringify(notifier.messages.map((m) => m.blocks));

describe('the hotfix image workaround in a run', () => {
  it('applies the hotfix to that container, records what it replaced, and says how to undo it (Event and Slack, once each)', async () => {
    const { cluster, notifier, deps, key } = setup(facts(affected));
    const summary = await runOnce(deps());
    expect(summary.failures).toEqual([]);
    expect(images(cluster)).toEqual([
      { verb: 'image', target: key, detail: { container: 'instance-manager', image: hotfix } },
    ]);
    expect(cluster.targets[0]?.image).toBe(hotfix);
    expect(cluster.states.get(key)?.state.workaroundImage).toEqual({
      container: 'instance-manager',
      previous: affected,
      hotfix,
    });
    const [note] = notes(cluster, 'WorkaroundApplied');
    expect(note).toContain(`Changed container instance-manager's image from ${affected} to ${hotfix}`);
    expect(note?.split('To undo').length).toBe(2);
    const slack = slackText(notifier);
    expect(slack).toContain(`change container instance-manager's image from ${affected} to ${hotfix}`);
    expect(slack.split('To undo').length).toBe(2);
    // The workload is named once, in its own field: not again in the action line.
    expect(notifier.messages[0]?.text.split('longhorn-system/instance-manager').length).toBe(2);
  });

  it("already set in the template (its rollout not finished): nothing is patched, the workaround counts as in place, and is not leakguard's to revert", async () => {
    const { cluster, deps, key } = setup(facts(affected));
    cluster.templateImages.set(`${key}/instance-manager`, hotfix);
    await runOnce(deps());
    expect(images(cluster)).toEqual([]);
    expect(notes(cluster, 'WorkaroundApplied')[0]).toContain('Already in place: change container instance-manager');
    const state = cluster.states.get(key)?.state;
    expect(state).toMatchObject({ lastAction: 'workaround', workaroundAppliedAt: null });
    expect(state?.workaroundImage ?? null).toBeNull();
  });

  it('another tag than the one the hotfix was built for: no image is changed, and the run says why', async () => {
    const { cluster, deps } = setup(facts('longhornio/longhorn-instance-manager:v1.11.0-amd64'));
    await runOnce(deps());
    expect(images(cluster)).toEqual([]);
    expect(notes(cluster, 'RemediationSkipped').join('\n')).toContain(
      'the hotfix v1.11.0-hotfix-1 is for tag v1.11.0 exactly; this container runs v1.11.0-amd64',
    );
  });

  it('pinned by digest: refused, saying leakguard does not know the hotfix digest', async () => {
    const { cluster, deps } = setup(facts(`${affected}@sha256:${'b'.repeat(64)}`));
    await runOnce(deps());
    expect(images(cluster)).toEqual([]);
    expect(notes(cluster, 'RemediationSkipped').join('\n')).toContain(
      `leakguard does not know the digest of the hotfix ${hotfix}, so it does not set it`,
    );
  });

  it('dry-run and the kill switch change no image', async () => {
    for (const extra of ['', 'guardrails: {killSwitch: true}']) {
      const config = extra
        ? configText().replace('guardrails: {cooldown: 6h, maxActionsPerRun: 2, maxRestartsPerDay: 3}', extra)
        : configText().replace('dryRun: false', 'dryRun: true');
      const { cluster, deps } = setup(facts(affected), config);
      await runOnce(deps());
      expect(images(cluster)).toEqual([]);
      expect(cluster.targets[0]?.image).toBe(affected);
    }
  });

  it('the leak going on under the hotfix: the image it replaced is put back exactly', async () => {
    const { cluster, metrics, notifier, deps, key } = setup(facts(affected));
    await runOnce(deps());
    // A day of data after the swap: the verdict is judged on the hotfix alone.
    metrics.now += 25 * HOUR;
    await runOnce(deps());
    expect(images(cluster).map((m) => m.verb)).toEqual(['image', 'revert-image']);
    expect(cluster.targets[0]?.image).toBe(affected);
    // Slack, as the Events, still names the known issue while the pods ran the hotfix.
    expect(notifier.messages.at(-1)?.text).toContain('known issue: Longhorn instance-manager: proxy connection leak');
    expect(notes(cluster, 'WorkaroundReverted')[0]).toContain(
      `Put container instance-manager's image back from ${hotfix} to ${affected}`,
    );
    expect(cluster.states.get(key)?.state.workaroundImage).toBeNull();
  });

  it('killed before the patch: the next run sees the pods on the old image and drops the intent; nothing is recorded as swapped', async () => {
    const { cluster, metrics, deps, key } = setup(facts(affected));
    cluster.crashOn = 'image';
    await expect(runOnce(deps())).rejects.toThrow(/simulated crash/);
    cluster.leaseHolder = null;
    expect(cluster.states.get(key)!.state.intent?.image?.hotfix).toBe(hotfix);
    metrics.now += 900;
    await runOnce(deps());
    const state = cluster.states.get(key)!.state;
    expect(state.intent).toBeNull();
    expect(state.workaroundImage ?? null).toBeNull();
    expect(state.workaroundAppliedAt).toBeNull();
    expect(images(cluster)).toEqual([]);
  });

  it('killed after the patch, before recording it: the next run sees the pods on the hotfix, counts it once, and can still revert it', async () => {
    const { cluster, metrics, deps, key } = setup(facts(affected));
    cluster.crashWhen = (m) => m.verb === 'state' && cluster.mutations.some((x) => x.verb === 'image');
    await expect(runOnce(deps())).rejects.toThrow(/simulated crash/);
    cluster.leaseHolder = null;
    const intent = cluster.states.get(key)!.state.intent!;
    expect(intent.image).toEqual({ container: 'instance-manager', previous: affected, hotfix });
    metrics.now += 900;
    await runOnce(deps());
    const state = cluster.states.get(key)!.state;
    expect(state.intent).toBeNull();
    expect(state.workaroundAppliedAt).toBe(intent.at);
    expect(state.workaroundImage).toEqual(intent.image);
    metrics.now += 25 * HOUR;
    await runOnce(deps());
    expect(images(cluster).map((m) => m.verb)).toEqual(['image', 'revert-image']);
    expect(cluster.targets[0]?.image).toBe(affected);
  });
});

describe("another operator's pod (Longhorn's InstanceManager)", () => {
  it('is not patched; the Event and Slack say which image to set, and where', async () => {
    const pod = { ...facts(affected, 'Pod'), foreignOwner: 'InstanceManager instance-manager-e-1' };
    const { cluster, notifier, deps } = setup(
      pod,
      configText(longhornProfile.replace('ladder: [workaround]', 'ladder: [restart, workaround]')),
    );
    await runOnce(deps());
    expect(cluster.mutations.filter((m) => m.verb !== 'state')).toEqual([]);
    const instruction = `set image ${hotfix} in the Helm value image.longhorn.instanceManager.tag`;
    expect(notes(cluster, 'RemediationSkipped').filter((n) => n.includes(instruction))).toHaveLength(1);
    const slack = notifier.messages.map((m) => m.text).join('\n');
    expect(slack).toContain(instruction);
    expect(slack.split('InstanceManager instance-manager-e-1').length - 1).toBe(1);
  });
});

describe("a user's catalogue entry with a hotfix image (config knownIssues)", () => {
  const entry = `
knownIssues:
  - id: acme-agent-leak
    title: acme agent leaks sockets
    images: [ghcr.io/acme/agent]
    affected: ['>=3.2.0 <3.2.2']
    fixed: [3.2.2]
    workaround: {image: {forVersion: 3.2.1, tag: v3.2.1-hotfix.1}}
    upgrade: {rule: direct}
    sources: [{kind: issue, url: 'https://example.com/acme/7'}]
    checked: '2026-11-01'
`;
  const profile = longhornProfile.replace('[longhorn-instance-manager-proxy-leak-1.11.0]', '[acme-agent-leak]');

  it('works as a built-in one, on a DaemonSet saying that every node rolls', async () => {
    const { cluster, deps } = setup(facts('ghcr.io/acme/agent:v3.2.1', 'DaemonSet'), configText(profile, entry));
    await runOnce(deps());
    expect(images(cluster)[0]?.detail).toEqual({
      container: 'instance-manager',
      image: 'ghcr.io/acme/agent:v3.2.1-hotfix.1',
    });
    expect(notes(cluster, 'WorkaroundApplied')[0]).toContain(
      'a DaemonSet: the new image rolls every node, as its update strategy allows',
    );
  });

  it('malformed: a config error naming the field', () => {
    const bad = parseConfig(configText(profile, entry.replace('tag: v3.2.1-hotfix.1', 'tag: "-bad tag"')));
    expect(() => catalogFor(bad)).toThrow(CatalogError);
    expect(() => catalogFor(bad)).toThrow(/knownIssues\[0\]\.workaround\.image\.tag: expected an image tag/);
  });
});

describe('built-in catalogue check', () => {
  it('the Longhorn entry says where to set the hotfix on pods leakguard does not patch', () => {
    const entry = buildCatalog().entries.find((e) => e.id === 'longhorn-instance-manager-proxy-leak-1.11.0');
    expect(entry?.workaround?.image?.setIn).toContain('image.longhorn.instanceManager.tag');
  });
});

describe('the upgrade PR while the hotfix runs', () => {
  let gh: FakeGitHub;
  beforeEach(async () => {
    gh = await new FakeGitHub('acme', 'gitops').start();
    gh.seedBranch('main', {
      'clusters/prod/longhorn.yaml':
        'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: longhorn, namespace: longhorn-system}\nspec:\n  chart:\n    spec:\n      chart: longhorn\n      version: 1.11.0\n',
    });
  });
  afterEach(async () => {
    await gh.stop();
    expect(gh.violations).toEqual([]);
  });

  it('goes from the version the hotfix stands in for, and its body says what leakguard set and how to undo it', async () => {
    const profile = longhornProfile
      .replace('ladder: [workaround]', 'ladder: [workaround, upgrade-pr]')
      .replace(
        'workaround: {revertIfIneffective: true}',
        'upgrade: {repo: acme/gitops, file: clusters/prod/longhorn.yaml}',
      );
    const config = configText(
      profile,
      `github: {tokenFile: ${secretFile('token', gh.acceptedToken)}, apiUrl: "${gh.url}"}`,
    );
    const { cluster, metrics, deps } = setup(facts(affected), config);
    const upgrade = createUpgradeRung(parseConfig(config), pino({ level: 'silent' })).execute;
    await runOnce({ ...deps(), upgrade });
    expect(cluster.targets[0]?.image).toBe(hotfix);
    metrics.now += 25 * HOUR;
    await runOnce({ ...deps(), upgrade });
    expect(gh.pulls.map((p) => p.title)).toEqual([expect.stringContaining('1.11.0 → 1.11.1')]);
    const body = String(gh.pulls[0]?.body ?? '');
    expect(body).toContain(
      `Workaround until the upgrade lands: leakguard set container instance-manager's image to ${hotfix} (it was ${affected}); to undo, set it back`,
    );
    expect(body.split(hotfix).length - 1).toBe(1);
  });
});
