/**
 * Values a release reads from other files (written for these tests, shaped like public home-ops and
 * platform repos): Helmfile `values:` paths and Flux `valuesFrom`. The tag moves in the file that holds
 * it, with the chart, in one change; a rerun finds nothing to do; what cannot be followed is named.
 */
import { describe, expect, it } from 'vitest';
import { memoryChartSource } from '../../../test/support/chart-releases.js';
import { bumpAndRerun } from '../../../test/support/gitops-files.js';
import { BumpError, bumpInRepo, type BumpRequest } from './index.js';

const ca: BumpRequest = {
  fromVersion: 'v1.28.2',
  toVersion: 'v1.28.5',
  image: 'registry.k8s.io/autoscaling/cluster-autoscaler',
  chart: 'cluster-autoscaler',
};
const cm: BumpRequest = {
  fromVersion: 'v1.12.2',
  toVersion: 'v1.12.3',
  image: 'quay.io/jetstack/cert-manager-controller',
  chart: 'cert-manager',
};

const charts = memoryChartSource({
  'https://kubernetes.github.io/autoscaler': {
    'cluster-autoscaler': [
      ['9.34.3', '1.28.2'],
      ['9.34.4', '1.28.5'],
    ],
  },
});

const bumpTwice = (files: Record<string, string>, primary: string, req: BumpRequest) =>
  bumpAndRerun(files, primary, req, charts);

async function refusal(files: Record<string, string>, primary: string, req: BumpRequest): Promise<string> {
  try {
    await bumpInRepo(primary, async (p) => (files[p] === undefined ? null : { text: files[p] }), req, charts);
  } catch (err) {
    if (err instanceof BumpError) return err.message;
    throw err;
  }
  throw new Error('expected a BumpError');
}

const HELMFILE = `repositories:
  - name: autoscaler
    url: https://kubernetes.github.io/autoscaler

releases:
  - name: cluster-autoscaler
    namespace: kube-system
    chart: autoscaler/cluster-autoscaler
    version: 9.34.3 # ships v1.28.2
    values:
      - ../values/cluster-autoscaler.yaml
      - replicaCount: 2
`;

const CA_VALUES = `# shared by every cluster
image:
  repository: registry.k8s.io/autoscaling/cluster-autoscaler
  tag: "v1.28.2" # renovate: datasource=docker
`;

/** cluster-autoscaler from a chart kept in this repository (`path:`), its values beside it and in a shared file. */
const CA_GIT_APP = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: cluster-autoscaler
  namespace: argocd
