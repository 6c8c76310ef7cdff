/**
 * The built-in catalogue. Every range and fixed release was checked against the cited issue, fix PR
 * and release notes on the `checked` day; `lowerBoundInferred` marks a lower bound taken from when the
 * leaking code first appeared in tagged source rather than from the maintainers (read it as "at least").
 * The README's catalogue table is generated from this list (`npm run catalog:readme`).
 */
import type { KnownIssueInput } from './schema.js';

const checked = '2026-11-30';
const gh = (path: string) => `https://github.com/${path}`;
const argoNotes = 'https://argo-cd.readthedocs.io/en/stable/operator-manual/upgrading/{from}-{to}/';
const certManagerRule = { rule: 'one-minor-at-a-time', caveat: 'to the latest patch release of each minor' } as const;
const calicoRule = {
  rule: 'direct',
  caveat: 'Calico supports upgrades from the two previous minor releases (3.31 from v3.15 and later)',
} as const;
// Images each project releases at one version: an upgrade PR moves them together.
const certManagerImages = ['controller', 'cainjector', 'webhook', 'acmesolver', 'startupapicheck'].map(
  (c) => `quay.io/jetstack/cert-manager-${c}`,
);
// backing-image-manager is the one without the longhorn- prefix (the chart's image.longhorn.backingImageManager).
const longhornImages = [
  ...['manager', 'engine', 'instance-manager', 'share-manager', 'ui'].map((c) => `longhornio/longhorn-${c}`),
  'longhornio/backing-image-manager',
];
// tigera/operator is versioned apart (v1.x) and is not listed.
const calicoImages = [
  'node',
  'kube-controllers',
  'cni',
  'typha',
  'apiserver',
  'csi',
  'node-driver-registrar',
  'pod2daemon-flexvol',
].map((c) => `quay.io/calico/${c}`);

