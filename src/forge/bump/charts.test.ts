/**
 * The catalogue's other operators, in the layouts their users have (written for these tests, shaped
 * like public platform repos): charts versioned apart from their app, Helmfile, umbrella charts,
 * ApplicationSets, nested image maps, Terraform and vendored releases.
 */
import { describe, expect, it } from 'vitest';
import { ARGO_CD_RELEASES, memoryChartSource } from '../../../test/support/chart-releases.js';
import { changedLines } from '../../../test/support/gitops-files.js';
import { BumpError, bumpFile, bumpInRepo, type BumpRequest, type RepoBump } from './index.js';

const ARGO_HELM = 'https://argoproj.github.io/argo-helm';
const argo = memoryChartSource({
  [ARGO_HELM]: { 'argo-cd': ARGO_CD_RELEASES },
  'oci://ghcr.io/argoproj/argo-helm': { 'argo-cd': ARGO_CD_RELEASES },
});
const argoReq: BumpRequest = {
  fromVersion: '2.13.1',
  toVersion: '2.13.2',
  image: 'quay.io/argoproj/argocd',
  chart: 'argo-cd',
  rule: 'minor-skips-with-notes',
};

/** Bumps `files[primary]` as the forge would, reading the other files on demand. */
async function bump(
  files: Record<string, string>,
  primary: string,
  req: BumpRequest,
  source = argo,
): Promise<RepoBump<{ text: string }>> {
  return bumpInRepo(primary, async (p) => (files[p] === undefined ? null : { text: files[p] }), req, source);
}

async function diffOf(
  files: Record<string, string>,
  primary: string,
  req: BumpRequest = argoReq,
  source = argo,
): Promise<string[]> {
  const out = await bump(files, primary, req, source);
  if (out.kind !== 'bumped') throw new Error(`expected a bump, got ${out.kind}`);
  return out.result.files.flatMap((f) => changedLines(files[f.path] ?? '', f.content, `${f.path}: `));
}

async function refusalOf(promise: Promise<unknown>): Promise<BumpError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof BumpError) return err;
    throw err;
  }
  throw new Error('expected a BumpError');
}

const APPLICATION = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: argocd
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${ARGO_HELM}
    chart: argo-cd
    targetRevision: 7.7.8 # app v2.13.1
    helm:
      releaseName: argocd
      valuesObject:
        configs:
          params:
            server.insecure: true
  destination:
    server: https://kubernetes.default.svc
    namespace: argocd
