import { describe, expect, it } from 'vitest';
import { builtinKnownIssues } from './builtin.js';
import { buildCatalog, matchKnownIssues, type KnownIssueMatch } from './catalog.js';
import type { PodView } from './condition.js';
import { checkImage } from './describe.js';

const catalog = buildCatalog();

interface Row {
  id: string;
  /** The repository as an operator's pod names it, without tag. */
  repository: string;
  container: string;
  affected: string;
  /** The upgrade target the project's rule allows, or the reason none is proposed. */
  target: string | { blocked: RegExp };
  firstFixed: string;
  lowerUnaffected: string;
  /** Conditional entries: the condition a match must say it could not check. */
  unchecked?: string;
}

// One row per line of KNOWN-LEAKS.md.
const rows: Row[] = [
  {
    id: 'rook-operator-leak-1.14',
    repository: 'rook/ceph',
    container: 'rook-ceph-operator',
    affected: 'v1.14.9',
    target: '1.15.9',
    firstFixed: 'v1.15.9',
    lowerUnaffected: 'v1.13.10',
  },
  {
    id: 'cert-manager-cainjector-logger-leak-1.12',
    repository: 'quay.io/jetstack/cert-manager-cainjector',
    container: 'cert-manager-cainjector',
    affected: 'v1.12.1',
    target: '1.12.3',
    firstFixed: 'v1.12.3',
    lowerUnaffected: 'v1.11.4',
  },
  {
    id: 'cert-manager-controller-scheduler-leak',
    repository: 'quay.io/jetstack/cert-manager-controller',
    container: 'cert-manager',
    affected: 'v1.4.1',
    target: '1.4.2',
    firstFixed: 'v1.3.2',
    lowerUnaffected: 'v0.15.2',
  },
  {
    id: 'argocd-otel-interceptor-leak-2.8',
    repository: 'quay.io/argoproj/argocd',
    container: 'argocd-server',
    affected: 'v2.8.1',
    target: '2.8.2',
    firstFixed: 'v2.8.2',
    lowerUnaffected: 'v2.7.14',
  },
  {
    id: 'argocd-destination-slash-leak',
    repository: 'argoproj/argocd',
    container: 'argocd-application-controller',
    affected: 'v1.8.4',
    target: '1.8.6',
    firstFixed: 'v1.7.13',
    lowerUnaffected: 'v1.5.8',
    unchecked: 'an Application whose spec.destination.server ends in "/"',
  },
  {
    id: 'argocd-repo-server-cmp-leak-2.13',
    repository: 'quay.io/argoproj/argocd',
    container: 'argocd-repo-server',
    affected: 'v2.13.1',
    target: '2.13.2',
    firstFixed: 'v2.13.2',
    lowerUnaffected: 'v2.12.9',
    unchecked: 'Config Management Plugin sidecars on the repo-server',
  },
  {
    id: 'keda-operator-prometheus-scaler-leak',
    repository: 'ghcr.io/kedacore/keda',
    container: 'keda-operator',
    affected: '2.11.2',
    target: '2.13.0',
    firstFixed: '2.13.0',
    lowerUnaffected: '2.9.1',
  },
  {
    id: 'keda-metrics-apiserver-logger-leak',
    repository: 'ghcr.io/kedacore/keda-metrics-apiserver',
    container: 'keda-metrics-apiserver',
    affected: '2.1.0',
    target: '2.2.0',
    firstFixed: '2.2.0',
    lowerUnaffected: '1.5.0',
  },
  {
    id: 'external-secrets-gcp-iam-client-leak',
    repository: 'ghcr.io/external-secrets/external-secrets',
    container: 'external-secrets',
    affected: 'v0.6.1',
    target: '0.7.2',
    firstFixed: 'v0.7.2',
    lowerUnaffected: 'v0.5.9',
    unchecked: 'a GCP Secret Manager store using Workload Identity',
  },
  {
    id: 'longhorn-instance-manager-proxy-leak-1.11.0',
    repository: 'longhornio/longhorn-instance-manager',
    container: 'instance-manager',
    affected: 'v1.11.0',
    target: '1.11.1',
    firstFixed: 'v1.11.1',
    lowerUnaffected: 'v1.10.2',
  },
  {
    id: 'calico-kube-controllers-lb-ipam-leak',
    repository: 'quay.io/calico/kube-controllers',
    container: 'calico-kube-controllers',
    affected: 'v3.30.7',
    target: '3.31.5',
    firstFixed: 'v3.31.5',
    lowerUnaffected: 'v3.29.6',
    unchecked: 'Calico LoadBalancer IP address management',
  },
  {
    id: 'calico-felix-ifacestoarp-leak',
    repository: 'quay.io/calico/node',
    container: 'calico-node',
    affected: 'v3.31.2',
    target: '3.31.5',
    firstFixed: 'v3.31.5',
    lowerUnaffected: 'v3.31.0',
    unchecked: 'frequent interface and pod churn on the node',
  },
  {
    id: 'cluster-autoscaler-deletion-tracker-leak',
    repository: 'registry.k8s.io/autoscaling/cluster-autoscaler',
    container: 'cluster-autoscaler',
    affected: 'v1.29.3',
    target: { blocked: /the fix needs Kubernetes ≥ 1\.30 .*upgrade Kubernetes first/ },
    firstFixed: 'v1.30.0',
    lowerUnaffected: 'v1.25.3',
  },
];

