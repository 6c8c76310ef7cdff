/**
 * The GitOps layouts people really have (fixtures written for these tests, shaped like public
 * home-ops and platform repos): each asserts the exact bytes that change, and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { changedLines, HELMRELEASE_CHARTREF, OCIREPOSITORY } from '../../../test/support/gitops-files.js';
import { BumpError, bumpFile, bumpInRepo, bumpOrAlready, type BumpRequest } from './index.js';

const req: BumpRequest = { fromVersion: '1.14.9', toVersion: '1.15.9', image: 'rook/ceph', chart: 'rook-ceph' };

/** The bumpers never add or remove lines. */
function diff(before: string, after: string): string[] {
  expect(after.split('\n')).toHaveLength(before.split('\n').length);
  return changedLines(before, after);
}

function refusal(fn: () => unknown): BumpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BumpError) return err;
    throw err;
  }
  throw new Error('expected a BumpError');
}

const OCI_SAME_FILE = `---
# yaml-language-server: $schema=https://schemas.example.test/ocirepository-source-v1.json
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: rook-ceph
spec:
  interval: 12h
  layerSelector:
    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip
    operation: copy
  ref:
    # renovate: datasource=docker depName=ghcr.io/rook/rook-ceph
    tag: "v1.14.9"
  url: oci://ghcr.io/rook/rook-ceph
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: rook-ceph
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: rook-ceph
  values:
    csi: &csi
      enableRbdDriver: true
    monitoring: *csi
    image:
      repository: ghcr.io/rook/ceph
      tag: v1.14.9 # {"$imagepolicy": "flux-system:rook-ceph:tag"}`;