`;

describe('a chart versioned apart from its app: the chart repository says which release ships the fix', () => {
  it('Argo CD Application: argo-cd 7.7.8 (2.13.1) → 7.7.10, the first release that ships 2.13.2', async () => {
    expect(await diffOf({ 'argocd/app.yaml': APPLICATION }, 'argocd/app.yaml')).toEqual([
      'argocd/app.yaml: -    targetRevision: 7.7.8 # app v2.13.1',
      'argocd/app.yaml: +    targetRevision: 7.7.10 # app v2.13.1',
    ]);
  });

  it('a rerun finds 7.7.10 already shipping 2.13.2: nothing to do', async () => {
    const bumped = APPLICATION.replace('7.7.8', '7.7.10');
    expect((await bump({ 'app.yaml': bumped }, 'app.yaml', argoReq)).kind).toBe('already');
  });

  it('ApplicationSet with multiple sources (chart + values from this repository): the chart and the values file move', async () => {
    const appset = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: argocd
spec:
  generators:
    - clusters: {}
  template:
    metadata:
      name: '{{name}}-argocd'
    spec:
      project: platform
      sources:
        - repoURL: ghcr.io/argoproj/argo-helm
          chart: argo-cd
          targetRevision: "7.7.8"
          helm:
            valueFiles: [$values/argocd/values.yaml]
        - repoURL: https://github.com/acme/platform.git
          targetRevision: main
          ref: values
      destination:
        server: '{{server}}'
        namespace: argocd
`;
    const values = 'global:\n  image:\n    tag: v2.13.1 # the CMP sidecar is built FROM it\n';
    const files = { 'appset.yaml': appset, 'argocd/values.yaml': values };
    expect(await diffOf(files, 'appset.yaml', { ...argoReq, repository: 'acme/platform' })).toEqual([
      'appset.yaml: -          targetRevision: "7.7.8"',
      'appset.yaml: +          targetRevision: "7.7.10"',
      'argocd/values.yaml: -    tag: v2.13.1 # the CMP sidecar is built FROM it',
      'argocd/values.yaml: +    tag: v2.13.2 # the CMP sidecar is built FROM it',
    ]);
    expect(argo.asked).toContain('versions oci://ghcr.io/argoproj/argo-helm argo-cd');
  });

  it('Flux HelmRelease with its HelmRepository in the same file', async () => {
    const text = `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: argo
  namespace: flux-system
spec:
  interval: 2h
  url: ${ARGO_HELM}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: argocd
spec:
  interval: 30m
  chart:
    spec:
      chart: argo-cd
      version: 7.7.8
      sourceRef:
        kind: HelmRepository
        name: argo
        namespace: flux-system
  values:
    global:
      image:
        tag: v2.13.1
`;
    expect(await diffOf({ 'hr.yaml': text }, 'hr.yaml')).toEqual([
      'hr.yaml: -      version: 7.7.8',
      'hr.yaml: +      version: 7.7.10',
      'hr.yaml: -        tag: v2.13.1',
      'hr.yaml: +        tag: v2.13.2',
    ]);
  });

  it('kustomize helmCharts[].repo, and the image tag in its valuesFile', async () => {
    const text = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: argocd
helmCharts:
  - name: argo-cd
    repo: ${ARGO_HELM}
    version: 7.7.8
    releaseName: argocd
    valuesFile: values.yaml
`;
    const values = 'global:\n  image:\n    tag: v2.13.1\n';
    expect(await diffOf({ 'kustomization.yaml': text, 'values.yaml': values }, 'kustomization.yaml')).toEqual([
      'kustomization.yaml: -    version: 7.7.8',
      'kustomization.yaml: +    version: 7.7.10',
      'values.yaml: -    tag: v2.13.1',
      'values.yaml: +    tag: v2.13.2',
    ]);
  });

  it('Helmfile: repositories + releases', async () => {
    const text = `repositories:
  - name: argo
    url: ${ARGO_HELM}
  - name: jetstack
    url: https://charts.jetstack.io

releases:
  - name: argocd
    namespace: argocd
    chart: argo/argo-cd
    version: 7.7.8
    values:
      - values/argocd.yaml
  - name: cert-manager
    namespace: cert-manager
    chart: jetstack/cert-manager
    version: v1.12.2
`;
    const values = `global:
  domain: argocd.example.com
  image:
    tag: v2.13.1
configs:
  params:
    server.insecure: true
`;
    expect(await diffOf({ 'helmfile.yaml': text, 'values/argocd.yaml': values }, 'helmfile.yaml')).toEqual([
      'helmfile.yaml: -    version: 7.7.8',
      'helmfile.yaml: +    version: 7.7.10',
      'values/argocd.yaml: -    tag: v2.13.1',
      'values/argocd.yaml: +    tag: v2.13.2',
    ]);
  });

  it("umbrella Chart.yaml: the dependency moves, the chart's own version and appVersion do not", async () => {
    const text = `apiVersion: v2
name: platform-argocd
description: Argo CD with our defaults
type: application
version: 0.4.2
appVersion: "2.13.1"
dependencies:
  - name: argo-cd
    version: 7.7.8
    repository: ${ARGO_HELM}
`;
    expect(await diffOf({ 'charts/argocd/Chart.yaml': text }, 'charts/argocd/Chart.yaml')).toEqual([
      'charts/argocd/Chart.yaml: -    version: 7.7.8',
      'charts/argocd/Chart.yaml: +    version: 7.7.10',
    ]);
  });

  it('an unreachable chart repository: refused, naming the chart pin and the release to pick', async () => {
    const dead = APPLICATION.replace(ARGO_HELM, 'https://charts.internal.example');
    const err = await refusalOf(bump({ 'app.yaml': dead }, 'app.yaml', argoReq));
    expect(err.message).toBe(
      'app.yaml: Application/argocd spec.source.targetRevision "7.7.8" pins chart argo-cd, versioned apart from the app; the chart release that ships 2.13.2 could not be looked up (https://charts.internal.example: connect ECONNREFUSED). Set it to the argo-cd release whose appVersion is 2.13.2 yourself',
    );
  });

  it('the pinned chart ships another app version than the one running: nothing is changed', async () => {
    const err = await refusalOf(bump({ 'app.yaml': APPLICATION.replace('7.7.8', '7.8.0') }, 'app.yaml', argoReq));
    expect(err.message).toContain(
      'pins chart argo-cd 7.8.0, which ships app v2.14.0 according to https://argoproj.github.io/argo-helm, not the running 2.13.1',
    );
  });

  it('one minor at a time applies to chart versions too', async () => {
    const source = memoryChartSource({
      [ARGO_HELM]: {
        'argo-cd': [
          ['7.7.8', '2.13.1'],
          ['7.9.0', '2.13.2'],
        ],
      },
    });
    const err = await refusalOf(
      bump({ 'app.yaml': APPLICATION }, 'app.yaml', { ...argoReq, rule: 'one-minor-at-a-time' }, source),
    );
    expect(err.message).toContain(
      'the first argo-cd release that ships 2.13.2 is 7.9.0, more than one minor version of the chart above 7.7.8',
    );
  });

  it('without chart lookups (bumpFile), the pin is still named rather than "not found"', async () => {
    const err = await refusalOf(bumpInRepo('app.yaml', async () => ({ text: APPLICATION }), argoReq));
    expect(err.message).toContain('Application/argocd spec.source.targetRevision "7.7.8" pins chart argo-cd');
  });

  it('a chart pinned at the app version (Rook) asks the repository nothing', async () => {
    const source = memoryChartSource({});
    const text =
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: rook-ceph}\nspec:\n  chart:\n    spec: {chart: rook-ceph, version: v1.14.9, sourceRef: {kind: HelmRepository, name: rook}}\n';
    const out = await bump(
      { 'hr.yaml': text },
      'hr.yaml',
      { fromVersion: '1.14.9', toVersion: '1.15.9', chart: 'rook-ceph' },
      source,
    );
    expect(out.kind).toBe('bumped');
    expect(source.asked).toEqual([]);
  });
});

describe('layouts of the second set', () => {
  const rookReq: BumpRequest = { fromVersion: '2.8.4', toVersion: '2.8.6', image: 'quay.io/argoproj/argocd' };

  it('kustomize remote in the scp-like form github.com:org/repo.git/path?ref=', () => {
    const text = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: argocd
resources:
  - github.com:argoproj/argo-cd.git/manifests/cluster-install?ref=v2.8.4
  - ./argocd-cm.yaml
`;
    const r = bumpFile(text, { ...rookReq, fileName: 'argocd/kustomization.yaml' });
    expect(changedLines(text, r.content)).toEqual([
      '-  - github.com:argoproj/argo-cd.git/manifests/cluster-install?ref=v2.8.4',
      '+  - github.com:argoproj/argo-cd.git/manifests/cluster-install?ref=v2.8.6',
    ]);
  });

  it('Terraform helm_release: refused as HCL, naming the version line', () => {
    const tf = `resource "helm_release" "external_secrets" {
  name       = "external-secrets"
  repository = "https://charts.external-secrets.io"
  chart      = "external-secrets"
  namespace  = "external-secrets"
  version    = "0.7.1"

  set {
    name  = "installCRDs"
    value = "true"
  }
}
`;
    expect(() => bumpFile(tf, { fromVersion: '0.7.1', toVersion: '0.7.2', fileName: 'infra/helm.tf' })).toThrow(
      'infra/helm.tf is Terraform (HCL), which leakguard does not edit: line 6: version    = "0.7.1" (resource "helm_release" "external_secrets"). Change the version there yourself',
    );
  });

  it('KEDA nested image map: operator, metrics-apiserver and webhooks move together', () => {
    const values = `image:
  keda:
    registry: ghcr.io
    repository: kedacore/keda
    tag: "2.12.0"
  metricsApiServer:
    registry: ghcr.io
    repository: kedacore/keda-metrics-apiserver
    tag: "2.12.0"
  webhooks:
    registry: ghcr.io
    repository: kedacore/keda-admission-webhooks
    tag: "2.12.0"
  pullPolicy: Always
`;
    const kedaReq = {
      fromVersion: '2.12.0',
      toVersion: '2.13.0',
      image: 'ghcr.io/kedacore/keda',
      moveTogether: ['kedacore/keda-metrics-apiserver', 'kedacore/keda-admission-webhooks'],
      fileName: 'keda/values.yaml',
    };
    const r = bumpFile(values, kedaReq);
    expect(r.changes.map((c) => `${c.path} ${c.from} → ${c.to}`)).toEqual([
      'image.keda.tag 2.12.0 → 2.13.0',
      'image.metricsApiServer.tag 2.12.0 → 2.13.0',
      'image.webhooks.tag 2.12.0 → 2.13.0',
    ]);
    expect(changedLines(values, r.content)).toHaveLength(6);
  });

  it('Longhorn nested image map with one component at another version: refused as a mixed install', () => {
    const values = `image:
  longhorn:
    engine: {repository: longhornio/longhorn-engine, tag: v1.11.0}
    manager: {repository: longhornio/longhorn-manager, tag: v1.11.0}
    ui: {repository: longhornio/longhorn-ui, tag: v1.10.2}
    instanceManager: {repository: longhornio/longhorn-instance-manager, tag: v1.11.0}
`;
    const group = [
      'longhornio/longhorn-engine',
      'longhornio/longhorn-manager',
      'longhornio/longhorn-ui',
      'longhornio/longhorn-instance-manager',
    ];
    const req = {
      fromVersion: '1.11.0',
      toVersion: '1.11.1',
      image: 'longhornio/longhorn-instance-manager',
      moveTogether: group,
      fileName: 'values.yaml',
    };
    expect(() => bumpFile(values, req)).toThrow(
      'image.longhorn.ui.tag "v1.10.2": longhornio/longhorn-ui is released together with longhornio/longhorn-instance-manager and is at v1.10.2, not 1.11.0: moving only some components would leave a mixed-version install',
    );
    const aligned = bumpFile(values.replace('v1.10.2', 'v1.11.0'), req);
    expect(aligned.changes.map((c) => c.path)).toEqual([
      'image.longhorn.engine.tag',
      'image.longhorn.manager.tag',
      'image.longhorn.ui.tag',
      'image.longhorn.instanceManager.tag',
    ]);
  });

  it('a tag at the running version among the moving components, of an image not listed with them: refused, named', () => {
    const values = `image:
  longhorn:
    manager: {repository: longhornio/longhorn-manager, tag: v1.11.0}
    instanceManager: {repository: longhornio/longhorn-instance-manager, tag: v1.11.0}
    objectEndpoint: {repository: longhornio/longhorn-object-endpoint, tag: v1.11.0}
  csi:
    attacher: {repository: longhornio/csi-attacher, tag: v1.11.0}
`;
    const req = {
      fromVersion: '1.11.0',
      toVersion: '1.11.1',
      image: 'longhornio/longhorn-instance-manager',
      moveTogether: ['longhornio/longhorn-manager', 'longhornio/longhorn-instance-manager'],
      fileName: 'values.yaml',
    };
    const err = (() => {
      try {
        bumpFile(values, req);
      } catch (e) {
        return e as BumpError;
      }
      throw new Error('expected a refusal');
    })();
    expect(err.message).toContain(
      'image.longhorn.objectEndpoint.tag "v1.11.0": longhornio/longhorn-object-endpoint is not the operator\'s image (longhornio/longhorn-instance-manager), yet it sits among the components that move (image.longhorn.*) at the same version',
    );
    // Another map (image.csi) at the same version by chance is not the release: it is not named.
    expect(err.message).not.toContain(
      'image.csi.attacher.tag "v1.11.0": longhornio/csi-attacher is not the operator\'s image (longhornio/longhorn-instance-manager), yet',
    );
  });

  it('Helm parameter overrides (Helmfile set, Argo CD helm.parameters) move with the chart: they win over values', async () => {
    const helmfile = `repositories:
  - name: argo
    url: ${ARGO_HELM}
releases:
  - name: argocd
    chart: argo/argo-cd
    version: 7.7.8
    set:
      - name: global.image.repository
        value: quay.io/argoproj/argocd
      - name: global.image.tag
        value: v2.13.1
      - name: redis.image.tag
        value: 7.4.1
`;
    expect(await diffOf({ 'helmfile.yaml': helmfile }, 'helmfile.yaml')).toEqual([
      'helmfile.yaml: -    version: 7.7.8',
      'helmfile.yaml: +    version: 7.7.10',
      'helmfile.yaml: -        value: v2.13.1',
      'helmfile.yaml: +        value: v2.13.2',
    ]);
    // The override alone (the chart pinned elsewhere) is still the operator's version to move.
    const onlySet = helmfile.replace('    version: 7.7.8\n', '');
    expect(await diffOf({ 'helmfile.yaml': onlySet }, 'helmfile.yaml')).toEqual([
      'helmfile.yaml: -        value: v2.13.1',
      'helmfile.yaml: +        value: v2.13.2',
    ]);
  });

  it('a vendored release manifest without the running image: refused whole, not 1 of N strings', () => {
    const doc = (kind: string, name: string, extra = '') =>
      `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  labels: {app.kubernetes.io/version: v1.11.0}\n${extra}`;
    const deploy = (name: string, image: string) =>
      doc(
        'Deployment',
        name,
        `spec:\n  template:\n    spec:\n      containers:\n        - name: ${name}\n          image: ${image}\n`,
      ).replace('apiVersion: v1', 'apiVersion: apps/v1');
    const text = [
      doc('CustomResourceDefinition', 'volumes.longhorn.io').replace(
        'apiVersion: v1',
        'apiVersion: apiextensions.k8s.io/v1',
      ),
      doc('ClusterRole', 'longhorn-role').replace('apiVersion: v1', 'apiVersion: rbac.authorization.k8s.io/v1'),
      doc('ServiceAccount', 'longhorn-service-account'),
      deploy('longhorn-driver-deployer', 'longhornio/longhorn-manager:v1.11.0'),
      deploy('longhorn-ui', 'longhornio/longhorn-ui:v1.11.0'),
    ].join('---\n');
    expect(() => bumpFile(text, { fromVersion: '1.11.0', toVersion: '1.11.1', fileName: 'longhorn.yaml' })).toThrow(
      /^longhorn\.yaml is a whole vendored release \(5 documents, with CustomResourceDefinition, ClusterRole, Deployment\): 1\.11\.0 appears in 7 places and leakguard would change 2, leaving a half-upgraded install/,
    );
    // With the running image and its release group, the engine image passed as an argument would still stay behind.
    const withArgs = text.replace(
      '          image: longhornio/longhorn-manager:v1.11.0\n',
      '          image: longhornio/longhorn-manager:v1.11.0\n          args: [--engine-image, "longhornio/longhorn-engine:v1.11.0"]\n',
    );
    const group = {
      image: 'longhornio/longhorn-manager',
      moveTogether: ['longhornio/longhorn-manager', 'longhornio/longhorn-ui', 'longhornio/longhorn-engine'],
    };
    expect(() =>
      bumpFile(withArgs.replaceAll('{app.kubernetes.io/version: v1.11.0}', '{}'), {
        fromVersion: '1.11.0',
        toVersion: '1.11.1',
        fileName: 'longhorn.yaml',
        ...group,
      }),
    ).toThrow('appears in 3 places and leakguard would change 2');
    expect(
      bumpFile(text.replaceAll('{app.kubernetes.io/version: v1.11.0}', '{}'), {
        fromVersion: '1.11.0',
        toVersion: '1.11.1',
        fileName: 'longhorn.yaml',
        ...group,
      }).changes,
    ).toHaveLength(2);
  });
});
