import { describe, expect, it } from 'vitest';
import { BumpError, bumpFile, bumpOrAlready, pinsVersion } from './index.js';

const helmRelease = `# Rook operator, managed by Flux
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: rook-ceph
  namespace: rook-ceph   # keep in this namespace
spec:
  interval: 30m
  chart:
    spec:
      chart: rook-ceph
      version: "v1.14.9"  # pinned: see rook/rook#15499
      sourceRef: {kind: HelmRepository, name: rook-release}
  values:
    resources:
      limits: {memory: 512Mi}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: rook-release}
spec:
  url: https://charts.rook.io/release
`;

const argoApp = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: rook-ceph
spec:
  source:
    repoURL: https://charts.rook.io/release
    chart: rook-ceph
    targetRevision: 1.14.9
    helm:
      values: |
        # operator image
        image:
          repository: docker.io/rook/ceph
          tag: v1.14.9   # same as chart
        csi:
          enableRbdDriver: true
  destination: {server: https://kubernetes.default.svc, namespace: rook-ceph}
`;

const argoValuesObject = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: rook-ceph}
spec:
  source:
    chart: rook-ceph
    targetRevision: v1.14.9
    helm:
      valuesObject:
        image: {repository: rook/ceph, tag: 'v1.14.9'}
`;

const helmValues = `## Rook operator chart values
image:
  # -- Image
  repository: docker.io/rook/ceph
  # -- Image tag
  tag: v1.14.9
  pullPolicy: IfNotPresent
crds:
  enabled: true
`;

const kustomization = `resources:
  - operator.yaml
images:
  - name: rook/ceph
    newTag: v1.14.9 # bumped by hand last time
  - name: quay.io/cephcsi/cephcsi
    newTag: v1.14.9
`;

const plainManifests = `apiVersion: v1
kind: ConfigMap
metadata: {name: rook-ceph-operator-config}
data:
  ROOK_CSI_CEPH_IMAGE: "quay.io/cephcsi/cephcsi:v3.11.0"
---
# the operator
apiVersion: apps/v1
kind: Deployment
metadata:
  name: rook-ceph-operator
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: busybox:1.36
      containers:
        - name: rook-ceph-operator
          image: rook/ceph:v1.14.9   # operator
          args: ["ceph", "operator"]
`;

describe('bumpFile', () => {
  const cases = [
    {
      name: 'Flux HelmRelease chart version (quoted, with comment, multi-doc)',
      text: helmRelease,
      kind: 'flux-helmrelease',
      expect: helmRelease.replace('version: "v1.14.9"', 'version: "v1.15.9"'),
      paths: ['spec.chart.spec.version'],
    },
    {
      name: 'Argo CD Application targetRevision and image.tag inside helm.values',
      text: argoApp,
      kind: 'argocd-application',
      expect: argoApp
        .replace('targetRevision: 1.14.9', 'targetRevision: 1.15.9')
        .replace('tag: v1.14.9', 'tag: v1.15.9'),
      paths: ['spec.source.targetRevision', 'spec.source.helm.values.image.tag'],
    },
    {
      name: 'Argo CD Application helm.valuesObject',
      text: argoValuesObject,
      kind: 'argocd-application',
      expect: argoValuesObject.replaceAll('v1.14.9', 'v1.15.9'),
      paths: ['spec.source.targetRevision', 'spec.source.helm.valuesObject.image.tag'],
    },
    {
      name: 'Helm values image.tag',
      text: helmValues,
      kind: 'helm-values',
      expect: helmValues.replace('tag: v1.14.9', 'tag: v1.15.9'),
      paths: ['image.tag'],
    },
    {
      name: 'Kustomize images newTag, filtered by image',
      text: kustomization,
      fileName: 'clusters/prod/rook/kustomization.yaml',
      image: 'rook/ceph',
      kind: 'kustomization',
      expect: kustomization.replace('newTag: v1.14.9 #', 'newTag: v1.15.9 #'),
      paths: ['images.0.newTag'],
    },
    {
      name: 'plain multi-doc manifests: only the matching image',
      text: plainManifests,
      kind: 'manifest',
      expect: plainManifests.replace('rook/ceph:v1.14.9', 'rook/ceph:v1.15.9'),
      paths: ['spec.template.spec.containers.0.image'],
    },
  ];
  it.each(cases)('$name', (c) => {
    const r = bumpFile(c.text, { fromVersion: '1.14.9', toVersion: '1.15.9', fileName: c.fileName, image: c.image });
    expect(r.content).toBe(c.expect);
    expect(r.kind).toBe(c.kind);
    expect(r.changes.map((x) => x.path)).toEqual(c.paths);
  });

  it('keeps the v style of the original whatever the requested style', () => {
    const bare = 'image:\n  tag: 1.14.9\n';
    expect(bumpFile(bare, { fromVersion: 'v1.14.9', toVersion: 'v1.15.9' }).content).toBe('image:\n  tag: 1.15.9\n');
    const withV = 'image:\n  tag: v1.14.9\n';
    expect(bumpFile(withV, { fromVersion: '1.14.9', toVersion: '1.15.9' }).content).toBe('image:\n  tag: v1.15.9\n');
  });

  it('reports dependencies for PR de-duplication', () => {
    expect(bumpFile(helmRelease, { fromVersion: '1.14.9', toVersion: '1.15.9' }).dependencies).toEqual(['rook-ceph']);
    expect(bumpFile(plainManifests, { fromVersion: '1.14.9', toVersion: '1.15.9' }).dependencies).toEqual([
      'rook/ceph',
    ]);
    expect(bumpFile(argoApp, { fromVersion: '1.14.9', toVersion: '1.15.9' }).dependencies).toEqual([
      'rook-ceph',
      'docker.io/rook/ceph',
    ]);
  });

  it('a file without the running version is a typed error', () => {
    const other = helmRelease.replace('v1.14.9', 'v1.13.2');
    let err: unknown;
    try {
      bumpFile(other, { fromVersion: '1.14.9', toVersion: '1.15.9', fileName: 'rook/helmrelease.yaml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BumpError);
    expect((err as BumpError).code).toBe('version-not-found');
    expect((err as BumpError).message).toContain('1.14.9 not found');
    expect((err as BumpError).message).toContain('rook/helmrelease.yaml');
  });

  it('does not bump a version that only appears in a comment or an unrelated field', () => {
    const text = '# was v1.14.9\nimage:\n  tag: v1.13.0\nnote: v1.14.9\n';
    expect(() => bumpFile(text, { fromVersion: '1.14.9', toVersion: '1.15.9' })).toThrow(BumpError);
  });

  it('invalid YAML is a typed error', () => {
    expect(() => bumpFile('a: [1, 2\n', { fromVersion: '1', toVersion: '2' })).toThrow(/not valid YAML/);
  });

  // The refusal reaches Events, Slack and logs: it names the place, never the text there.
  it.each([
    ['an unknown tag', 'image:\n  tag: !vault v1.14.9\n', /line 2, column 8: a YAML tag leakguard does not read/],
    [
      'an unknown tag handle',
      'image:\n  tag: !s3cr3t!x v1.14.9\n',
      /line 2, column 8: a YAML tag leakguard does not read/,
    ],
    [
      'an alias to no anchor',
      'image:\n  tag: v1.14.9\n  pullSecret: *s3cr3t-alias\n',
      /line 3, column 15: an alias names no anchor defined before it/,
    ],
  ])('%s in a GitOps file: refused as invalid YAML, without quoting it', (_name, text, message) => {
    let error: unknown;
    try {
      bumpFile(text, { fromVersion: '1.14.9', toVersion: '1.15.9' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BumpError);
    expect((error as BumpError).code).toBe('invalid-yaml');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/s3cr3t|vault/);
  });

  it('pinsVersion sees an earlier bump', () => {
    const bumped = bumpFile(helmRelease, { fromVersion: '1.14.9', toVersion: '1.15.9' }).content;
    expect(pinsVersion(bumped, '1.15.9')).toBe(true);
    expect(pinsVersion(bumped, '1.14.9')).toBe(false);
  });
});

describe('image filter', () => {
  const text = 'spec:\n  containers:\n    - image: rook/ceph:v1.14.9\n    - image: quay.io/other/ceph:v1.14.9\n';
  it.each([
    ['docker.io/rook/ceph', 1],
    ['rook/ceph', 1],
    ['index.docker.io/rook/ceph', 1],
    ['ceph', 2],
    ['quay.io/other/ceph', 1],
    ['cert-manager/controller', 0],
  ])('filter %s bumps %i image(s)', (image, count) => {
    if (count === 0)
      expect(() => bumpFile(text, { fromVersion: '1.14.9', toVersion: '1.15.9', image })).toThrow(BumpError);
    else expect(bumpFile(text, { fromVersion: '1.14.9', toVersion: '1.15.9', image }).changes).toHaveLength(count);
  });
});

describe('bumpOrAlready', () => {
  const req = { fromVersion: '1.14.9', toVersion: '1.15.9' };
  it('already when only the target is pinned', () => {
    expect(bumpOrAlready('image:\n  tag: v1.15.9\n', req)).toEqual({ kind: 'already', alsoPinned: [] });
  });
  it('bumps what is left when both versions appear (half-updated multi-doc file)', () => {
    const text = 'a:\n  image: rook/ceph:v1.15.9\n---\nb:\n  image: rook/ceph:v1.14.9\n';
    const out = bumpOrAlready(text, req);
    expect(out.kind).toBe('bumped');
    if (out.kind === 'bumped') expect(out.result.content).toBe(text.replace('v1.14.9', 'v1.15.9'));
  });
  it('neither version: version-not-found', () => {
    expect(() => bumpOrAlready('image:\n  tag: v1.13.0\n', req)).toThrow(/not found/);
  });
});