describe('Flux HelmRelease chartRef → OCIRepository', () => {
  it('same multi-document file: the OCI tag and the operator image move; comments, quotes, anchors and the missing final newline stay', () => {
    const r = bumpFile(OCI_SAME_FILE, { ...req, fileName: 'kubernetes/apps/rook-ceph/app/helmrelease.yaml' });
    expect(diff(OCI_SAME_FILE, r.content)).toEqual([
      '-    tag: "v1.14.9"',
      '+    tag: "v1.15.9"',
      '-      tag: v1.14.9 # {"$imagepolicy": "flux-system:rook-ceph:tag"}',
      '+      tag: v1.15.9 # {"$imagepolicy": "flux-system:rook-ceph:tag"}',
    ]);
    expect(r.content.endsWith('tag"}')).toBe(true);
    expect(r.changes.map((c) => `${c.resource} ${c.path}`)).toEqual([
      'OCIRepository/rook-ceph spec.ref.tag',
      'HelmRelease/rook-ceph spec.values.image.tag',
    ]);
  });

  it('sibling ocirepository.yaml in the same directory: only its tag line changes', () => {
    const dir = 'kubernetes/apps/rook-ceph/app';
    const r = bumpFile(
      HELMRELEASE_CHARTREF,
      { ...req, fileName: `${dir}/helmrelease.yaml` },
      { [`${dir}/ocirepository.yaml`]: OCIREPOSITORY },
    );
    expect(r.files.map((f) => f.path)).toEqual([`${dir}/ocirepository.yaml`]);
    expect(diff(OCIREPOSITORY, r.files[0]?.content ?? '')).toEqual([
      '-    tag: v1.14.9   # renovate: datasource=docker depName=ghcr.io/rook/rook-ceph',
      '+    tag: v1.15.9   # renovate: datasource=docker depName=ghcr.io/rook/rook-ceph',
    ]);
    expect(r.content).toBe(HELMRELEASE_CHARTREF);
    expect(r.changes).toEqual([
      expect.objectContaining({
        file: `${dir}/ocirepository.yaml`,
        resource: 'OCIRepository/rook-ceph',
        path: 'spec.ref.tag',
        from: 'v1.14.9',
        to: 'v1.15.9',
      }),
    ]);
  });

  it('reads only what it needs: the HelmRelease and ocirepository.yaml beside it', async () => {
    const files: Record<string, string> = {
      'a/helmrelease.yaml': HELMRELEASE_CHARTREF,
      'a/ocirepository.yaml': OCIREPOSITORY,
    };
    const reads: string[] = [];
    const out = await bumpInRepo(
      'a/helmrelease.yaml',
      async (path) => (reads.push(path), files[path] === undefined ? null : { text: files[path] }),
      req,
    );
    expect(out.kind).toBe('bumped');
    expect(reads).toEqual(['a/helmrelease.yaml', 'a/ocirepository.yaml']);
  });

  it('an OCIRepository in a file the directory kustomization lists', () => {
    const kustomization =
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./helmrelease.yaml\n  - ../../shared/sources/rook.yaml\n';
    const r = bumpFile(
      HELMRELEASE_CHARTREF,
      { ...req, fileName: 'apps/rook/app/helmrelease.yaml' },
      {
        'apps/rook/app/kustomization.yaml': kustomization,
        'apps/shared/sources/rook.yaml': OCIREPOSITORY,
      },
    );
    expect(r.files.map((f) => f.path)).toEqual(['apps/shared/sources/rook.yaml']);
    expect(diff(OCIREPOSITORY, r.files[0]?.content ?? '')).toHaveLength(2);
  });

  it('the profile may point at the OCIRepository file itself', () => {
    const r = bumpFile(OCIREPOSITORY, { ...req, fileName: 'apps/rook/app/ocirepository.yaml' });
    expect(diff(OCIREPOSITORY, r.content)).toEqual([
      '-    tag: v1.14.9   # renovate: datasource=docker depName=ghcr.io/rook/rook-ceph',
      '+    tag: v1.15.9   # renovate: datasource=docker depName=ghcr.io/rook/rook-ceph',
    ]);
  });

  it('a semver range is refused: it says why and what to change', () => {
    const ranged = OCIREPOSITORY.replace('tag: v1.14.9  ', 'semver: ">=1.14.0 <1.15.0"');
    const err = refusal(() =>
      bumpFile(HELMRELEASE_CHARTREF, { ...req, fileName: 'a/helmrelease.yaml' }, { 'a/ocirepository.yaml': ranged }),
    );
    expect(err.code).toBe('not-bumped');
    expect(err.message).toContain(
      'a/ocirepository.yaml: OCIRepository/rook-ceph spec.ref.semver ">=1.14.0 <1.15.0": a semver range cannot be bumped to one version',
    );
    expect(err.message).toContain('replace spec.ref.semver by spec.ref.tag (the version running now is 1.14.9)');
    expect(err.message).toContain('widen the range to take 1.15.9');
  });

  it('a chartRef that leads nowhere says where it looked', () => {
    const err = refusal(() =>
      bumpFile(
        HELMRELEASE_CHARTREF,
        { ...req, fileName: 'a/helmrelease.yaml' },
        { 'a/kustomization.yaml': 'resources: [helmrelease.yaml]\n' },
      ),
    );
    expect(err.code).toBe('not-bumped');
    expect(err.message).toContain(
      'HelmRelease/rook-ceph spec.chartRef "OCIRepository/rook-ceph": OCIRepository/rook-ceph is in none of a/helmrelease.yaml, a/kustomization.yaml',
    );
  });

  it("the operator's image in the HelmRelease values moves with the sibling tag: two files, one line each", () => {
    const withImage = HELMRELEASE_CHARTREF.replace(
      '    crds: {enabled: true}\n',
      "    crds: {enabled: true}\n    image: {repository: docker.io/rook/ceph, tag: 'v1.14.9'}\n",
    );
    const r = bumpFile(
      withImage,
      { ...req, fileName: 'a/helmrelease.yaml' },
      { 'a/ocirepository.yaml': OCIREPOSITORY },
    );
    expect(
      r.files.map((f) => [
        f.path,
        changedLines(f.path === 'a/helmrelease.yaml' ? withImage : OCIREPOSITORY, f.content).length,
      ]),
    ).toEqual([
      ['a/helmrelease.yaml', 2],
      ['a/ocirepository.yaml', 2],
    ]);
    expect(r.content).toBe(withImage.replace("tag: 'v1.14.9'", "tag: 'v1.15.9'"));
  });

  it("an ocirepository.yaml holding the operator's and the cluster's charts: only the operator's tag moves", () => {
    const both = `${OCIREPOSITORY}\n---\n${OCIREPOSITORY.replace('---\n', '').replaceAll('rook-ceph', 'rook-ceph-cluster')}\n`;
    const r = bumpFile(both, { ...req, fileName: 'ocirepository.yaml' });
    expect(diff(both, r.content)).toEqual([
      '-    tag: v1.14.9   # renovate: datasource=docker depName=ghcr.io/rook/rook-ceph',
      '+    tag: v1.15.9   # renovate: datasource=docker depName=ghcr.io/rook/rook-ceph',
    ]);
    expect(r.alsoPinned.map((p) => `${p.resource} ${p.path}`)).toEqual([
      'OCIRepository/rook-ceph-cluster spec.ref.tag',
    ]);
  });

  it('a HelmRelease chart version range is refused with what to change', () => {
    const text =
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: rook-ceph}\nspec:\n  chart:\n    spec: {chart: rook-ceph, version: "1.14.x"}\n';
    const err = refusal(() => bumpFile(text, { ...req, fileName: 'hr.yaml' }));
    expect(err.message).toBe(
      'hr.yaml: 1.14.9 not bumped to 1.15.9 (documents: HelmRelease/rook-ceph). HelmRelease/rook-ceph spec.chart.spec.version "1.14.x": a version range cannot be bumped to one version; pin one version (version: 1.14.9) so leakguard can move it, or widen the range to take 1.15.9 yourself',
    );
  });

  it('OCIRepository digest pin is refused as digest-pinned', () => {
    const pinned = OCIREPOSITORY.replace('tag: v1.14.9  ', 'tag: v1.14.9\n    digest: sha256:0123456789abcdef');
    const err = refusal(() => bumpFile(pinned, { ...req, fileName: 'ocirepository.yaml' }));
    expect(err.message).toContain(
      'OCIRepository/rook-ceph spec.ref.tag "v1.14.9": spec.ref.digest is set too: it is digest-pinned',
    );
  });
});

