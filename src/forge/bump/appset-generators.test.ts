/**
 * ApplicationSets whose chart version is a generator parameter (written for these tests, shaped like
 * the Argo CD documentation's and public platform repos' generators): the value moves where the file
 * holds it, through matrix and merge; where a generator reads it from elsewhere, that is named.
 */
import { describe, expect, it } from 'vitest';
import { ARGO_CD_RELEASES, memoryChartSource } from '../../../test/support/chart-releases.js';
import { bumpAndRerun } from '../../../test/support/gitops-files.js';
import { BumpError, bumpFile, type BumpRequest } from './index.js';

const charts = memoryChartSource({ 'https://argoproj.github.io/argo-helm': { 'argo-cd': ARGO_CD_RELEASES } });
const argocd: BumpRequest = {
  fromVersion: 'v2.13.1',
  toVersion: 'v2.13.2',
  image: 'quay.io/argoproj/argocd',
  chart: 'argo-cd',
};

function appset(generators: string, source = ''): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: addons
  namespace: argocd
spec:
  goTemplate: true
  generators:
${generators}
  template:
    metadata:
      name: '{{.addon}}-{{.name}}'
    spec:
      project: platform
      source:
${
  source ||
  `        repoURL: https://argoproj.github.io/argo-helm
        chart: argo-cd
        targetRevision: '{{.chartVersion}}'`
}
      destination:
        server: '{{.server}}'
        namespace: '{{.addon}}'
