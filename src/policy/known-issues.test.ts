import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../catalog/catalog.js';
import { versionFromImage } from '../catalog/image.js';
import { plan } from './plan.js';
import type { Plan, PlanAction, PlanSkip } from './types.js';
import { input, target } from '../../test/support/policy-fixtures.js';

const actions = (p: Plan) => p.items.filter((item): item is PlanAction => item.type === 'action');
const skips = (p: Plan) => p.items.filter((item): item is PlanSkip => item.type === 'skip');

/** A leaking target of another operator, planned with the whole catalogue and the given ladder. */
function planFor(
  image: string,
  container: string,
  ladder: PlanAction['kind'][],
  kind: 'Deployment' | 'DaemonSet' = 'Deployment',
) {
  const workload = { kind, namespace: 'ops', name: container, uid: `uid-${container}` };
  const version = versionFromImage(image);
  return plan(
    input([target({ facts: { image, version, container, workload, env: {} } })], {
      profile: { knownIssues: [], ladder: ladder as never },
    }),
  );
}

describe('catalogue entries in the plan', () => {
  it('calico-node: the restart rung is passed because the entry says notify and PR only; the upgrade PR is proposed', () => {
    const result = planFor('quay.io/calico/node:v3.31.2', 'calico-node', ['restart', 'upgrade-pr'], 'DaemonSet');
    const [upgrade] = actions(result);
    expect(upgrade?.kind).toBe('upgrade-pr');
    expect(upgrade?.details.upgrade).toMatchObject({
      fromVersion: '3.31.2',
      toVersion: '3.31.5',
      rule: expect.stringContaining('two previous minor releases') as unknown,
    });
    expect(upgrade?.details.knownIssues[0]).toContain(
      'known issue possible: frequent interface and pod churn on the node could not be checked',
    );
  });

  it('calico-node with only the restart rung: ladder exhausted, saying why no restart', () => {
    const result = planFor('quay.io/calico/node:v3.31.2', 'calico-node', ['restart'], 'DaemonSet');
    expect(actions(result)).toEqual([]);
    expect(
      skips(result)
        .map((s) => s.note)
        .join('\n'),
    ).toContain('restart: known issue calico-felix-ifacestoarp-leak says notify and PR only (no automatic restart)');
  });

  it('cluster-autoscaler: no PR, and the reason names the Kubernetes version the fix needs', () => {
    const result = planFor('registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.3', 'cluster-autoscaler', [
      'upgrade-pr',
    ]);
    expect(actions(result)).toEqual([]);
    expect(
      skips(result)
        .map((s) => s.note)
        .join('\n'),
    ).toContain('the fix needs Kubernetes ≥ 1.30');
  });

  it('Argo CD 1.6: the PR step carries the upgrade notes of the minor it crosses and all sources', () => {
    const [upgrade] = actions(planFor('argoproj/argocd:v1.6.2', 'argocd-application-controller', ['upgrade-pr']));
    expect(upgrade?.details.upgrade?.toVersion).toBe('1.7.13');
    expect(upgrade?.details.upgrade?.notes?.map((n) => n.url)).toEqual([
      'https://argo-cd.readthedocs.io/en/stable/operator-manual/upgrading/1.6-1.7/',
    ]);
    expect(upgrade?.details.upgrade?.links.map((l) => l.title)).toEqual([
      'issue: argoproj/argo-cd#5578',
      'fix: argoproj/argo-cd#5604',
    ]);
  });
});

describe("pods another operator's resource manages", () => {
  it('notify only, saying why; the upgrade PR (a change in Git) is still proposed', () => {
    const workload = {
      kind: 'Pod' as const,
      namespace: 'longhorn-system',
      name: 'instance-manager-e-1a2b',
      uid: 'uid-im',
    };
    const image = 'longhornio/longhorn-instance-manager:v1.11.0';
    const foreign = (ladder: PlanAction['kind'][]) =>
      plan(
        input(
          [
            target({
              facts: {
                image,
                version: versionFromImage(image),
                container: 'instance-manager',
                workload,
                env: {},
                foreignOwner: 'InstanceManager instance-manager-e-1a2b',
              },
              pod: { name: 'instance-manager-e-1a2b' },
            }),
          ],
          { profile: { knownIssues: [], ladder: ladder as never } },
        ),
      );
    const restartOnly = foreign(['restart']);
    expect(actions(restartOnly)).toEqual([]);
    expect(skips(restartOnly).map((s) => [s.reason, s.note])).toContainEqual([
      'foreign-owner',
      'pod instance-manager-e-1a2b is managed by InstanceManager instance-manager-e-1a2b, which leakguard does not understand: notify only (restarting or patching it could fight its operator)',
    ]);
    const [upgrade] = actions(foreign(['restart', 'upgrade-pr']));
    expect(upgrade?.kind).toBe('upgrade-pr');
    expect(upgrade?.details.upgrade?.toVersion).toBe('1.11.1');
  });
});

describe('a possible known issue', () => {
  it('brings no workaround of its own (a workaround restarts pods), but its upgrade is proposed', () => {
    const catalog = buildCatalog([
      {
        id: 'acme-cache-leak',
        title: 'acme cache leak',
        images: ['acme/operator'],
        affected: ['>=2.3.0 <2.3.4'],
        fixed: ['2.3.4'],
        condition: { text: 'a cache backend in another cluster' },
        workaround: { env: { ACME_CACHE: 'off' } },
        upgrade: { rule: 'direct' },
        sources: [{ kind: 'issue', url: 'https://example.com/acme/1' }],
        checked: '2026-11-01',
      },
    ]);
    const workload = { kind: 'Deployment' as const, namespace: 'acme', name: 'acme-operator', uid: 'uid-acme' };
    const result = plan({
      ...input(
        [
          target({
            facts: { image: 'acme/operator:2.3.1', version: '2.3.1', container: 'manager', workload, env: {} },
          }),
        ],
        { profile: { knownIssues: [], ladder: ['workaround', 'upgrade-pr'] } },
      ),
      catalog,
    });
    const [upgrade] = actions(result);
    expect(upgrade?.kind).toBe('upgrade-pr');
    expect(upgrade?.details.knownIssues[0]).toContain(
      'known issue possible: a cache backend in another cluster could not be checked',
    );
  });
});