const HELM_CHARTS = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
helmCharts:
  - name: rook-ceph
    repo: https://charts.rook.io/release
    version: v1.14.9
    releaseName: rook-ceph
    namespace: rook-ceph
  - name: rook-ceph-cluster
    repo: https://charts.rook.io/release
    version: 'v1.14.9' # keep with the operator
    releaseName: rook-ceph-cluster
    valuesInline:
      toolbox: {enabled: true}
`;

describe('kustomize helmCharts', () => {
  it("bumps the entry whose name is the profile's chart; the other is listed, not changed", () => {
    const r = bumpFile(HELM_CHARTS, { ...req, fileName: 'rook/kustomization.yaml' });
    expect(diff(HELM_CHARTS, r.content)).toEqual(['-    version: v1.14.9', '+    version: v1.15.9']);
    expect(r.alsoPinned).toEqual([
      expect.objectContaining({
        kind: 'other-release',
        resource: 'Kustomization',
        path: 'helmCharts.1.version',
        value: 'v1.14.9',
        reason: expect.stringContaining('chart rook-ceph-cluster'),
      }),
    ]);
  });
  it('CRLF line ends are kept', () => {
    const crlf = HELM_CHARTS.replaceAll('\n', '\r\n');
    expect(bumpFile(crlf, { ...req, fileName: 'kustomization.yaml' }).content).toBe(
      crlf.replace('version: v1.14.9\r\n', 'version: v1.15.9\r\n'),
    );
  });
  it('a mirror chart under another name: nothing moves, and the refusal says to set upgrade.chart', () => {
    const mirror = HELM_CHARTS.replace('- name: rook-ceph\n', '- name: rook-ceph-mirror\n');
    const err = refusal(() => bumpFile(mirror, { ...req, fileName: 'kustomization.yaml' }));
    expect(err.message).toMatch(
      /^kustomization\.yaml: 1\.14\.9 is pinned only by charts other than the profile's chart rook-ceph \(set upgrade\.chart if one of them is the operator's\)/,
    );
    expect(err.message).toContain(
      'Kustomization helmCharts.0.version "v1.14.9": chart rook-ceph-mirror, not the profile\'s chart rook-ceph',
    );
  });
  it('upgrade.alsoBump moves the named charts too', () => {
    const r = bumpFile(HELM_CHARTS, { ...req, alsoBump: ['rook-ceph-cluster'], fileName: 'rook/kustomization.yaml' });
    expect(diff(HELM_CHARTS, r.content)).toEqual([
      '-    version: v1.14.9',
      '+    version: v1.15.9',
      "-    version: 'v1.14.9' # keep with the operator",
      "+    version: 'v1.15.9' # keep with the operator",
    ]);
    expect(r.alsoPinned).toEqual([]);
  });
  it('without a chart name, two charts at the version are refused, naming both', () => {
    const err = refusal(() =>
      bumpFile(HELM_CHARTS, { fromVersion: '1.14.9', toVersion: '1.15.9', fileName: 'kustomization.yaml' }),
    );
    expect(err.message).toContain('several charts pin 1.14.9 (rook-ceph, rook-ceph-cluster); set upgrade.chart');
  });
});

const TWO_APPLICATIONS = `# Rook: operator and cluster, same release
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: rook-ceph-operator
spec:
  source:
    repoURL: https://charts.rook.io/release
    chart: rook-ceph
    targetRevision: v1.14.9
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: rook-ceph-cluster
spec:
  source:
    repoURL: https://charts.rook.io/release
    chart: rook-ceph-cluster
    targetRevision: v1.14.9
    helm:
      valuesObject:
        toolbox:
          image: rook/ceph:v1.14.9
