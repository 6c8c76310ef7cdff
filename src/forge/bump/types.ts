import type { UpgradeRule } from '../../catalog/schema.js';

/** Kinds of GitOps files the bumpers understand, detected per YAML document. */
export type ManifestKind =
  | 'flux-helmrelease'
  | 'flux-ocirepository'
  | 'argocd-application'
  | 'argocd-applicationset'
  | 'helmfile'
  | 'helm-chart'
  | 'helm-values'
  | 'kustomization'
  | 'manifest';

/** A chart version that moves because its chart ships the target app version (found in the chart repository). */
export interface ChartMove {
  chart: string;
  /** The chart version pinned now; equal to `to` when the pinned release already ships the target. */
  from: string;
  to: string;
}

export interface BumpRequest {
  /** Version running now, with or without a leading `v` ("1.14.9" or "v1.14.9"). */
  fromVersion: string;
  /** Version to move to, with or without a leading `v`; the file's own `v` style is kept. */
  toVersion: string;
  /** File path in the repository; used to recognise `kustomization.yaml` without apiVersion. */
  fileName?: string;
  /** Only bump images whose repository ends with this (e.g. "rook/ceph"). */
  image?: string;
  /**
   * The operator's own chart (e.g. `rook-ceph`): releases of other charts pinned at the same version
   * are left alone and reported. Without it, a file where several charts pin the version is refused.
   */
  chart?: string;
  /** Other charts moved together with `chart` (e.g. `rook-ceph-cluster`). */
  alsoBump?: readonly string[];
  /**
   * Image repositories released together with `image` at one version (Longhorn's manager, engine,
   * instance-manager…): those pinned at the running version move with it; one at another version refuses.
   */
  moveTogether?: readonly string[];
  /** Chart versions to move where a chart is versioned apart from its app (`argo-cd` 7.7.8 → 7.7.10). */
  chartMoves?: readonly ChartMove[];
  /** The catalogue's upgrade rule, applied to chart versions found in a chart repository. */
  rule?: UpgradeRule;
  /**
   * `owner/name` of the repository the files are in (paths are relative to its root): an Argo CD
   * `$values/…` file is followed only in it. Unknown: such a file is refused.
   */
  repository?: string;
}

/** One place in the file that was (or would be) changed. */
export interface BumpChange {
  /** Repository path of the file holding the value. */
  file: string;
  /** Zero-based YAML document index in a multi-document file. */
  document: number;
  kind: ManifestKind;
  /** `Kind/name` of the document (`OCIRepository/rook-ceph`), or '' for a values file. */
  resource: string;
  /** Dotted path of the value, e.g. `spec.chart.spec.version` or `spec.template.spec.containers.0.image`. */
  path: string;
  from: string;
  to: string;
}

/** A place the running version appears that was not changed, and why. */
export interface Sighting {
  file: string;
  resource: string;
  path: string;
  value: string;
  /** Why it was not changed, in words a person reads. */
  reason: string;
  /** `other-release`: another chart pinned at this version (listed in the PR body). */
  kind: 'other-release' | 'refused' | 'ignored';
}

export interface BumpResult {
  /** Kind of the first document that changed. */
  kind: ManifestKind;
  /** Text of the primary file after the bump (unchanged when only other files changed). */
  content: string;
  /** Every file that changes, primary first. */
  files: { path: string; content: string }[];
  changes: BumpChange[];
  /** Names a PR for this bump would mention: chart names and image repositories found at the changed places. */
  dependencies: string[];
  /** Other releases pinned at the running version, left alone (the PR body lists them). */
  alsoPinned: Sighting[];
}

export type BumpErrorCode = 'version-not-found' | 'not-bumped' | 'invalid-yaml' | 'unsupported-syntax';

/** Typed failure of a bump: the caller opens no PR and reports `code` and `message`. */
export class BumpError extends Error {
  override readonly name = 'BumpError';
  constructor(
    readonly code: BumpErrorCode,
    message: string,
  ) {
    super(message);
  }
}