function only(image: string, container: string, pod?: PodView): KnownIssueMatch[] {
  return matchKnownIssues(catalog, image, { container, ...(pod ? { pod } : {}) });
}

describe('the built-in catalogue', () => {
  it('has one entry per row of KNOWN-LEAKS.md, each with sources and the day it was checked', () => {
    expect(builtinKnownIssues.map((entry) => entry.id).sort()).toEqual(rows.map((row) => row.id).sort());
    for (const entry of catalog.entries) {
      expect(entry.sources.length, entry.id).toBeGreaterThan(0);
      expect(entry.checked, entry.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  describe.each(rows)('$id', (row) => {
    it(`matches ${row.repository}:${row.affected}, quoting its source and the day it was checked`, () => {
      const [match, ...others] = only(`${row.repository}:${row.affected}`, row.container);
      expect(others).toEqual([]);
      expect(match?.issue.id).toBe(row.id);
      expect(match?.explanation).toMatch(/; source [^;]+, checked \d{4}-\d{2}-\d{2}$/);
    });

    it(`does not match the first fixed release ${row.firstFixed} nor the unaffected ${row.lowerUnaffected}`, () => {
      expect(only(`${row.repository}:${row.firstFixed}`, row.container)).toEqual([]);
      expect(only(`${row.repository}:${row.lowerUnaffected}`, row.container)).toEqual([]);
    });

    it('proposes the nearest fixed release the project allows, or says why none', () => {
      const [match] = only(`${row.repository}:${row.affected}`, row.container);
      if (typeof row.target === 'string') {
        expect(match?.targetVersion).toBe(row.target);
        expect(match?.blocked).toBeNull();
      } else {
        expect(match?.targetVersion).toBeNull();
        expect(match?.blocked).toMatch(row.target.blocked);
      }
    });

    it(
      row.unchecked ? 'says the issue is only possible when its condition cannot be checked' : 'is claimed as certain',
      () => {
        const [match] = only(`${row.repository}:${row.affected}`, row.container);
        if (row.unchecked) {
          expect(match?.certainty).toBe('possible');
          expect(match?.explanation).toContain(`known issue possible: ${row.unchecked} could not be checked`);
        } else {
          expect(match?.certainty).toBe('certain');
          expect(match?.explanation).toContain(`is affected by ${row.id}`);
        }
      },
    );
  });
});

describe('upgrade rules', () => {
  const target = (image: string, container = 'x') => only(image, container)[0];

  it('Rook and Longhorn: one minor at a time, never past the next minor', () => {
    expect(target('rook/ceph:v1.14.0')?.targetVersion).toBe('1.15.9');
    expect(target('rook/ceph:v1.16.2')?.targetVersion).toBe('1.16.5');
    expect(target('longhornio/longhorn-instance-manager:v1.11.0')?.issue.upgrade.caveat).toContain(
      'downgrades are not supported',
    );
  });

  it('cert-manager: a fix backported to two minors is reached from each, a 0.x release has no one-step fix', () => {
    expect(target('quay.io/jetstack/cert-manager-controller:v1.2.0', 'cert-manager')?.targetVersion).toBe('1.3.2');
    expect(target('quay.io/jetstack/cert-manager-controller:v1.3.1', 'cert-manager')?.targetVersion).toBe('1.3.2');
    const old = target('quay.io/jetstack/cert-manager-controller:v0.16.1', 'cert-manager');
    expect(old?.targetVersion).toBeNull();
    expect(old?.blocked).toBe(
      'no fixed release within one minor version of 0.16.1 (fixed in 1.3.2 / 1.4.2 / 1.5.0): plan the intermediate upgrades',
    );
  });

  it('Argo CD: skips minors to the nearest fix and links the upgrade notes of every minor crossed', () => {
    const match = target('argoproj/argocd:v1.6.2', 'argocd-application-controller');
    expect(match?.targetVersion).toBe('1.7.13');
    expect(match?.upgradeNotes).toEqual([
      {
        title: 'upgrade notes 1.6 → 1.7',
        url: 'https://argo-cd.readthedocs.io/en/stable/operator-manual/upgrading/1.6-1.7/',
      },
    ]);
    expect(target('quay.io/argoproj/argocd:v2.8.0', 'argocd-server')?.upgradeNotes).toEqual([]);
  });

  it('cluster-autoscaler: proposes no bump that would break the Kubernetes minor match', () => {
    for (const version of ['1.26.0', '1.27.5', '1.28.2', '1.29.0']) {
      const match = target(`registry.k8s.io/autoscaling/cluster-autoscaler:v${version}`);
      expect(match?.targetVersion, version).toBeNull();
      expect(match?.blocked).toContain('the fix needs Kubernetes ≥ 1.30');
    }
  });

  it('external-secrets: the newest supported line', () => {
    expect(target('ghcr.io/external-secrets/external-secrets:v0.6.0')?.targetVersion).toBe('0.7.2');
    expect(target('ghcr.io/external-secrets/external-secrets:v0.6.0')?.issue.upgrade.caveat).toContain(
      'read the release notes',
    );
  });
});

describe('conditions and components', () => {
  const repoServer = 'quay.io/argoproj/argocd:v2.13.1';

  it('claims the CMP leak as certain when a sidecar runs argocd-cmp-server, and not at all when none does', () => {
    const withSidecar = only(repoServer, 'argocd-repo-server', {
      container: 'argocd-repo-server',
      commands: { 'argocd-repo-server': ['argocd-repo-server'], avp: ['/var/run/argocd/argocd-cmp-server'] },
    });
    expect(withSidecar[0]?.certainty).toBe('certain');
    expect(withSidecar[0]?.explanation).toContain('seen: Config Management Plugin sidecars on the repo-server');
    expect(
      only(repoServer, 'argocd-repo-server', {
        container: 'argocd-repo-server',
        commands: { 'argocd-repo-server': ['argocd-repo-server'] },
      }),
    ).toEqual([]);
  });

  it('one image, several components: the 2.8 interceptor leak is not the repo-server, the CMP leak is not the server', () => {
    expect(only('quay.io/argoproj/argocd:v2.8.1', 'argocd-repo-server')).toEqual([]);
    expect(only(repoServer, 'argocd-server')).toEqual([]);
    expect(matchKnownIssues(catalog, 'quay.io/argoproj/argocd:v2.8.1').map((m) => m.issue.id)).toEqual([
      'argocd-otel-interceptor-leak-2.8',
    ]);
  });

  it('Longhorn: the official hotfix image is the workaround in place, not the leak', () => {
    expect(only('longhornio/longhorn-instance-manager:v1.11.0-hotfix-1', 'instance-manager')).toEqual([]);
    expect(only('longhornio/longhorn-instance-manager:v1.11.0', 'instance-manager')[0]?.explanation).toContain(
      'workaround official hotfix image tag v1.11.0-hotfix-1 (for 1.11.0 only)',
    );
  });

  it('Longhorn: `catalog check` says leakguard sets the hotfix in a pod template, and where you set it on InstanceManager pods', () => {
    const [match] = checkImage(catalog, 'longhornio/longhorn-instance-manager:v1.11.0').matches;
    expect(match?.remedies).toContain(
      "workaround: official hotfix image tag v1.11.0-hotfix-1 (for 1.11.0 only); leakguard sets it in the pod template (never over a digest); on another operator's pods, set it in the Helm value image.longhorn.instanceManager.tag (with manifests: the instance-manager image in the manifest), then upgrade the release",
    );
  });

  it('every entry names its chart and the images released with it, and its own image is one of them', () => {
    for (const entry of catalog.entries) {
      expect(entry.chart, entry.id).toBeTruthy();
      expect(entry.components.length, entry.id).toBeGreaterThan(0);
      expect(
        entry.components.some((c) => entry.images.some((image) => c.endsWith(image) || image.endsWith(c))),
        entry.id,
      ).toBe(true);
    }
  });

  it('`catalog check` names the chart and the images that move together', () => {
    const [match] = checkImage(catalog, 'ghcr.io/kedacore/keda:2.12.0').matches;
    expect(match?.remedies).toContain(
      'release: chart keda; images released together: ghcr.io/kedacore/keda, ghcr.io/kedacore/keda-metrics-apiserver, ghcr.io/kedacore/keda-admission-webhooks',
    );
  });

  it('calico-node and Longhorn forbid automatic restarts', () => {
    const forbidding = catalog.entries
      .filter((entry) => entry.restarts === 'notify-and-pr-only')
      .map((entry) => entry.id);
    expect(forbidding).toEqual(['longhorn-instance-manager-proxy-leak-1.11.0', 'calico-felix-ifacestoarp-leak']);
  });
});