`;

describe('several releases in one file', () => {
  it("Argo CD: only the operator's Application moves; the cluster's places are listed for the PR body", () => {
    const r = bumpFile(TWO_APPLICATIONS, { ...req, fileName: 'apps/rook.yaml' });
    expect(diff(TWO_APPLICATIONS, r.content)).toEqual(['-    targetRevision: v1.14.9', '+    targetRevision: v1.15.9']);
    expect(r.content.indexOf('v1.15.9')).toBeLessThan(r.content.indexOf('name: rook-ceph-cluster'));
    expect(r.alsoPinned.map((s) => `${s.resource} ${s.path}`)).toEqual([
      'Application/rook-ceph-cluster spec.source.targetRevision',
      'Application/rook-ceph-cluster spec.source.helm.valuesObject.toolbox.image',
    ]);
  });
  it("another chart's digest-pinned image is listed with why it could not move either", () => {
    const pinned = TWO_APPLICATIONS.replace('image: rook/ceph:v1.14.9', 'image: rook/ceph:v1.14.9@sha256:4f7a1c');
    const r = bumpFile(pinned, { ...req, fileName: 'apps/rook.yaml' });
    expect(r.alsoPinned[1]).toMatchObject({
      path: 'spec.source.helm.valuesObject.toolbox.image',
      reason: expect.stringMatching(/^chart rook-ceph-cluster, not the profile's chart rook-ceph; it is digest-pinned/),
    });
  });
  it('an anchor shared by a release that moves and one that does not is refused', () => {
    const shared = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: rook}
spec:
  sources:
    - {chart: rook-ceph, repoURL: https://charts.rook.io/release, targetRevision: &rook v1.14.9}
    - {chart: rook-ceph-cluster, repoURL: https://charts.rook.io/release, targetRevision: *rook}
`;
    const err = refusal(() => bumpFile(shared, { ...req, fileName: 'rook.yaml' }));
    expect(err.message).toContain('a YAML anchor shares this value with chart rook-ceph-cluster');
    expect(bumpFile(shared, { ...req, alsoBump: ['rook-ceph-cluster'], fileName: 'rook.yaml' }).content).toBe(
      shared.replace('&rook v1.14.9', '&rook v1.15.9'),
    );
  });
});

const KUSTOMIZE_REMOTE = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: rook-ceph
resources:
  - https://github.com/rook/rook/releases/download/v1.14.9/crds.yaml
  - github.com/rook/rook//deploy/examples?ref=v1.14.9&timeout=120s
  - "https://raw.githubusercontent.com/rook/rook/v1.14.9/deploy/examples/common.yaml"
  - ./operator-patch.yaml
images:
  - name: docker.io/rook/ceph
    newName: ghcr.io/rook/ceph
    newTag: v1.14.9 # {"$imagepolicy": "flux-system:rook-ceph:tag"}
