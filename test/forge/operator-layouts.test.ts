/**
 * The catalogue's operators in the layouts their users keep them in, shaped like public platform and
 * home-ops repositories (written for these tests, in operator-layouts/): each goes through
 * `leakguard upgrade preview` with the running image only, as a user would, so the catalogue entry
 * decides the chart and the components that move together; each bump, once committed, is run again and
 * finds nothing left to do. A layout of several files is a directory; one that is a repository of its
 * own (Argo CD `$values/…` files are read from its root) says so with its root and `owner/name`. Charts
 * versioned apart from their app (argo-cd, cluster-autoscaler) are answered by an in-memory chart
 * repository; the real index.yaml and OCI registry are in test/e2e/chart-repositories.e2e.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { previewRequest, runUpgradePreview } from '../../src/cli/commands/upgrade-preview.js';
import { bumpInRepo } from '../../src/forge/bump/index.js';
import { ARGO_CD_RELEASES, memoryChartSource } from '../support/chart-releases.js';

const dir = fileURLToPath(new URL('./operator-layouts/', import.meta.url));
const charts = memoryChartSource({
  'https://argoproj.github.io/argo-helm': { 'argo-cd': ARGO_CD_RELEASES },
  'https://kubernetes.github.io/autoscaler': {
    'cluster-autoscaler': [
      ['9.34.1', '1.28.2'],
      ['9.35.0', '1.29.0'],
      ['9.36.0', '1.29.0'],
      ['9.37.0', '1.30.0'],
    ],
  },
});

/** Where a layout's repository is: its root (relative to operator-layouts/) and its `owner/name`. */
interface Checkout {
  root?: string;
  repo?: string;
}

/** The summary lines of the preview (`file resource path: from → to`), or the refusal. */
async function preview(file: string, image: string, fromVersion: string, toVersion: string, at: Checkout = {}) {
  let out = '';
  const repoRoot = join(dir, at.root ?? '');
  const code = await runUpgradePreview(
    {
      file: join(dir, file),
      fromVersion,
      toVersion,
      image,
      catalog: buildCatalog(),
      charts,
      repoRoot,
      ...(at.repo ? { repo: at.repo } : {}),
    },
    (text) => (out += `${text}\n`),
  );
  const text = out.replaceAll(dir, '');
  if (code !== 0) return text.trim().split('\n');
  const summary = text.slice(text.indexOf('would commit'));
  return summary
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
}

type Layout = [file: string, image: string, from: string, to: string, expected: string[], at?: Checkout];