spec:
  project: infra
  source:
    repoURL: https://github.com/acme/infra.git
    targetRevision: main
    path: charts/cluster-autoscaler
    helm:
      valueFiles:
        - values.yaml
        - ../../clusters/prod/cluster-autoscaler.yaml
  destination: {server: https://kubernetes.default.svc, namespace: kube-system}
`;

describe('Argo CD helm.valueFiles', () => {
  const inRepo = { ...ca, repository: 'Acme/Infra' };

  it('a Git source of this repository: its values files (relative to its path) move; a rerun is already done', async () => {
    const files = {
      'apps/ca.yaml': CA_GIT_APP,
      'charts/cluster-autoscaler/values.yaml': 'replicaCount: 1\n',
      'clusters/prod/cluster-autoscaler.yaml': CA_VALUES,
    };
    expect(await bumpTwice(files, 'apps/ca.yaml', inRepo)).toEqual({
      diff: [
        'clusters/prod/cluster-autoscaler.yaml: -  tag: "v1.28.2" # renovate: datasource=docker',
        'clusters/prod/cluster-autoscaler.yaml: +  tag: "v1.28.5" # renovate: datasource=docker',
      ],
      rerun: 'already',
    });
  });

  it('a $values file read at a tag of its repository: refused, since a branch change is not what runs', async () => {
    const app = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: cluster-autoscaler}
spec:
  sources:
    - repoURL: https://kubernetes.github.io/autoscaler
      chart: cluster-autoscaler
      targetRevision: 9.34.3
      helm: {valueFiles: [$values/values/ca.yaml]}
    - repoURL: https://github.com/acme/infra.git
      targetRevision: v2024.11.0
      ref: values
`;
    const files = { 'apps/ca.yaml': app, 'values/ca.yaml': CA_VALUES };
    expect(await refusal(files, 'apps/ca.yaml', inRepo)).toContain(
      'spec.sources.0.helm.valueFiles.0 "$values/values/ca.yaml": Argo CD reads this file from https://github.com/acme/infra.git at v2024.11.0, a tag or commit rather than a branch',
    );
    const onMain = { ...files, 'apps/ca.yaml': app.replace('v2024.11.0', 'main') };
    expect((await bumpTwice(onMain, 'apps/ca.yaml', inRepo)).diff).toEqual([
      'apps/ca.yaml: -      targetRevision: 9.34.3',
      'apps/ca.yaml: +      targetRevision: 9.34.4',
      'values/ca.yaml: -  tag: "v1.28.2" # renovate: datasource=docker',
      'values/ca.yaml: +  tag: "v1.28.5" # renovate: datasource=docker',
    ]);
  });

  it('a missing file is refused (Argo CD fails on it too), unless ignoreMissingValueFiles', async () => {
    const files = { 'apps/ca.yaml': CA_GIT_APP, 'charts/cluster-autoscaler/values.yaml': CA_VALUES };
    expect(await refusal(files, 'apps/ca.yaml', inRepo)).toContain(
      'spec.source.helm.valueFiles.1 "../../clusters/prod/cluster-autoscaler.yaml": clusters/prod/cluster-autoscaler.yaml does not exist (Argo CD fails on a missing values file unless helm.ignoreMissingValueFiles is set)',
    );
    const lenient = CA_GIT_APP.replace('    helm:\n', '    helm:\n      ignoreMissingValueFiles: true\n');
    expect((await bumpTwice({ ...files, 'apps/ca.yaml': lenient }, 'apps/ca.yaml', inRepo)).diff).toEqual([
      'charts/cluster-autoscaler/values.yaml: -  tag: "v1.28.2" # renovate: datasource=docker',
      'charts/cluster-autoscaler/values.yaml: +  tag: "v1.28.5" # renovate: datasource=docker',
    ]);
  });

  it('outside the repository, from a URL, as a template, or in a repository not named: refused by name', async () => {
    const files = { 'charts/cluster-autoscaler/values.yaml': 'replicaCount: 1\n' };
    const app = (entry: string) => ({ ...files, 'apps/ca.yaml': CA_GIT_APP.replace('../../clusters/prod/', entry) });
    expect(await refusal(app('../../../../'), 'apps/ca.yaml', inRepo)).toContain(
      '"../../../../cluster-autoscaler.yaml": a values file outside the repository',
    );
    expect(await refusal(app('https://config.example.com/'), 'apps/ca.yaml', inRepo)).toContain(
      '"https://config.example.com/cluster-autoscaler.yaml": a values file fetched from a URL',
    );
    const template = CA_GIT_APP.replace('- ../../clusters/prod/cluster-autoscaler.yaml', "- 'clusters/{{.name}}.yaml'");
    expect(await refusal({ ...files, 'apps/ca.yaml': template }, 'apps/ca.yaml', inRepo)).toContain(
      'a values path written as a template',
    );
    expect(await refusal(app(''), 'apps/ca.yaml', ca)).toContain(
      'a values file in https://github.com/acme/infra.git, which may or may not be the repository being changed',
    );
  });

  it("a chart from a Helm repository: a plain entry is the chart's own file, and a Git source of another repository is upstream's", async () => {
    const chartApp = CA_GIT_APP.replace(
      '    repoURL: https://github.com/acme/infra.git\n    targetRevision: main\n    path: charts/cluster-autoscaler',
      '    repoURL: https://kubernetes.github.io/autoscaler\n    chart: cluster-autoscaler\n    targetRevision: 9.34.3',
    );
    expect((await bumpTwice({ 'apps/ca.yaml': chartApp }, 'apps/ca.yaml', inRepo)).diff).toEqual([
      'apps/ca.yaml: -    targetRevision: 9.34.3',
      'apps/ca.yaml: +    targetRevision: 9.34.4',
    ]);
    const upstream = CA_GIT_APP.replace('acme/infra', 'kubernetes/autoscaler').replace('main', 'v1.28.2');
    expect((await bumpTwice({ 'apps/ca.yaml': upstream }, 'apps/ca.yaml', inRepo)).diff).toEqual([
      'apps/ca.yaml: -    targetRevision: v1.28.2',
      'apps/ca.yaml: +    targetRevision: v1.28.5',
    ]);
  });
});

