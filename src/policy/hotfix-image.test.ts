import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../catalog/catalog.js';
import { versionFromImage } from '../catalog/image.js';
import { plan } from './plan.js';
import { stateAfter, stateWithIntent } from './state-changes.js';
import type { Plan, PlanAction, PlanSkip } from './types.js';
import type { TargetFacts, WorkloadRef } from '../model/workload.js';
import { hour, input, leaking, now, target } from '../../test/support/policy-fixtures.js';

const actions = (p: Plan) => p.items.filter((item): item is PlanAction => item.type === 'action');
const skips = (p: Plan) => p.items.filter((item): item is PlanSkip => item.type === 'skip');
const notes = (p: Plan) =>
  skips(p)
    .map((s) => s.note)
    .join('\n');

const affected = 'longhornio/longhorn-instance-manager:v1.11.0';
const hotfix = 'longhornio/longhorn-instance-manager:v1.11.0-hotfix-1';
const deployment: WorkloadRef = {
  kind: 'Deployment',
  namespace: 'longhorn-system',
  name: 'instance-manager',
  uid: 'uid-im',
};

function planFor(
  image: string,
  options: {
    ladder?: PlanAction['kind'][];
    workload?: WorkloadRef;
    facts?: Partial<TargetFacts>;
    catalog?: ReturnType<typeof buildCatalog>;
  } = {},
) {
  const workload = options.workload ?? deployment;
  const facts = {
    image,
    version: versionFromImage(image),
    container: 'instance-manager',
    workload,
    env: {},
    ...options.facts,
  };
  const base = input(
    [target({ facts, pod: { name: workload.kind === 'Pod' ? workload.name : 'instance-manager-7f9c-x2x4z' } })],
    { profile: { knownIssues: [], ladder: (options.ladder ?? ['restart', 'workaround', 'upgrade-pr']) as never } },
  );
  return plan(options.catalog ? { ...base, catalog: options.catalog } : base);
}

describe('the official hotfix image as a workaround', () => {
  it('on the exact affected tag: swaps that container to the hotfix tag of the same repository (restarts stay forbidden)', () => {
    const result = planFor(affected);
    const [action] = actions(result);
    expect(action?.kind).toBe('workaround');
    expect(action?.disruptive).toBe(true);
    expect(action?.details.image).toEqual({ container: 'instance-manager', previous: affected, hotfix });
    expect(notes(result)).not.toContain('hotfix');
  });

  it('keeps the registry the image is pulled from (a mirror), changing only the tag', () => {
    const [action] = actions(planFor('harbor.corp/longhornio/longhorn-instance-manager:1.11.0'));
    expect(action?.details.image?.hotfix).toBe('harbor.corp/longhornio/longhorn-instance-manager:v1.11.0-hotfix-1');
  });

  it('on a DaemonSet: says the new image rolls every node', () => {
    const [action] = actions(planFor(affected, { workload: { ...deployment, kind: 'DaemonSet' } }));
    expect(action?.reason).toContain('a DaemonSet: the new image rolls every node, as its update strategy allows');
  });

  it('pinned by digest: refused, saying leakguard does not know the hotfix digest; the next rung is taken', () => {
    const result = planFor(`${affected}@sha256:${'a'.repeat(64)}`);
    expect(skips(result).find((s) => s.reason === 'digest-pinned')?.note).toContain(
      'leakguard does not know the digest of the hotfix longhornio/longhorn-instance-manager:v1.11.0-hotfix-1',
    );
    expect(actions(result).map((a) => a.kind)).toEqual(['upgrade-pr']);
  });

  it('only for the exact tag the hotfix was built for (a user entry whose range is wider)', () => {
    const catalog = buildCatalog([
      {
        id: 'acme-leak',
        title: 'acme leak',
        images: ['acme/operator'],
        affected: ['>=2.0.0 <2.1.0'],
        fixed: ['2.1.0'],
        workaround: { image: { forVersion: '2.0.3', tag: 'v2.0.3-hotfix' } },
        upgrade: { rule: 'direct' },
        sources: [{ kind: 'issue', url: 'https://example.com/acme/1' }],
        checked: '2026-11-01',
      },
    ]);
    const exact = planFor('acme/operator:v2.0.3', { catalog, ladder: ['workaround'], facts: { container: 'manager' } });
    expect(actions(exact)[0]?.details.image?.hotfix).toBe('acme/operator:v2.0.3-hotfix');
    for (const image of ['acme/operator:v2.0.2', 'acme/operator:v2.0.3-alpine']) {
      const other = planFor(image, { catalog, ladder: ['workaround'], facts: { container: 'manager' } });
      expect(actions(other)).toEqual([]);
      expect(notes(other)).toContain(
        `the hotfix v2.0.3-hotfix is for tag v2.0.3 exactly; this container runs ${image.split(':')[1]}`,
      );
    }
  });

  it('GitOps-owned: not patched live, as the env workaround', () => {
    const result = planFor(affected, { facts: { gitopsOwner: 'flux' } });
    expect(skips(result).find((s) => s.reason === 'gitops-owned')?.note).toContain(
      `the hotfix image ${hotfix} is not patched live, flux would revert it`,
    );
    expect(actions(result).map((a) => a.kind)).toEqual(['upgrade-pr']);
  });

  it("on another operator's pod (Longhorn's InstanceManager): notify only, saying which image to set where; the upgrade PR is still proposed", () => {
    const pod: WorkloadRef = {
      kind: 'Pod',
      namespace: 'longhorn-system',
      name: 'instance-manager-e-1a2b',
      uid: 'uid-pod',
    };
    const result = planFor(affected, {
      workload: pod,
      facts: { foreignOwner: 'InstanceManager instance-manager-e-1a2b' },
    });
    const workaround = skips(result).find((s) => s.wanted === 'workaround');
    expect(workaround?.reason).toBe('foreign-owner');
    expect(workaround?.note).toBe(
      `to apply longhorn-instance-manager-proxy-leak-1.11.0's hotfix, set image ${hotfix} in the Helm value image.longhorn.instanceManager.tag (with manifests: the instance-manager image in the manifest), then upgrade the release`,
    );
    expect(actions(result).map((a) => a.kind)).toEqual(['upgrade-pr']);
    // Without a restart rung to say who owns the pod, the workaround's note says it.
    const alone = planFor(affected, {
      workload: pod,
      facts: { foreignOwner: 'InstanceManager instance-manager-e-1a2b' },
      ladder: ['workaround'],
    });
    expect(notes(alone)).toContain(
      '(pod instance-manager-e-1a2b is managed by InstanceManager instance-manager-e-1a2b, which leakguard does not patch)',
    );
  });

  it('already running the hotfix: the known issue no longer matches, and nothing is swapped', () => {
    const result = planFor(hotfix, { ladder: ['workaround'] });
    expect(actions(result)).toEqual([]);
    expect(notes(result)).toContain('workaround: none configured');
  });
});