`;

describe('kustomize images with remote resources of the same release', () => {
  it('image, CRDs and base move together', () => {
    const r = bumpFile(KUSTOMIZE_REMOTE, { ...req, fileName: 'rook/kustomization.yaml' });
    expect(diff(KUSTOMIZE_REMOTE, r.content)).toEqual([
      '-  - https://github.com/rook/rook/releases/download/v1.14.9/crds.yaml',
      '+  - https://github.com/rook/rook/releases/download/v1.15.9/crds.yaml',
      '-  - github.com/rook/rook//deploy/examples?ref=v1.14.9&timeout=120s',
      '+  - github.com/rook/rook//deploy/examples?ref=v1.15.9&timeout=120s',
      '-  - "https://raw.githubusercontent.com/rook/rook/v1.14.9/deploy/examples/common.yaml"',
      '+  - "https://raw.githubusercontent.com/rook/rook/v1.15.9/deploy/examples/common.yaml"',
      '-    newTag: v1.14.9 # {"$imagepolicy": "flux-system:rook-ceph:tag"}',
      '+    newTag: v1.15.9 # {"$imagepolicy": "flux-system:rook-ceph:tag"}',
    ]);
  });
  it('when the image cannot move, nothing moves, and every pin is listed', () => {
    const pinned = KUSTOMIZE_REMOTE.replace('    newTag: v1.14.9', '    digest: sha256:feedface\n    newTag: v1.14.9');
    const err = refusal(() => bumpFile(pinned, { ...req, fileName: 'rook/kustomization.yaml' }));
    expect(err.code).toBe('not-bumped');
    expect(err.message).toContain(
      'Kustomization images.0.newTag "v1.14.9": images[0] has a digest too: it is digest-pinned',
    );
    expect(err.message).toContain(
      'Kustomization resources.0 "https://github.com/rook/rook/releases/download/v1.14.9/crds.yaml": to https://github.com/rook/rook/releases/download/v1.15.9/crds.yaml, held back: the release moves whole or not at all',
    );
    expect(err.message).toContain('Kustomization resources.2');
  });
});

describe('digest-pinned images', () => {
  it.each([
    ['values tag@digest', 'image:\n  repository: ghcr.io/rook/ceph\n  tag: v1.14.9@sha256:4f7a1c\n', 'image.tag'],
    [
      'manifest image string',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: op}\nspec:\n  template:\n    spec:\n      containers:\n        - image: rook/ceph:v1.14.9@sha256:4f7a1c\n',
      'Deployment/op spec.template.spec.containers.0.image',
    ],
  ])('%s: refused as digest-pinned, with what to do', (_name, text, place) => {
    const err = refusal(() => bumpFile(text, { ...req, fileName: 'x.yaml' }));
    expect(err.code).toBe('not-bumped');
    expect(err.message).toContain(`${place} "`);
    expect(err.message).toContain(
      'it is digest-pinned, and the digest of the new version cannot be known offline; pin by tag alone',
    );
    expect(err.message).toContain('Renovate');
  });
});

describe('refusals say what was seen', () => {
  it('the version only in a label: names the file, the documents and the place, not "not found"', () => {
    const text =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rook-ceph-operator\n  labels: {app.kubernetes.io/version: v1.14.9}\nspec:\n  template:\n    spec:\n      containers: [{name: op, image: "rook/ceph:v1.13.0"}]\n';
    const err = refusal(() => bumpFile(text, { ...req, fileName: 'rook/operator.yaml' }));
    expect(err.code).toBe('not-bumped');
    expect(err.message).toBe(
      'rook/operator.yaml: 1.14.9 appears, but not where the operator\'s version is kept (documents: Deployment/rook-ceph-operator). Deployment/rook-ceph-operator metadata.labels.app.kubernetes.io/version "v1.14.9": not a field leakguard edits',
    );
  });
  it("another image at the version is named as not the operator's", () => {
    const err = refusal(() =>
      bumpFile('image: quay.io/cephcsi/cephcsi:v1.14.9\n', { ...req, fileName: 'values.yaml' }),
    );
    expect(err.message).toContain(
      'image "quay.io/cephcsi/cephcsi:v1.14.9": quay.io/cephcsi/cephcsi is not the operator\'s image (rook/ceph)',
    );
  });
  it('"not found" only when the version appears nowhere', () => {
    const err = refusal(() => bumpFile('image:\n  tag: v1.13.0\n', { ...req, fileName: 'values.yaml' }));
    expect(err.code).toBe('version-not-found');
    expect(err.message).toBe('values.yaml: version 1.14.9 not found (documents: Helm values)');
  });
  it('a file that pins only the target is already done, even with other releases still at the old version', () => {
    const done = HELM_CHARTS.replace('version: v1.14.9', 'version: v1.15.9');
    const out = bumpOrAlready(done, { ...req, fileName: 'kustomization.yaml' });
    expect(out).toEqual({ kind: 'already', alsoPinned: [expect.objectContaining({ path: 'helmCharts.1.version' })] });
  });
});

describe('Go templates', () => {
  it('a file that is YAML only once rendered: refused, naming each line that holds the version in {{ … }}', () => {
    const text = `operator:
  image:
    tag: {{ .Values.rookTag | default "v1.14.9" }}
{{- if .Values.monitoring }}
monitoring: {enabled: true}
{{- end }}
`;
    const err = refusal(() => bumpFile(text, { ...req, fileName: 'values.yaml.gotmpl' }));
    expect(err.code).toBe('not-bumped');
    expect(err.message).toBe(
      'values.yaml.gotmpl: 1.14.9 not bumped to 1.15.9 (documents: none: a Go template, YAML only once rendered). line 3 "tag: {{ .Values.rookTag | default "v1.14.9" }}": 1.14.9 is inside a Go template expression, which leakguard does not evaluate or edit: change it there yourself, or write the version as a plain value',
    );
  });
});