describe('Helmfile values: paths', () => {
  it('the tag moves in the values file the release lists (relative to the helmfile); a rerun is already done', async () => {
    const files = { 'clusters/prod/helmfile.yaml': HELMFILE, 'clusters/values/cluster-autoscaler.yaml': CA_VALUES };
    expect(await bumpTwice(files, 'clusters/prod/helmfile.yaml', ca)).toEqual({
      diff: [
        'clusters/prod/helmfile.yaml: -    version: 9.34.3 # ships v1.28.2',
        'clusters/prod/helmfile.yaml: +    version: 9.34.4 # ships v1.28.2',
        'clusters/values/cluster-autoscaler.yaml: -  tag: "v1.28.2" # renovate: datasource=docker',
        'clusters/values/cluster-autoscaler.yaml: +  tag: "v1.28.5" # renovate: datasource=docker',
      ],
      rerun: 'already',
    });
  });

  it('a missing values file is refused by name, unless missingFileHandler lets helmfile go on without it', async () => {
    const files = { 'clusters/prod/helmfile.yaml': HELMFILE.replace('9.34.3 # ships v1.28.2', 'v1.28.2') };
    expect(await refusal(files, 'clusters/prod/helmfile.yaml', ca)).toContain(
      'releases.0.values.0 "../values/cluster-autoscaler.yaml": clusters/values/cluster-autoscaler.yaml does not exist',
    );
    const warn = files['clusters/prod/helmfile.yaml'].replace(
      '    values:',
      '    missingFileHandler: Warn\n    values:',
    );
    const { diff } = await bumpTwice({ 'clusters/prod/helmfile.yaml': warn }, 'clusters/prod/helmfile.yaml', ca);
    expect(diff).toEqual([
      'clusters/prod/helmfile.yaml: -    version: v1.28.2',
      'clusters/prod/helmfile.yaml: +    version: v1.28.5',
    ]);
  });

  it('values per environment: followed for each environment the helmfile lists; moved by none of them, they hold nothing back', async () => {
    const text = `environments:
  staging: {}
  prod: {}
---
${HELMFILE.replace('../values/cluster-autoscaler.yaml', 'values/{{ .Environment.Name }}.yaml')}`;
    const env = (name: string) => `autoDiscovery:\n  clusterName: ${name}\n`;
    const files = { 'helmfile.yaml': text, 'values/staging.yaml': env('staging'), 'values/prod.yaml': env('prod') };
    expect((await bumpTwice(files, 'helmfile.yaml', ca)).diff).toEqual([
      'helmfile.yaml: -    version: 9.34.3 # ships v1.28.2',
      'helmfile.yaml: +    version: 9.34.4 # ships v1.28.2',
    ]);
    const pinned = { ...files, 'values/prod.yaml': `${env('prod')}image:\n  tag: v1.28.2\n` };
    expect(await refusal(pinned, 'helmfile.yaml', ca)).toContain(
      'a values file per environment (staging, prod): values/prod.yaml holds 1.28.2, and leakguard does not move every environment at once',
    );
    const other = text.replace('{{ .Environment.Name }}', '{{ .Values.cluster }}');
    expect(await refusal({ ...files, 'helmfile.yaml': other }, 'helmfile.yaml', ca)).toContain(
      'a values path written as a template, which leakguard cannot follow',
    );
  });

  it('a values path outside the repository is named, not read', async () => {
    const files = { 'helmfile.yaml': HELMFILE.replace('../values/', '../../shared/') };
    expect(await refusal(files, 'helmfile.yaml', ca)).toContain(
      'releases.0.values.0 "../../shared/cluster-autoscaler.yaml": a values file outside the repository',
    );
  });

  it("another release's values file is not read", async () => {
    const text = `${HELMFILE}  - name: metrics-server
    chart: metrics-server/metrics-server
    version: 3.12.1
    values:
      - ../values/metrics-server.yaml
`.replace('../values/cluster-autoscaler.yaml', 'ca.yaml');
    const files = { 'clusters/prod/helmfile.yaml': text, 'clusters/prod/ca.yaml': CA_VALUES };
    const { diff } = await bumpTwice(files, 'clusters/prod/helmfile.yaml', ca);
    expect(diff).toEqual([
      'clusters/prod/helmfile.yaml: -    version: 9.34.3 # ships v1.28.2',
      'clusters/prod/helmfile.yaml: +    version: 9.34.4 # ships v1.28.2',
      'clusters/prod/ca.yaml: -  tag: "v1.28.2" # renovate: datasource=docker',
      'clusters/prod/ca.yaml: +  tag: "v1.28.5" # renovate: datasource=docker',
    ]);
  });
});