describe('reverting the hotfix image', () => {
  const swap = { container: 'instance-manager', previous: affected, hotfix };
  const applied = now - 30 * hour;
  function planAfter(image: string) {
    const state = {
      incidentId: 'inc',
      incidentStart: applied - hour,
      lastAction: 'workaround' as const,
      lastActionId: 'a1',
      lastActionAt: applied,
      actionCount: 1,
      workaroundAppliedAt: applied,
      rung: 0,
      workaroundImage: swap,
    };
    const leak = leaking({ evidence: { from: applied + hour, to: now, pointsUsed: 1200, restarts: 0 } });
    return plan(
      input(
        [
          target({
            facts: {
              image,
              version: versionFromImage(image),
              container: 'instance-manager',
              workload: deployment,
              env: {},
            },
            verdict: leak,
            state,
          }),
        ],
        {
          profile: { knownIssues: [], ladder: ['workaround', 'upgrade-pr'], revertWorkaroundIfIneffective: true },
          guardrails: { maxActionsPerRun: 2 },
        },
      ),
    );
  }

  it('when the leak goes on under the hotfix: puts back the image it replaced, from the state', () => {
    const revert = actions(planAfter(hotfix)).find((a) => a.kind === 'revert-workaround');
    expect(revert?.details.revert?.image).toEqual(swap);
    expect(revert?.reason).toBe('the hotfix image did not stop the leak; reverting it');
  });

  it('the next rung proposes the upgrade from the version the hotfix stands in for, noting the hotfix', () => {
    const upgrade = actions(planAfter(hotfix)).find((a) => a.kind === 'upgrade-pr');
    expect(upgrade?.details.upgrade).toMatchObject({ fromVersion: '1.11.0', toVersion: '1.11.1', hotfix: swap });
  });

  it('not when the pods no longer run the hotfix (an upgrade replaced it): nothing to undo', () => {
    expect(
      actions(planAfter('longhornio/longhorn-instance-manager:v1.11.1')).filter((a) => a.kind === 'revert-workaround'),
    ).toEqual([]);
  });
});

describe('state around an image swap', () => {
  const [action] = actions(planFor(affected));
  it('the intent carries the swap, and its completion remembers it for the revert; the revert forgets it', () => {
    const withIntent = stateWithIntent(action!, target().state, now);
    expect(withIntent.intent?.image).toEqual(action!.details.image);
    const done = stateAfter(action!, withIntent, now);
    expect(done.workaroundImage).toEqual(action!.details.image);
    const revert: PlanAction = {
      ...action!,
      kind: 'revert-workaround',
      id: 'r1',
      details: { ...action!.details, revert: { image: action!.details.image! } },
    };
    expect(stateAfter(revert, done, now + hour).workaroundImage).toBeNull();
  });
});
