/**
 * Sites: the places a document keeps a version. A site either carries the edit that would move it,
 * or says why it cannot be moved (`refusal`: digest pin, version range) or is not the operator's
 * (`ignored`). The locators build them through this file's few verbs; plan.ts decides which move.
 */
import { isAlias, isScalar, type Document, type Scalar } from 'yaml';
import type { ValuesFileTool } from '../../report/bump-text.js';
import type { BumpRequest, ManifestKind } from './types.js';
import { scalarEdit, type Edit } from './yaml-edit.js';

export interface Site {
  file: string;
  document: number;
  kind: ManifestKind;
  resource: string;
  path: string;
  /** The value as written. */
  value: string;
  /** Chart names the place belongs to; [] outside any release (plain manifests, values files). */
  owners: string[];
  /** Offset of the value in its file, so the scan knows which occurrences are accounted for. */
  at: number;
  edit?: Edit;
  from?: string;
  to?: string;
  dependency?: string;
  refusal?: string;
  ignored?: string;
}

/** A HelmRelease's `spec.chartRef`: the version lives in the referenced source. */
export interface ChartRef {
  file: string;
  document: number;
  resource: string;
  kind: string;
  name: string;
  at: number;
}

/** Where values handed to a release come from, when they are not in the release itself. */
export type ValuesSource =
  /**
   * A values file by path: a Helmfile `values:` entry (relative to the helmfile), an Argo CD
   * `helm.valueFiles` entry (relative to the repository's root: `$values/…`, or the source's `path`).
   */
  | { kind: 'file'; path: string; optional: boolean; base: 'file' | 'root'; tool: ValuesFileTool }
  /** A Flux `valuesFrom` entry: the key of a ConfigMap or Secret, merged whole or at `targetPath`. */
  | { kind: 'ConfigMap' | 'Secret'; name: string; key: string; targetPath?: string; optional: boolean };

/** A reference to values held elsewhere (Helmfile `values:`, Argo CD `valueFiles`, Flux `valuesFrom`), followed by values-sources.ts. */
export interface ValuesRef {
  file: string;
  document: number;
  resource: string;
  /** Where the reference is written: `releases.0.values.1`, `spec.valuesFrom.0`. */
  path: string;
  /** As written: the path, or `ConfigMap/name`. */
  value: string;
  /** The release's chart names, as for its own sites. */
  owners: string[];
  source: ValuesSource;
}

/** One document being read by the locators, and where their sites go. */
export interface Ctx {
  file: string;
  text: string;
  doc: Document;
  req: BumpRequest;
  /** The version looked for, and the one written instead. */
  version: string;
  to: string;
  document: number;
  kind: ManifestKind;
  resource: string;
  owners: string[];
  sites: Site[];
  valuesRefs: ValuesRef[];
  /** Maps offsets inside an embedded values string back to the file. */
  mapOffset?: (innerOffset: number) => number;
}

/** The scalar at `node`, following an alias to its anchor (the anchor is what changes). */
export function scalarOf(ctx: Ctx, node: unknown): Scalar<string> | null {
  const target = isAlias(node) ? node.resolve(ctx.doc) : node;
  return isScalar(target) && typeof target.value === 'string' ? (target as Scalar<string>) : null;
}

function offsetOf(ctx: Ctx, scalar: Scalar): number {
  const start = scalar.range?.[0] ?? 0;
  return ctx.mapOffset ? ctx.mapOffset(start) : start;
}

export function siteAt(ctx: Ctx, scalar: Scalar<string>, path: string[], owners = ctx.owners): Site {
  return {
    file: ctx.file,
    document: ctx.document,
    kind: ctx.kind,
    resource: ctx.resource,
    path: path.join('.'),
    value: scalar.value,
    owners,
    at: offsetOf(ctx, scalar),
  };
}

export function addEdit(
  ctx: Ctx,
  scalar: Scalar<string>,
  path: string[],
  oldLiteral: string,
  newLiteral: string,
  change: { from: string; to: string; dependency?: string },
): void {
  let edit: Edit;
  if (ctx.mapOffset) {
    const inner = scalarEdit(ctx.text, scalar, oldLiteral, newLiteral);
    const start = ctx.mapOffset(inner.start);
    edit = { start, end: start + oldLiteral.length, text: newLiteral };
  } else {
    edit = scalarEdit(ctx.text, scalar, oldLiteral, newLiteral);
  }
  ctx.sites.push({ ...siteAt(ctx, scalar, path), edit, ...change });
}

export function addRefusal(ctx: Ctx, scalar: Scalar<string>, path: string[], refusal: string): void {
  ctx.sites.push({ ...siteAt(ctx, scalar, path), refusal });
}

export function addIgnored(ctx: Ctx, scalar: Scalar<string>, path: string[], ignored: string): void {
  ctx.sites.push({ ...siteAt(ctx, scalar, path), ignored });
}