const HELMRELEASE = `---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: cert-manager
spec:
  interval: 30m
  chart:
    spec:
      chart: cert-manager
      version: v1.12.2
      sourceRef:
        kind: HelmRepository
        name: jetstack
        namespace: flux-system
  valuesFrom:
    - kind: ConfigMap
      name: cert-manager-values
`;

const KUSTOMIZATION = `---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: cert-manager
resources:
  - ./helmrelease.yaml
configMapGenerator:
  - name: cert-manager-values
    files:
      - ./helm/values.yaml
configurations:
  - ./helm/kustomizeconfig.yaml
`;

const VALUES = `---
crds:
  enabled: true
image:
  tag: &version v1.12.2 # one version for every component
webhook:
  image:
    tag: *version
`;

const dir = 'kubernetes/apps/cert-manager/cert-manager/app';

describe('Flux valuesFrom', () => {
  it('a configMapGenerator file (key = its file name): the anchored tag moves once, with the chart; a rerun is already done', async () => {
    const files = {
      [`${dir}/helmrelease.yaml`]: HELMRELEASE,
      [`${dir}/kustomization.yaml`]: KUSTOMIZATION,
      [`${dir}/helm/values.yaml`]: VALUES,
    };
    expect(await bumpTwice(files, `${dir}/helmrelease.yaml`, cm)).toEqual({
      diff: [
        `${dir}/helmrelease.yaml: -      version: v1.12.2`,
        `${dir}/helmrelease.yaml: +      version: v1.12.3`,
        `${dir}/helm/values.yaml: -  tag: &version v1.12.2 # one version for every component`,
        `${dir}/helm/values.yaml: +  tag: &version v1.12.3 # one version for every component`,
      ],
      rerun: 'already',
    });
  });

  it('generator literals: `values.yaml=` values (one line, or a | block) move in place; a literal of a Secret is refused', async () => {
    const literals = (entries: string) =>
      KUSTOMIZATION.replace('    files:\n      - ./helm/values.yaml\n', `    literals:\n${entries}`);
    const oneLine = literals(`      - 'values.yaml={image: {tag: v1.12.2}, replicaCount: 2}'\n      - other=v1.12.2\n`);
    const files = { [`${dir}/helmrelease.yaml`]: HELMRELEASE, [`${dir}/kustomization.yaml`]: oneLine };
    expect(await bumpTwice(files, `${dir}/helmrelease.yaml`, cm)).toEqual({
      diff: [
        `${dir}/helmrelease.yaml: -      version: v1.12.2`,
        `${dir}/helmrelease.yaml: +      version: v1.12.3`,
        `${dir}/kustomization.yaml: -      - 'values.yaml={image: {tag: v1.12.2}, replicaCount: 2}'`,
        `${dir}/kustomization.yaml: +      - 'values.yaml={image: {tag: v1.12.3}, replicaCount: 2}'`,
      ],
      rerun: 'already',
    });
    const block = literals('      - |\n        values.yaml=image:\n          tag: v1.12.2  # with the chart\n');
    const blockFiles = { ...files, [`${dir}/kustomization.yaml`]: block };
    expect((await bumpTwice(blockFiles, `${dir}/helmrelease.yaml`, cm)).diff).toContain(
      `${dir}/kustomization.yaml: +          tag: v1.12.3  # with the chart`,
    );
    const secret = {
      [`${dir}/helmrelease.yaml`]: HELMRELEASE.replace('kind: ConfigMap', 'kind: Secret'),
      [`${dir}/kustomization.yaml`]: oneLine.replace('configMapGenerator', 'secretGenerator'),
    };
    expect(await refusal(secret, `${dir}/helmrelease.yaml`, cm)).toContain(
      `${dir}/kustomization.yaml: Kustomization secretGenerator.0.literals.0.image.tag "v1.12.2": HelmRelease/cert-manager spec.valuesFrom.0 reads its values from a Secret, which leakguard never edits`,
    );
  });

  it('a ConfigMap defined twice (in the HelmRelease file, and by the generator) is refused: which one is read is unclear', async () => {
    const manifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cert-manager-values
data:
  values.yaml: |
    image:
      tag: v1.12.2
`;
    const files = {
      [`${dir}/helmrelease.yaml`]: `${HELMRELEASE}---\n${manifest}`,
      [`${dir}/kustomization.yaml`]: KUSTOMIZATION,
      [`${dir}/helm/values.yaml`]: VALUES,
    };
    expect(await refusal(files, `${dir}/helmrelease.yaml`, cm)).toContain(
      `spec.valuesFrom.0 "ConfigMap/cert-manager-values": ConfigMap/cert-manager-values is defined in 2 places (${dir}/helmrelease.yaml, ${dir}/kustomization.yaml configMapGenerator.0): leakguard cannot tell which one the release reads`,
    );
  });

  it('a ConfigMap found nowhere is refused by name; an optional one is not', async () => {
    const files = { [`${dir}/helmrelease.yaml`]: HELMRELEASE };
    expect(await refusal(files, `${dir}/helmrelease.yaml`, cm)).toContain(
      `ConfigMap/cert-manager-values is in none of ${dir}/helmrelease.yaml: it may pin the image tag`,
    );
    const optional = HELMRELEASE.replace(
      'name: cert-manager-values',
      'name: cert-manager-values\n      optional: true',
    );
    const { diff } = await bumpTwice({ [`${dir}/helmrelease.yaml`]: optional }, `${dir}/helmrelease.yaml`, cm);
    expect(diff).toEqual([
      `${dir}/helmrelease.yaml: -      version: v1.12.2`,
      `${dir}/helmrelease.yaml: +      version: v1.12.3`,
    ]);
  });

  it('a ConfigMap defined above the release: found in the tree of the nearest kustomization that includes the release', async () => {
    // kubernetes/apps/cert-manager/kustomization.yaml lists the app directory and a shared manifest file.
    const parent = 'kubernetes/apps/cert-manager';
    const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cert-manager-values
  namespace: cert-manager
data:
  values.yaml: |
    image:
      tag: v1.12.2
`;
    const files = {
      [`${dir}/helmrelease.yaml`]: HELMRELEASE,
      [`${dir}/kustomization.yaml`]: 'resources:\n  - ./helmrelease.yaml\n',
      [`${parent}/cert-manager/kustomization.yaml`]: 'resources:\n  - ./app\n',
      [`${parent}/kustomization.yaml`]: 'resources:\n  - ./cert-manager\n  - ../../shared/values.yaml\n',
      'kubernetes/shared/values.yaml': `---\n${configMap}`,
    };
    expect(await bumpTwice(files, `${dir}/helmrelease.yaml`, cm)).toEqual({
      diff: [
        `${dir}/helmrelease.yaml: -      version: v1.12.2`,
        `${dir}/helmrelease.yaml: +      version: v1.12.3`,
        'kubernetes/shared/values.yaml: -      tag: v1.12.2',
        'kubernetes/shared/values.yaml: +      tag: v1.12.3',
      ],
      rerun: 'already',
    });
    // A kustomization above that does not include the release (another app's) is not where its values are.
    const elsewhere = { ...files, [`${parent}/kustomization.yaml`]: 'resources:\n  - ../../shared/values.yaml\n' };
    expect(await refusal(elsewhere, `${dir}/helmrelease.yaml`, cm)).toContain(
      `ConfigMap/cert-manager-values is in none of ${dir}/helmrelease.yaml, ${dir}/kustomization.yaml, ${parent}/cert-manager/kustomization.yaml, ${parent}/kustomization.yaml: it may pin the image tag`,
    );
  });

  it('the search above a release stays inside the repository and reads a bounded number of files', async () => {
    const reads: string[] = [];
    const files: Record<string, string> = {
      'app/helmrelease.yaml': HELMRELEASE,
      'kustomization.yaml': 'resources:\n  - ./app/helmrelease.yaml\n  - ../outside/values.yaml\n',
    };
    await expect(
      bumpInRepo('app/helmrelease.yaml', async (p) => (reads.push(p), files[p] ? { text: files[p] } : null), cm),
    ).rejects.toThrow('ConfigMap/cert-manager-values is in none of app/helmrelease.yaml, kustomization.yaml:');
    expect(reads.every((p) => !p.startsWith('..') && !p.startsWith('/'))).toBe(true);
    expect(reads.length).toBeLessThanOrEqual(6);
  });

  it('a Secret holding the tag (base64 data) is never edited: refused, naming the place, and nothing else of it is quoted', async () => {
    const values = 'aws:\n  secretAccessKey: canary-7f3c9e\nimage:\n  tag: v1.12.2\n';
    const files = {
      [`${dir}/helmrelease.yaml`]: HELMRELEASE.replace(
        'kind: ConfigMap\n      name: cert-manager-values',
        'kind: Secret\n      name: cert-manager-values',
      ),
      [`${dir}/kustomization.yaml`]: 'resources:\n  - helmrelease.yaml\n  - secret.yaml\n',
      [`${dir}/secret.yaml`]: `apiVersion: v1
kind: Secret
metadata:
  name: cert-manager-values
data:
  values.yaml: ${Buffer.from(values).toString('base64')}
`,
    };
    const message = await refusal(files, `${dir}/helmrelease.yaml`, cm);
    expect(message).toContain(
      `${dir}/secret.yaml: Secret/cert-manager-values data.values.yaml.image.tag "v1.12.2": HelmRelease/cert-manager spec.valuesFrom.0 reads its values from a Secret, which leakguard never edits: set v1.12.3 there yourself`,
    );
    expect(message).not.toContain('canary');
    expect(message).not.toContain(Buffer.from(values).toString('base64'));
  });

  it("another release's valuesFrom is not followed: its missing ConfigMap does not hold the operator back", async () => {
    const other = HELMRELEASE.replace(/cert-manager/g, 'trust-manager').replace('version: v1.12.2', 'version: v0.9.0');
    const optional = HELMRELEASE.replace(
      'name: cert-manager-values',
      'name: cert-manager-values\n      optional: true',
    );
    const files = { [`${dir}/helmrelease.yaml`]: `${optional}${other}` };
    const { diff } = await bumpTwice(files, `${dir}/helmrelease.yaml`, cm);
    expect(diff).toEqual([
      `${dir}/helmrelease.yaml: -      version: v1.12.2`,
      `${dir}/helmrelease.yaml: +      version: v1.12.3`,
    ]);
  });

  it('a secretGenerator file: a plain one holding the tag is refused; a SOPS-encrypted one is not looked into', async () => {
    const release = HELMRELEASE.replace('kind: ConfigMap', 'kind: Secret');
    const kustomization = `resources:
  - helmrelease.yaml
secretGenerator:
  - name: cert-manager-values
    files:
      - values.yaml=values.sops.yaml
`;
    const plain = { [`${dir}/helmrelease.yaml`]: release, [`${dir}/kustomization.yaml`]: kustomization };
    const files = { ...plain, [`${dir}/values.sops.yaml`]: 'image:\n  tag: v1.12.2\n' };
    expect(await refusal(files, `${dir}/helmrelease.yaml`, cm)).toContain(
      `${dir}/values.sops.yaml: image.tag "v1.12.2": HelmRelease/cert-manager spec.valuesFrom.0 reads its values from a Secret, which leakguard never edits`,
    );
    const encrypted = {
      ...plain,
      [`${dir}/values.sops.yaml`]: `image:
    tag: ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]
sops:
    age:
        - recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
    lastmodified: "2024-03-02T10:11:12Z"
    version: 3.8.1
`,
    };
    expect((await bumpTwice(encrypted, `${dir}/helmrelease.yaml`, cm)).diff).toEqual([
      `${dir}/helmrelease.yaml: -      version: v1.12.2`,
      `${dir}/helmrelease.yaml: +      version: v1.12.3`,
    ]);
  });
});