export const builtinKnownIssues: readonly KnownIssueInput[] = [
  {
    id: 'rook-operator-leak-1.14',
    title: 'Rook Ceph operator: node-failure watch grows without bound under namespace/PVC churn',
    images: ['rook/ceph'],
    // The operator's chart; `rook-ceph-cluster` (same version, same repo) is the cluster, not the operator.
    chart: 'rook-ceph',
    components: ['rook/ceph'],
    affected: ['>=1.14.0 <1.15.9', '>=1.16.0 <1.16.5'],
    lowerBoundInferred: true,
    fixed: ['1.15.9', '1.16.5'],
    workaround: {
      env: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' },
      configMap: { name: 'rook-ceph-operator-config', data: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' } },
    },
    upgrade: { rule: 'one-minor-at-a-time' },
    sources: [
      { kind: 'issue', url: gh('rook/rook/issues/15499') },
      { kind: 'release-notes', url: gh('rook/rook/releases/tag/v1.15.9'), title: 'Rook v1.15.9' },
      { kind: 'release-notes', url: gh('rook/rook/releases/tag/v1.16.5'), title: 'Rook v1.16.5' },
    ],
    checked,
  },
  {
    id: 'cert-manager-cainjector-logger-leak-1.12',
    title: 'cert-manager cainjector: fields appended to a shared logger on every Secret event',
    images: ['quay.io/jetstack/cert-manager-cainjector'],
    chart: 'cert-manager',
    components: certManagerImages,
    affected: ['>=1.12.0 <1.12.3'],
    lowerBoundInferred: true,
    fixed: ['1.12.3', '1.13.0'],
    upgrade: certManagerRule,
    sources: [
      { kind: 'issue', url: gh('cert-manager/cert-manager/issues/6217') },
      { kind: 'fix', url: gh('cert-manager/cert-manager/pull/6232') },
      { kind: 'fix', url: gh('cert-manager/cert-manager/pull/6235') },
      {
        kind: 'release-notes',
        url: 'https://cert-manager.io/docs/releases/release-notes/release-notes-1.12',
        title: 'cert-manager 1.12 release notes',
      },
    ],
    checked,
  },
  {
    id: 'cert-manager-controller-scheduler-leak',
    title: 'cert-manager controller: scheduler goroutine leak',
    images: ['quay.io/jetstack/cert-manager-controller'],
    chart: 'cert-manager',
    components: certManagerImages,
    affected: ['>=0.16.0 <1.3.2', '>=1.4.0 <1.4.2'],
    lowerBoundInferred: true,
    fixed: ['1.3.2', '1.4.2', '1.5.0'],
    upgrade: certManagerRule,
    sources: [
      { kind: 'fix', url: gh('cert-manager/cert-manager/pull/4233') },
      { kind: 'fix', url: gh('cert-manager/cert-manager/pull/4278') },
      { kind: 'fix', url: gh('cert-manager/cert-manager/pull/4279') },
    ],
    checked,
  },
  {
    id: 'argocd-otel-interceptor-leak-2.8',
    title: 'Argo CD application-controller and server: an OpenTelemetry gRPC interceptor added per client',
    images: ['quay.io/argoproj/argocd'],
    chart: 'argo-cd',
    components: ['quay.io/argoproj/argocd'],
    containers: ['argocd-application-controller', 'argocd-server'],
    affected: ['>=2.8.0 <2.8.2'],
    fixed: ['2.8.2', '2.9.0'],
    upgrade: { rule: 'minor-skips-with-notes', notes: argoNotes },
    sources: [
      { kind: 'issue', url: gh('argoproj/argo-cd/issues/15148') },
      { kind: 'fix', url: gh('argoproj/argo-cd/pull/15174') },
      { kind: 'fix', url: gh('argoproj/argo-cd/pull/15178') },
    ],
    checked,
  },
  {
    id: 'argocd-destination-slash-leak',
    title: 'Argo CD application-controller: cache key mismatch when spec.destination.server ends in "/"',
    images: ['argoproj/argocd'],
    chart: 'argo-cd',
    components: ['argoproj/argocd'],
    containers: ['argocd-application-controller'],
    affected: ['>=1.6.0 <1.7.13', '>=1.8.0 <1.8.6'],
    lowerBoundInferred: true,
    fixed: ['1.7.13', '1.8.6', '2.0.0'],
    condition: { text: 'an Application whose spec.destination.server ends in "/"' },
    upgrade: { rule: 'minor-skips-with-notes', notes: argoNotes },
    sources: [
      { kind: 'issue', url: gh('argoproj/argo-cd/issues/5578') },
      { kind: 'fix', url: gh('argoproj/argo-cd/pull/5604') },
    ],
    checked,
  },
  {
    id: 'argocd-repo-server-cmp-leak-2.13',
    title: 'Argo CD repo-server: gRPC connections to Config Management Plugin sidecars never closed (regression)',
    images: ['quay.io/argoproj/argocd'],
    chart: 'argo-cd',
    components: ['quay.io/argoproj/argocd'],
    containers: ['argocd-repo-server'],
    affected: ['>=2.13.0 <2.13.2'],
    lowerBoundInferred: true,
    fixed: ['2.13.2', '2.14.0'],
    condition: {
      text: 'Config Management Plugin sidecars on the repo-server',
      check: { podRunsCommand: 'argocd-cmp-server' },
    },
    upgrade: { rule: 'minor-skips-with-notes', notes: argoNotes },
    sources: [
      { kind: 'fix', url: gh('argoproj/argo-cd/pull/20876') },
      { kind: 'fix', url: gh('argoproj/argo-cd/pull/20894') },
    ],
    checked,
  },
  {
    id: 'keda-operator-prometheus-scaler-leak',
    title: 'KEDA operator: HTTP resources not released when a Prometheus scaler errors',
    images: ['ghcr.io/kedacore/keda'],
    chart: 'keda',
    components: ['keda', 'keda-metrics-apiserver', 'keda-admission-webhooks'].map((c) => `ghcr.io/kedacore/${c}`),
    // Seen on 2.9.2 and 2.11.2; the maintainers name no lower bound.
    affected: ['>=2.9.2 <2.13.0'],
    lowerBoundInferred: true,
    fixed: ['2.13.0'],
    upgrade: { rule: 'direct' },
    sources: [
      { kind: 'issue', url: gh('kedacore/keda/issues/5248') },
      { kind: 'fix', url: gh('kedacore/keda/pull/5293') },
    ],
    checked,
  },
  {
    id: 'keda-metrics-apiserver-logger-leak',
    title: 'KEDA metrics-apiserver: controller-runtime logger never set',
    images: ['kedacore/keda-metrics-apiserver'],
    chart: 'keda',
    components: ['kedacore/keda', 'kedacore/keda-metrics-apiserver'],
    affected: ['>=2.0.0 <2.2.0'],
    lowerBoundInferred: true,
    fixed: ['2.2.0'],
    upgrade: { rule: 'direct' },
    sources: [
      { kind: 'issue', url: gh('kedacore/keda/issues/1639') },
      { kind: 'fix', url: gh('kedacore/keda/pull/1654') },
    ],
    checked,
  },
  {
    id: 'external-secrets-gcp-iam-client-leak',
    title: 'external-secrets: IAM client never closed (GCP Secret Manager with Workload Identity)',
    images: ['ghcr.io/external-secrets/external-secrets'],
    chart: 'external-secrets',
    components: ['ghcr.io/external-secrets/external-secrets'],
    affected: ['>=0.6.0 <0.7.2'],
    lowerBoundInferred: true,
    fixed: ['0.7.2'],
    condition: { text: 'a GCP Secret Manager store using Workload Identity' },
    upgrade: {
      rule: 'current-minor-only',
      caveat: 'some minor versions need steps before the upgrade: read the release notes',
    },
    sources: [
      { kind: 'issue', url: gh('external-secrets/external-secrets/issues/1901') },
      { kind: 'fix', url: gh('external-secrets/external-secrets/pull/1902') },
    ],
    checked,
  },
  {
    id: 'longhorn-instance-manager-proxy-leak-1.11.0',
    title: 'Longhorn instance-manager: proxy connection leak (regression)',
    images: ['longhornio/longhorn-instance-manager'],
    chart: 'longhorn',
    components: longhornImages,
    affected: ['=1.11.0'],
    fixed: ['1.11.1'],
    workaround: {
      image: {
        forVersion: '1.11.0',
        tag: 'v1.11.0-hotfix-1',
        // The 1.11.0 changelog's "Hotfix" section; the chart's value for the instance-manager image tag.
        setIn:
          'the Helm value image.longhorn.instanceManager.tag (with manifests: the instance-manager image in the manifest), then upgrade the release',
      },
    },
    upgrade: { rule: 'one-minor-at-a-time', caveat: 'enforced since v1.5.0; downgrades are not supported' },
    // instance-manager pods carry the engines of every volume on their node: restarting one interrupts I/O.
    restarts: 'notify-and-pr-only',
    sources: [
      { kind: 'issue', url: gh('longhorn/longhorn/issues/12573') },
      { kind: 'issue', url: gh('longhorn/longhorn/issues/12575') },
      {
        kind: 'release-notes',
        url: gh('longhorn/longhorn/blob/master/CHANGELOG/CHANGELOG-1.11.0.md'),
        title: 'Longhorn 1.11.0 changelog ("Hotfix")',
      },
      {
        kind: 'release-notes',
        url: gh('longhorn/longhorn/blob/master/CHANGELOG/CHANGELOG-1.11.1.md'),
        title: 'Longhorn 1.11.1 changelog',
      },
    ],
    checked,
  },
  {
    id: 'calico-kube-controllers-lb-ipam-leak',
    title: 'Calico kube-controllers: LoadBalancer controller keeps stale ipsByBlock under LoadBalancer Service churn',
    images: ['quay.io/calico/kube-controllers'],
    chart: 'tigera-operator',
    components: calicoImages,
    // No fix was released for 3.30.
    affected: ['>=3.30.0 <3.31.0', '>=3.31.0 <3.31.5'],
    lowerBoundInferred: true,
    fixed: ['3.31.5', '3.32.0'],
    condition: { text: 'Calico LoadBalancer IP address management' },
    upgrade: calicoRule,
    sources: [
      { kind: 'fix', url: gh('projectcalico/calico/pull/12369') },
      { kind: 'fix', url: gh('projectcalico/calico/pull/12300') },
      { kind: 'fix', url: gh('projectcalico/calico/pull/12373') },
    ],
    checked,
  },
  {
    id: 'calico-felix-ifacestoarp-leak',
    title: 'Calico Felix in calico-node: ifacesToARP grows with interface and pod churn',
    images: ['quay.io/calico/node'],
    chart: 'tigera-operator',
    components: calicoImages,
    // No fix was released for 3.30; in tagged source the leaking code first appears in 3.30.4 and 3.31.1.
    affected: ['>=3.30.4 <3.31.0', '>=3.31.1 <3.31.5'],
    lowerBoundInferred: true,
    fixed: ['3.31.5', '3.32.0'],
    condition: { text: 'frequent interface and pod churn on the node' },
    upgrade: calicoRule,
    // calico-node is the node's network: restarting it is not a remedy to take unattended.
    restarts: 'notify-and-pr-only',
    sources: [
      { kind: 'fix', url: gh('projectcalico/calico/pull/12138') },
      { kind: 'fix', url: gh('projectcalico/calico/pull/12193') },
    ],
    checked,
  },
  {
    id: 'cluster-autoscaler-deletion-tracker-leak',
    title: 'cluster-autoscaler: NodeDeletionTracker never pruned',
    images: ['registry.k8s.io/autoscaling/cluster-autoscaler'],
    chart: 'cluster-autoscaler',
    components: ['registry.k8s.io/autoscaling/cluster-autoscaler'],
    affected: ['>=1.26.0 <1.30.0'],
    lowerBoundInferred: true,
    fixed: ['1.30.0'],
    upgrade: { rule: 'match-kubernetes-minor' },
    sources: [
      { kind: 'issue', url: gh('kubernetes/autoscaler/issues/6543') },
      { kind: 'fix', url: gh('kubernetes/autoscaler/pull/6602') },
      { kind: 'related', url: gh('kubernetes/autoscaler/pull/5274') },
    ],
    checked,
  },
];