const LAYOUTS: Layout[] = [
  [
    'cm-helmrelease.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    ['cm-helmrelease.yaml HelmRelease/cert-manager spec.chart.spec.version: v1.12.2 → v1.12.3'],
  ],
  [
    'cm-app.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    ['cm-app.yaml Application/cert-manager spec.source.targetRevision: v1.12.2 → v1.12.3'],
  ],
  [
    'cm-kustomization.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'cm-kustomization.yaml Kustomization resources.0: https://github.com/cert-manager/cert-manager/releases/download/v1.12.2/cert-manager.yaml → https://github.com/cert-manager/cert-manager/releases/download/v1.12.3/cert-manager.yaml',
    ],
  ],
  [
    'argocd-app.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    ['argocd-app.yaml Application/argocd spec.source.targetRevision: 7.7.8 → 7.7.10'],
  ],
  // Values from `$values/…` of a `ref:` source in another repository: they may pin the tag, and cannot be read.
  [
    'argocd-multisource.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'refused: argocd-multisource.yaml: 2.13.1 not bumped to 2.13.2 (documents: Application/argocd). Application/argocd spec.sources.0.helm.valueFiles.0 "$values/platform/argocd/values.yaml": a values file in another repository (https://github.com/acme/platform.git), which leakguard cannot read or change in this pull request: it may pin the image tag; move the tag into this repository, or bump it there yourself; Application/argocd spec.sources.0.targetRevision "7.7.8": to 7.7.10, held back: the release moves whole or not at all',
    ],
    { repo: 'acme/gitops' },
  ],
  // … and in this one (acme/platform, checked out at argocd-values-files/): followed from its root.
  [
    'argocd-values-files/clusters/prod/argocd/application.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'clusters/prod/argocd/application.yaml Application/argocd spec.sources.0.targetRevision: 7.7.8 → 7.7.10',
      'clusters/common/argocd/values.yaml global.image.tag: v2.13.1 → v2.13.2',
      'clusters/common/argocd/values.yaml repoServer.extraContainers.0.image: quay.io/argoproj/argocd:v2.13.1 → quay.io/argoproj/argocd:v2.13.2',
    ],
    { root: 'argocd-values-files', repo: 'acme/platform' },
  ],
  [
    'argocd-appset.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    ['argocd-appset.yaml ApplicationSet/argocd spec.template.spec.source.targetRevision: 7.7.8 → 7.7.10'],
  ],
  [
    'argocd-kustomization.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'argocd-kustomization.yaml Kustomization resources.0: https://raw.githubusercontent.com/argoproj/argo-cd/v2.13.1/manifests/install.yaml → https://raw.githubusercontent.com/argoproj/argo-cd/v2.13.2/manifests/install.yaml',
    ],
  ],
  [
    'argocd-kustomization-remote.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'argocd-kustomization-remote.yaml Kustomization images.0.newTag: v2.13.1 → v2.13.2',
      'argocd-kustomization-remote.yaml Kustomization resources.0: github.com/argoproj/argo-cd//manifests/cluster-install?ref=v2.13.1 → github.com/argoproj/argo-cd//manifests/cluster-install?ref=v2.13.2',
    ],
  ],
  [
    'argocd-values.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    ['argocd-values.yaml global.image.tag: v2.13.1 → v2.13.2'],
  ],
  [
    'keda-helmrelease.yaml',
    'ghcr.io/kedacore/keda',
    '2.12.1',
    '2.13.0',
    ['keda-helmrelease.yaml HelmRelease/keda spec.chart.spec.version: 2.12.1 → 2.13.0'],
  ],
  [
    'keda-values.yaml',
    'ghcr.io/kedacore/keda',
    '2.12.1',
    '2.13.0',
    [
      'keda-values.yaml image.keda.tag: 2.12.1 → 2.13.0',
      'keda-values.yaml image.metricsApiServer.tag: 2.12.1 → 2.13.0',
      'keda-values.yaml image.webhooks.tag: 2.12.1 → 2.13.0',
    ],
  ],
  [
    'eso-helmrelease.yaml',
    'ghcr.io/external-secrets/external-secrets',
    'v0.7.1',
    'v0.7.2',
    ['eso-helmrelease.yaml HelmRelease/external-secrets spec.chart.spec.version: 0.7.1 → 0.7.2'],
  ],
  [
    'eso-values.yaml',
    'ghcr.io/external-secrets/external-secrets',
    'v0.7.1',
    'v0.7.2',
    [
      'eso-values.yaml image.tag: v0.7.1 → v0.7.2',
      'eso-values.yaml webhook.image.tag: v0.7.1 → v0.7.2',
      'eso-values.yaml certController.image.tag: v0.7.1 → v0.7.2',
    ],
  ],
  [
    'eso-Chart.yaml',
    'ghcr.io/external-secrets/external-secrets',
    'v0.7.1',
    'v0.7.2',
    ['eso-Chart.yaml dependencies.0.version: 0.7.1 → 0.7.2'],
  ],
  [
    'longhorn-values.yaml',
    'longhornio/longhorn-instance-manager',
    'v1.11.0',
    'v1.11.1',
    [
      'longhorn-values.yaml image.longhorn.engine.tag: v1.11.0 → v1.11.1',
      'longhorn-values.yaml image.longhorn.manager.tag: v1.11.0 → v1.11.1',
      'longhorn-values.yaml image.longhorn.ui.tag: v1.11.0 → v1.11.1',
      'longhorn-values.yaml image.longhorn.instanceManager.tag: v1.11.0 → v1.11.1',
      'longhorn-values.yaml image.longhorn.shareManager.tag: v1.11.0 → v1.11.1',
      'longhorn-values.yaml image.longhorn.backingImageManager.tag: v1.11.0 → v1.11.1',
    ],
  ],
  [
    'longhorn-helmrelease.yaml',
    'longhornio/longhorn-instance-manager',
    'v1.11.0',
    'v1.11.1',
    ['longhorn-helmrelease.yaml HelmRelease/longhorn spec.chart.spec.version: 1.11.0 → 1.11.1'],
  ],
  [
    'calico-helmrelease.yaml',
    'quay.io/calico/kube-controllers',
    'v3.31.4',
    'v3.31.5',
    ['calico-helmrelease.yaml HelmRelease/tigera-operator spec.chart.spec.version: v3.31.4 → v3.31.5'],
  ],
  [
    'calico-values.yaml',
    'quay.io/calico/kube-controllers',
    'v3.31.4',
    'v3.31.5',
    [
      'refused: calico-values.yaml: 3.31.4 appears, but not where the operator\'s version is kept (documents: Helm values). calicoctl.tag "v3.31.4": quay.io/calico/ctl is not the operator\'s image (quay.io/calico/kube-controllers)',
    ],
  ],
  [
    'calico-kustomization.yaml',
    'quay.io/calico/kube-controllers',
    'v3.31.4',
    'v3.31.5',
    [
      'calico-kustomization.yaml Kustomization resources.0: https://raw.githubusercontent.com/projectcalico/calico/v3.31.4/manifests/tigera-operator.yaml → https://raw.githubusercontent.com/projectcalico/calico/v3.31.5/manifests/tigera-operator.yaml',
    ],
  ],
  [
    'ca-helmrelease.yaml',
    'registry.k8s.io/autoscaling/cluster-autoscaler',
    'v1.28.2',
    'v1.30.0',
    [
      'ca-helmrelease.yaml HelmRelease/cluster-autoscaler spec.chart.spec.version: 9.34.1 → 9.37.0',
      'ca-helmrelease.yaml HelmRelease/cluster-autoscaler spec.values.image.tag: v1.28.2 → v1.30.0',
    ],
  ],
  [
    'ca-deployment.yaml',
    'registry.k8s.io/autoscaling/cluster-autoscaler',
    'v1.28.2',
    'v1.30.0',
    [
      'ca-deployment.yaml Deployment/cluster-autoscaler spec.template.spec.containers.0.image: registry.k8s.io/autoscaling/cluster-autoscaler:v1.28.2 → registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.0',
    ],
  ],
  [
    'cm-values.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'cm-values.yaml image.tag: v1.12.2 → v1.12.3',
      'cm-values.yaml webhook.image.tag: v1.12.2 → v1.12.3',
      'cm-values.yaml cainjector.image.tag: v1.12.2 → v1.12.3',
      'cm-values.yaml acmesolver.image.tag: v1.12.2 → v1.12.3',
      'cm-values.yaml startupapicheck.image.tag: v1.12.2 → v1.12.3',
    ],
  ],
  [
    'argocd-git-app.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    ['argocd-git-app.yaml Application/argocd spec.source.targetRevision: v2.13.1 → v2.13.2'],
  ],
  [
    'keda-kustomization.yaml',
    'ghcr.io/kedacore/keda',
    '2.12.1',
    '2.13.0',
    [
      'keda-kustomization.yaml Kustomization resources.0: https://github.com/kedacore/keda/releases/download/v2.12.1/keda-2.12.1.yaml → https://github.com/kedacore/keda/releases/download/v2.13.0/keda-2.13.0.yaml',
    ],
  ],
  [
    'ca-app-params.yaml',
    'registry.k8s.io/autoscaling/cluster-autoscaler',
    'v1.28.2',
    'v1.30.0',
    [
      'ca-app-params.yaml Application/cluster-autoscaler spec.source.targetRevision: 9.34.1 → 9.37.0',
      'ca-app-params.yaml Application/cluster-autoscaler spec.source.helm.parameters.0.value: v1.28.2 → v1.30.0',
    ],
  ],
  [
    'ca-app-values-string.yaml',
    'registry.k8s.io/autoscaling/cluster-autoscaler',
    'v1.28.2',
    'v1.30.0',
    [
      'ca-app-values-string.yaml Application/cluster-autoscaler spec.source.targetRevision: 9.34.1 → 9.37.0',
      'ca-app-values-string.yaml Application/cluster-autoscaler spec.source.helm.values.image.tag: v1.28.2 → v1.30.0',
    ],
  ],
  [
    'longhorn-kustomization.yaml',
    'longhornio/longhorn-instance-manager',
    'v1.11.0',
    'v1.11.1',
    [
      'longhorn-kustomization.yaml Kustomization resources.0: https://raw.githubusercontent.com/longhorn/longhorn/v1.11.0/deploy/longhorn.yaml → https://raw.githubusercontent.com/longhorn/longhorn/v1.11.1/deploy/longhorn.yaml',
    ],
  ],
  [
    'eso-helmcharts.yaml',
    'ghcr.io/external-secrets/external-secrets',
    'v0.7.1',
    'v0.7.2',
    ['eso-helmcharts.yaml Kustomization helmCharts.0.version: 0.7.1 → 0.7.2'],
  ],
  [
    'argocd-range.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'refused: argocd-range.yaml: 2.13.1 not bumped to 2.13.2 (documents: Application/argocd). Application/argocd spec.source.targetRevision "7.7.*": a version range cannot be bumped to one version; pin one version (the argo-cd release that ships 2.13.1) so leakguard can move it, or widen the range to take 2.13.2 yourself',
    ],
  ],
  // One ApplicationSet for the platform: each list element names its chart and version.
  [
    'appset-list-generator.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'appset-list-generator.yaml ApplicationSet/platform spec.generators.0.list.elements.0.chartVersion: 7.7.8 → 7.7.10',
    ],
  ],
  [
    'appset-list-generator.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'appset-list-generator.yaml ApplicationSet/platform spec.generators.0.list.elements.1.chartVersion: v1.12.2 → v1.12.3',
    ],
  ],
  [
    'ca-helmfile-inline-values.yaml',
    'registry.k8s.io/autoscaling/cluster-autoscaler',
    'v1.28.2',
    'v1.30.0',
    [
      'ca-helmfile-inline-values.yaml releases.0.version: 9.34.1 → 9.37.0',
      'ca-helmfile-inline-values.yaml releases.0.values.0.image.tag: v1.28.2 → v1.30.0',
    ],
  ],
  // A Flux Kustomization whose manifests read ${CERT_MANAGER_VERSION}.
  [
    'cm-flux-kustomization-substitute.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'cm-flux-kustomization-substitute.yaml Kustomization/cert-manager spec.postBuild.substitute.CERT_MANAGER_VERSION: v1.12.2 → v1.12.3',
    ],
  ],
  // Values in other files: a Helmfile values path, Flux valuesFrom (a generated ConfigMap, a ConfigMap
  // manifest beside a SOPS Secret, one key merged at targetPath, a plain Secret).
  [
    'ca-helmfile.yaml',
    'registry.k8s.io/autoscaling/cluster-autoscaler',
    'v1.28.2',
    'v1.30.0',
    [
      'ca-helmfile.yaml releases.0.version: 9.34.1 → 9.37.0',
      'values/cluster-autoscaler.yaml image.tag: v1.28.2 → v1.30.0',
    ],
  ],
  [
    'ca-helmfile-environments/helmfile.yaml',
    'registry.k8s.io/autoscaling/cluster-autoscaler',
    'v1.28.2',
    'v1.30.0',
    [
      'refused: ca-helmfile-environments/helmfile.yaml: 1.28.2 not bumped to 1.30.0 (documents: Helmfile, Helmfile; ca-helmfile-environments/values/common.yaml: Helm values). releases.0.values.1 "values/{{ .Environment.Name }}/cluster-autoscaler.yaml": a values file per environment (staging, prod): ca-helmfile-environments/values/staging/cluster-autoscaler.yaml, ca-helmfile-environments/values/prod/cluster-autoscaler.yaml hold 1.28.2, and leakguard does not move every environment at once; bump it there yourself, or pin the tag where all share it; releases.0.version "9.34.1": to 9.37.0, held back: the release moves whole or not at all',
    ],
  ],
  [
    'keda-valuesfrom/helmrelease.yaml',
    'ghcr.io/kedacore/keda',
    '2.12.1',
    '2.13.0',
    [
      'keda-valuesfrom/helmrelease.yaml HelmRelease/keda spec.chart.spec.version: 2.12.1 → 2.13.0',
      'keda-valuesfrom/helm/values.yaml image.keda.tag: 2.12.1 → 2.13.0',
      'keda-valuesfrom/helm/values.yaml image.metricsApiServer.tag: 2.12.1 → 2.13.0',
      'keda-valuesfrom/helm/values.yaml image.webhooks.tag: 2.12.1 → 2.13.0',
    ],
  ],
  [
    'cm-valuesfrom/helmrelease.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'cm-valuesfrom/helmrelease.yaml HelmRelease/cert-manager spec.chart.spec.version: v1.12.2 → v1.12.3',
      'cm-valuesfrom/configmap.yaml ConfigMap/cert-manager-values data.values.yaml.image.tag: v1.12.2 → v1.12.3',
      'cm-valuesfrom/configmap.yaml ConfigMap/cert-manager-values data.values.yaml.webhook.image.tag: v1.12.2 → v1.12.3',
      'cm-valuesfrom/configmap.yaml ConfigMap/cert-manager-values data.values.yaml.cainjector.image.tag: v1.12.2 → v1.12.3',
    ],
  ],
  [
    'argocd-valuesfrom-targetpath/helmrelease.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'argocd-valuesfrom-targetpath/helmrelease.yaml HelmRelease/argocd spec.chart.spec.version: 7.7.8 → 7.7.10',
      'argocd-valuesfrom-targetpath/helmrelease.yaml ConfigMap/argocd-versions data.argocd-tag: v2.13.1 → v2.13.2',
    ],
  ],
  [
    'ca-valuesfrom-secret/helmrelease.yaml',
    'registry.k8s.io/autoscaling/cluster-autoscaler',
    'v1.28.2',
    'v1.30.0',
    [
      'refused: ca-valuesfrom-secret/helmrelease.yaml: 1.28.2 not bumped to 1.30.0 (documents: HelmRepository/autoscaler, HelmRelease/cluster-autoscaler; ca-valuesfrom-secret/secret.yaml: Secret/cluster-autoscaler-values). ca-valuesfrom-secret/secret.yaml: Secret/cluster-autoscaler-values stringData.values.yaml.image.tag "v1.28.2": HelmRelease/cluster-autoscaler spec.valuesFrom.0 reads its values from a Secret, which leakguard never edits: set v1.30.0 there yourself, or keep the image tag in the release\'s own values; HelmRelease/cluster-autoscaler spec.chart.spec.version "9.34.1": to 9.37.0, held back: the release moves whole or not at all',
    ],
  ],
  // CRLF line endings, tags overridden without their repositories, one through an anchor.
  [
    'keda-helmrelease-crlf.yaml',
    'ghcr.io/kedacore/keda',
    '2.12.1',
    '2.13.0',
    [
      'keda-helmrelease-crlf.yaml HelmRelease/keda spec.chart.spec.version: 2.12.1 → 2.13.0',
      'keda-helmrelease-crlf.yaml HelmRelease/keda spec.values.image.keda.tag: 2.12.1 → 2.13.0',
      'keda-helmrelease-crlf.yaml HelmRelease/keda spec.values.image.webhooks.tag: 2.12.1 → 2.13.0',
    ],
  ],
  // kustomize configMapGenerator literals: one KEDA_VERSION merged at each component's tag.
  [
    'keda-literals/helmrelease.yaml',
    'ghcr.io/kedacore/keda',
    '2.12.1',
    '2.13.0',
    [
      'keda-literals/helmrelease.yaml HelmRelease/keda spec.chart.spec.version: 2.12.1 → 2.13.0',
      'keda-literals/kustomization.yaml Kustomization configMapGenerator.0.literals.0: 2.12.1 → 2.13.0',
    ],
  ],
  // A valuesFrom ConfigMap generated by the kustomization above the release's directory, which includes both.
  [
    'cm-valuesfrom-tree/infrastructure/controllers/cert-manager/release.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'cm-valuesfrom-tree/infrastructure/controllers/cert-manager/release.yaml HelmRelease/cert-manager spec.chart.spec.version: v1.12.2 → v1.12.3',
      'cm-valuesfrom-tree/infrastructure/controllers/values/cert-manager.yaml image.tag: v1.12.2 → v1.12.3',
      'cm-valuesfrom-tree/infrastructure/controllers/values/cert-manager.yaml webhook.image.tag: v1.12.2 → v1.12.3',
      'cm-valuesfrom-tree/infrastructure/controllers/values/cert-manager.yaml cainjector.image.tag: v1.12.2 → v1.12.3',
    ],
  ],
  // ApplicationSet generators combined (matrix, merge), and one whose version lives outside the file.
  [
    'appset-matrix-clusters-list.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'appset-matrix-clusters-list.yaml ApplicationSet/platform-addons spec.generators.0.matrix.generators.1.list.elements.0.chartVersion: 7.7.8 → 7.7.10',
    ],
  ],
  [
    'appset-merge-cluster-values.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'appset-merge-cluster-values.yaml ApplicationSet/cert-manager spec.generators.0.merge.generators.0.clusters.values.certManagerVersion: v1.12.2 → v1.12.3',
      'appset-merge-cluster-values.yaml ApplicationSet/cert-manager spec.generators.0.merge.generators.2.list.elements.0.values.certManagerVersion: v1.12.2 → v1.12.3',
    ],
  ],
  // A generator's own template (Argo CD's self-management), and a literal elementsYaml list.
  [
    'appset-generator-templates.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'appset-generator-templates.yaml ApplicationSet/cluster-addons spec.generators.1.list.template.spec.source.helm.valuesObject.global.image.tag: v2.13.1 → v2.13.2',
      'appset-generator-templates.yaml ApplicationSet/cluster-addons spec.generators.1.list.template.spec.source.targetRevision: 7.7.8 → 7.7.10',
    ],
  ],
  [
    'appset-generator-templates.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'appset-generator-templates.yaml ApplicationSet/cluster-addons spec.generators.0.list.elementsYaml.0.version: v1.12.2 → v1.12.3',
    ],
  ],
  [
    'appset-git-files.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'refused: appset-git-files.yaml: 2.13.1 not bumped to 2.13.2 (documents: ApplicationSet/argocd). ApplicationSet/argocd spec.template.spec.source.targetRevision "{{.argocd.chartVersion}}": the chart version is a parameter the generators read outside this file: spec.generators.0.matrix.generators.0.git (the files clusters/*/argocd.yaml in https://github.com/example-org/platform-config.git); spec.generators.0.matrix.generators.1.clusters (each cluster\'s Secret); leakguard cannot see or move it there: pin it in a list generator element (or the template), or bump it yourself',
    ],
  ],
  // Terraform: refused, naming the chart version and the image tag set beside it (not the module's own version).
  [
    'cm-helm-release.tf',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'refused: cm-helm-release.tf is Terraform (HCL), which leakguard does not edit: line 5: version          = "v1.12.2" (resource "helm_release" "cert_manager"); line 16: value = "v1.12.2" (resource "helm_release" "cert_manager"). Change the version there yourself, or point upgrade.file at a YAML file (HelmRelease, Application, kustomization, values)',
    ],
  ],
  // An umbrella chart with its Chart.lock: helm's digest cannot be written by hand, so the lock is named.
  [
    'argocd-umbrella/Chart.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'refused: argocd-umbrella/Chart.yaml: 2.13.1 not bumped to 2.13.2 (documents: Chart.yaml). argocd-umbrella/Chart.lock: dependencies.0.version "7.7.8": Chart.lock locks argo-cd with a digest of Chart.yaml\'s dependencies, and a lock out of step makes `helm dependency build` fail: set argo-cd to 7.7.10 in Chart.yaml and run `helm dependency update` yourself; dependencies.0.version "7.7.8": to 7.7.10, held back: the release moves whole or not at all; appVersion "v2.13.1": not a field leakguard edits',
    ],
  ],
  // Image overrides kustomize applies: an Argo CD Application's kustomize.images, a Flux Kustomization's spec.images.
  [
    'argocd-app-kustomize-images.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'argocd-app-kustomize-images.yaml Application/argocd spec.source.targetRevision: v2.13.1 → v2.13.2',
      'argocd-app-kustomize-images.yaml Application/argocd spec.source.kustomize.images.0: quay.io/argoproj/argocd=registry.internal.example.com/mirror/argoproj/argocd:v2.13.1 → quay.io/argoproj/argocd=registry.internal.example.com/mirror/argoproj/argocd:v2.13.2',
    ],
  ],
  [
    'cm-flux-kustomization-images.yaml',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'cm-flux-kustomization-images.yaml Kustomization/cert-manager spec.images.0.newTag: v1.12.2 → v1.12.3',
      'cm-flux-kustomization-images.yaml Kustomization/cert-manager spec.images.1.newTag: v1.12.2 → v1.12.3',
      'cm-flux-kustomization-images.yaml Kustomization/cert-manager spec.images.2.newTag: v1.12.2 → v1.12.3',
      'cm-flux-kustomization-images.yaml Kustomization/cert-manager spec.images.3.newTag: v1.12.2 → v1.12.3',
    ],
  ],
  // kustomize helmCharts with its values files beside the kustomization.
  [
    'eso-kustomize-helm/kustomization.yaml',
    'ghcr.io/external-secrets/external-secrets',
    'v0.7.1',
    'v0.7.2',
    [
      'eso-kustomize-helm/kustomization.yaml Kustomization helmCharts.0.version: 0.7.1 → 0.7.2',
      'eso-kustomize-helm/values.yaml image.tag: v0.7.1 → v0.7.2',
      'eso-kustomize-helm/values.yaml webhook.image.tag: v0.7.1 → v0.7.2',
      'eso-kustomize-helm/values.yaml certController.image.tag: v0.7.1 → v0.7.2',
    ],
  ],
  // Helmfile v1 `.gotmpl`: the version is a template's default, never edited; the line is named.
  [
    'cm-helmfile-gotmpl/helmfile.yaml.gotmpl',
    'quay.io/jetstack/cert-manager-cainjector',
    'v1.12.2',
    'v1.12.3',
    [
      'refused: cm-helmfile-gotmpl/helmfile.yaml.gotmpl: 1.12.2 not bumped to 1.12.3 (documents: Helmfile, Helmfile). line 15 "version: {{ .Values | get "certManager.version" "v1.12.2" }}": 1.12.2 is inside a Go template expression, which leakguard does not evaluate or edit: change it there yourself, or write the version as a plain value',
    ],
  ],
  // A kustomize remote in the scp-like form platform templates use.
  [
    'argocd-kustomization-scp.yaml',
    'quay.io/argoproj/argocd',
    'v2.13.1',
    'v2.13.2',
    [
      'argocd-kustomization-scp.yaml Kustomization resources.1: github.com:argoproj/argo-cd.git/manifests/cluster-install?ref=v2.13.1 → github.com:argoproj/argo-cd.git/manifests/cluster-install?ref=v2.13.2',
    ],
  ],
  // A vendored release (a rendered chart in one file): the running image's components alone would leave
  // the version in labels and the manager's --*-image arguments.
  [
    'longhorn-vendored.yaml',
    'longhornio/longhorn-instance-manager',
    'v1.11.0',
    'v1.11.1',
    [
      'refused: longhorn-vendored.yaml is a whole vendored release (7 documents, with CustomResourceDefinition, ClusterRole, ClusterRoleBinding, DaemonSet, Deployment): 1.11.0 appears in 15 places and leakguard would change 2, leaving a half-upgraded install. Replace the file with the 1.11.1 release manifest, or install the release with its chart so leakguard can bump one version',
    ],
  ],
];

/** Reads the layouts' files from `root`, with the commits made so far laid over them. */
function reader(written: Map<string, string>, root: string) {
  return async (path: string) => {
    const over = written.get(path);
    if (over !== undefined) return { text: over };
    try {
      return { text: await readFile(join(root, path), 'utf8') };
    } catch {
      return null;
    }
  };
}

describe("upgrade preview over the catalogue operators' layouts", () => {
  it.each(LAYOUTS)('%s (%s %s → %s)', async (file, image, from, to, expected, at) => {
    expect(await preview(file, image, from, to, at)).toEqual(expected);
  });

  const bumped = LAYOUTS.filter(([, , , , expected]) => !expected[0]?.startsWith('refused:'));
  it.each(bumped)(
    '%s (%s %s → %s): a rerun over the commit finds nothing left to do',
    async (file, image, from, to, _expected, at = {}) => {
      const repo = at.repo ? { repo: at.repo } : {};
      const req = previewRequest({ file, fromVersion: from, toVersion: to, image, catalog: buildCatalog(), ...repo });
      const root = join(dir, at.root ?? '');
      const primary = relative(root, join(dir, file));
      const written = new Map<string, string>();
      const first = await bumpInRepo(primary, reader(written, root), req, charts);
      if (first.kind !== 'bumped') throw new Error(`expected a bump, got ${first.kind}`);
      // One commit per file: a file written twice would be committed over its own first commit.
      const paths = first.result.files.map((f) => f.path);
      expect(new Set(paths).size).toBe(paths.length);
      for (const f of first.result.files) {
        // Only version bytes change: line endings (CRLF too) and the line count stay.
        const before = (await reader(new Map(), root)(f.path))?.text ?? '';
        expect(f.content.split('\r\n').length).toBe(before.split('\r\n').length);
        expect(f.content.split('\n').length).toBe(before.split('\n').length);
        written.set(f.path, f.content);
      }
      expect((await bumpInRepo(primary, reader(written, root), req, charts)).kind).toBe('already');
    },
  );
});