describe('values at a URL, and image overrides of a HelmRelease post-renderer', () => {
  it('a Helmfile values entry fetched from a URL is refused by name', async () => {
    const files = { 'helmfile.yaml': HELMFILE.replace('../values/', 'https://config.example.com/') };
    expect(await refusal(files, 'helmfile.yaml', ca)).toContain(
      'releases.0.values.0 "https://config.example.com/cluster-autoscaler.yaml": a values file fetched from a URL',
    );
  });

  it('a post-renderer image override moves with the chart', async () => {
    const release = `${HELMRELEASE.replace(
      '  valuesFrom:\n    - kind: ConfigMap\n      name: cert-manager-values\n',
      '',
    )}  postRenderers:
    - kustomize:
        images:
          - name: quay.io/jetstack/cert-manager-controller
            newName: registry.example.com/jetstack/cert-manager-controller
            newTag: v1.12.2
`;
    expect(await bumpTwice({ 'hr.yaml': release }, 'hr.yaml', cm)).toEqual({
      diff: [
        'hr.yaml: -      version: v1.12.2',
        'hr.yaml: +      version: v1.12.3',
        'hr.yaml: -            newTag: v1.12.2',
        'hr.yaml: +            newTag: v1.12.3',
      ],
      rerun: 'already',
    });
  });
});
