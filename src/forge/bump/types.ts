/** Kinds of GitOps files the bumpers understand, detected per YAML document. */
export type ManifestKind = 'flux-helmrelease' | 'argocd-application' | 'helm-values' | 'kustomization' | 'manifest';

export interface BumpRequest {
  /** Version running now, with or without a leading `v` ("1.14.9" or "v1.14.9"). */
  fromVersion: string;
  /** Version to move to, with or without a leading `v`; the file's own `v` style is kept. */
  toVersion: string;
  /** File path in the repository; used to recognise `kustomization.yaml` without apiVersion. */
  fileName?: string;
  /** Only bump images whose repository ends with this (e.g. "rook/ceph"). Chart versions are not filtered. */
  image?: string;
}

/** One place in the file that was (or would be) changed. */
export interface BumpChange {
  /** Zero-based YAML document index in a multi-document file. */
  document: number;
  kind: ManifestKind;
  /** Dotted path of the value, e.g. `spec.chart.spec.version` or `spec.template.spec.containers.0.image`. */
  path: string;
  from: string;
  to: string;
}

export interface BumpResult {
  /** Kind of the first document that changed. */
  kind: ManifestKind;
  content: string;
  changes: BumpChange[];
  /** Names a PR for this bump would mention: chart names and image repositories found at the changed places. */
  dependencies: string[];
}

export type BumpErrorCode = 'version-not-found' | 'invalid-yaml' | 'unsupported-syntax';

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