`;
}

function refusal(text: string, req: BumpRequest): string {
  try {
    bumpFile(text, { ...req, fileName: 'addons.yaml' });
  } catch (err) {
    if (err instanceof BumpError) return err.message;
    throw err;
  }
  throw new Error('expected a BumpError');
}

describe('ApplicationSet generators', () => {
  it('a matrix nested in a merge: the list element inside moves, its comment kept; a rerun is already done', async () => {
    const text = appset(`    - merge:
        mergeKeys: [server]
        generators:
          - clusters: {}
          - matrix:
              generators:
                - clusters:
                    selector:
                      matchLabels: {env: prod}
                - list:
                    elements:
                      - addon: argocd
                        chartVersion: "7.7.8" # renovate: datasource=helm depName=argo-cd`);
    expect(await bumpAndRerun({ 'addons.yaml': text }, 'addons.yaml', argocd, charts)).toEqual({
      diff: [
        'addons.yaml: -                        chartVersion: "7.7.8" # renovate: datasource=helm depName=argo-cd',
        'addons.yaml: +                        chartVersion: "7.7.10" # renovate: datasource=helm depName=argo-cd',
      ],
      rerun: 'already',
    });
  });

  it('elementsYaml: a literal list moves inside the string (one line too); one read from another generator is named', async () => {
    const block = appset(`    - list:
        elementsYaml: |
          - addon: argocd
            chartVersion: 7.7.8   # with Argo CD 2.13.1`);
    expect((await bumpAndRerun({ 'addons.yaml': block }, 'addons.yaml', argocd, charts)).diff).toEqual([
      'addons.yaml: -            chartVersion: 7.7.8   # with Argo CD 2.13.1',
      'addons.yaml: +            chartVersion: 7.7.10   # with Argo CD 2.13.1',
    ]);
    const line = appset(`    - list:
        elementsYaml: '[{addon: argocd, chartVersion: 7.7.8}]'`);
    expect((await bumpAndRerun({ 'addons.yaml': line }, 'addons.yaml', argocd, charts)).diff).toEqual([
      "addons.yaml: -        elementsYaml: '[{addon: argocd, chartVersion: 7.7.8}]'",
      "addons.yaml: +        elementsYaml: '[{addon: argocd, chartVersion: 7.7.10}]'",
    ]);
    const fromGit = appset(`    - matrix:
        generators:
          - git:
              repoURL: https://github.com/example-org/platform-config.git
              revision: HEAD
              directories:
                - path: clusters/*
          - list:
              elementsYaml: "{{ .addons | toJson }}"`);
    expect(refusal(fromGit, argocd)).toContain(
      'the chart version is a parameter the generators read outside this file: spec.generators.0.matrix.generators.1.list (elementsYaml {{ .addons | toJson }})',
    );
  });

  it("a generator's template: its sources replace the ApplicationSet's whole, and the version it writes out moves", async () => {
    const text = appset(`    - list:
        elements:
          - addon: cert-manager
            chartVersion: 7.7.8
        template:
          metadata: {}
          spec:
            project: platform
            sources:
              - repoURL: https://argoproj.github.io/argo-helm
                chart: argo-cd
                targetRevision: "7.7.8"
              - repoURL: https://github.com/example-org/platform-config.git
                targetRevision: main
                ref: values`);
    // The element's chartVersion is read by no source of this generator: it is not the operator's pin.
    expect((await bumpAndRerun({ 'addons.yaml': text }, 'addons.yaml', argocd, charts)).diff).toEqual([
      'addons.yaml: -                targetRevision: "7.7.8"',
      'addons.yaml: +                targetRevision: "7.7.10"',
    ]);
  });

  it('values from a ref: source whose repoURL is a generator parameter: refused as a template', () => {
    const text = appset(
      `    - list:
        elements:
          - addon: argocd
            chartVersion: 7.7.8
            valuesRepo: https://github.com/acme/platform.git`,
      `        repoURL: https://argoproj.github.io/argo-helm
        chart: argo-cd
        targetRevision: '{{.chartVersion}}'`,
    ).replace(
      '      destination:',
      `      sources:
        - repoURL: https://argoproj.github.io/argo-helm
          chart: argo-cd
          targetRevision: '{{.chartVersion}}'
          helm: {valueFiles: [$values/argocd/values.yaml]}
        - repoURL: '{{.valuesRepo}}'
          targetRevision: main
          ref: values
      destination:`,
    );
    expect(refusal(text, { ...argocd, repository: 'acme/platform' })).toContain(
      'spec.template.spec.sources.0.helm.valueFiles.0 "$values/argocd/values.yaml": a values path written as a template',
    );
  });

  it('cluster decisions (Open Cluster Management placement): refused, naming the generator', () => {
    const text = appset(`    - clusterDecisionResource:
        configMapRef: ocm-placement-generator
        labelSelector:
          matchLabels:
            cluster.open-cluster-management.io/placement: argocd`);
    expect(refusal(text, argocd)).toContain(
      `spec.template.spec.source.targetRevision "{{.chartVersion}}": the chart version is a parameter the generators read outside this file: spec.generators.0.clusterDecisionResource (the decisions of ocm-placement-generator)`,
    );
  });

  it('a cluster label as the version: refused, naming where each cluster keeps it', () => {
    const text = appset(
      `    - clusters:
        selector:
          matchLabels: {env: prod}`,
      `        repoURL: https://argoproj.github.io/argo-helm
        chart: argo-cd
        targetRevision: '{{index .metadata.labels "argocd-chart"}}'`,
    );
    // Not a plain parameter: leakguard does not read Go template functions; nothing is pinned in the file.
    expect(refusal(text, argocd)).toContain('version 2.13.1 not found');
    const plain = text.replace(`'{{index .metadata.labels "argocd-chart"}}'`, `'{{.metadata.labels.argocdChart}}'`);
    expect(refusal(plain, argocd)).toContain(`spec.generators.0.clusters (each cluster's Secret)`);
  });

  it("another chart's generator version is left alone, and an unseen one of another chart does not hold the operator back", async () => {
    const text = appset(`    - list:
        elements:
          - addon: argocd
            chartVersion: 7.7.8`).replace(
      `      destination:`,
      `      sources:
        - repoURL: https://charts.jetstack.io
          chart: cert-manager
          targetRevision: '{{.certManager.version}}'
      destination:`,
    );
    const withGit = text.replace(
      '    - list:',
      `    - git:
        repoURL: https://github.com/example-org/platform-config.git
        revision: HEAD
        files:
          - path: "versions/cert-manager.yaml"
    - list:`,
    );
    expect((await bumpAndRerun({ 'addons.yaml': withGit }, 'addons.yaml', argocd, charts)).diff).toEqual([
      'addons.yaml: -            chartVersion: 7.7.8',
      'addons.yaml: +            chartVersion: 7.7.10',
    ]);
  });

  it('a chart that is a parameter too, read from git files: named when nothing else pins the version; another ApplicationSet beside it still moves', async () => {
    const generic = appset(
      `    - git:
        repoURL: https://github.com/example-org/platform-config.git
        revision: HEAD
        files:
          - path: "addons/*/release.yaml"`,
      `        repoURL: '{{.repoURL}}'
        chart: '{{.chart}}'
        targetRevision: '{{.version}}'`,
    ).replace('name: addons', 'name: addons-from-git');
    expect(refusal(generic, argocd)).toBe(
      `addons.yaml: 2.13.1 is not pinned anywhere leakguard can see (documents: ApplicationSet/addons-from-git). ApplicationSet/addons-from-git spec.template.spec.source.targetRevision "{{.version}}": the chart version is a parameter the generators read outside this file: spec.generators.0.git (the files addons/*/release.yaml in https://github.com/example-org/platform-config.git); leakguard cannot see or move it there: pin it in a list generator element (or the template), or bump it yourself`,
    );
    const listed = appset(`    - list:
        elements:
          - addon: argocd
            chartVersion: 7.7.8`);
    const both = `${listed}---\n${generic}`;
    expect((await bumpAndRerun({ 'addons.yaml': both }, 'addons.yaml', argocd, charts)).diff).toEqual([
      'addons.yaml: -            chartVersion: 7.7.8',
      'addons.yaml: +            chartVersion: 7.7.10',
    ]);
  });
});
