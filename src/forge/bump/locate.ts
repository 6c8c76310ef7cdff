/**
 * Locators: where each kind of GitOps file keeps the operator's version. Each returns edits for the
 * values equal to `fromVersion`; nothing else in the file is touched.
 */
import { isMap, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import { BumpError, type BumpChange, type BumpRequest, type ManifestKind } from './types.js';
import { parseImageRef } from '../../catalog/image.js';
import { inStyleOf, repositoryMatches, sameVersion } from './version.js';
import { blockScalarMapper, parseDocuments, scalarEdit, stringAt, valueAt, walk, type Edit } from './yaml-edit.js';

export interface Located {
  edits: Edit[];
  changes: BumpChange[];
  dependencies: string[];
}

interface Ctx {
  text: string;
  req: BumpRequest;
  document: number;
  kind: ManifestKind;
  out: Located;
  /** Offset of `text` inside the file (non-zero for embedded values) and how to map it. */
  mapOffset?: (innerOffset: number) => number;
}

export function detectKind(doc: Document, fileName: string | undefined): ManifestKind {
  const root = doc.contents;
  const apiVersion = stringAt(root, 'apiVersion')?.value ?? '';
  const kind = stringAt(root, 'kind')?.value ?? '';
  if (kind === 'HelmRelease' && apiVersion.startsWith('helm.toolkit.fluxcd.io/')) return 'flux-helmrelease';
  if (kind === 'Application' && apiVersion.startsWith('argoproj.io/')) return 'argocd-application';
  if (kind === 'Kustomization' && apiVersion.startsWith('kustomize.config.k8s.io/')) return 'kustomization';
  const base = (fileName ?? '').split('/').pop() ?? '';
  if (apiVersion === '' && kind === '' && /^kustomization\.ya?ml$/i.test(base)) return 'kustomization';
  if (apiVersion !== '' && kind !== '') return 'manifest';
  return 'helm-values';
}

function record(ctx: Ctx, scalar: Scalar, oldLiteral: string, newLiteral: string, path: string[], from: string, to: string): void {
  let edit: Edit;
  if (ctx.mapOffset) {
    const inner = scalarEdit(ctx.text, scalar, oldLiteral, newLiteral);
    edit = { start: ctx.mapOffset(inner.start), end: ctx.mapOffset(inner.start) + oldLiteral.length, text: newLiteral };
  } else {
    edit = scalarEdit(ctx.text, scalar, oldLiteral, newLiteral);
  }
  ctx.out.edits.push(edit);
  ctx.out.changes.push({ document: ctx.document, kind: ctx.kind, path: path.join('.'), from, to });
}

function addDependency(ctx: Ctx, name: string): void {
  if (name !== '' && !ctx.out.dependencies.includes(name)) ctx.out.dependencies.push(name);
}

/** A plain version field (chart version, targetRevision, newTag). */
function bumpVersionField(ctx: Ctx, node: unknown, path: string[]): boolean {
  if (!isScalar(node) || typeof node.value !== 'string' || !sameVersion(node.value, ctx.req.fromVersion)) return false;
  const to = inStyleOf(node.value, ctx.req.toVersion);
  record(ctx, node, node.value, to, path, node.value, to);
  return true;
}

/** `image: repo:tag` strings and `image: {repository, tag}` maps anywhere under `node`. */
function bumpImages(ctx: Ctx, node: unknown, basePath: string[]): void {
  for (const { path, node: map } of walk(node, basePath)) {
    if (!isMap(map)) continue;
    const image = map.get('image', true);
    if (isScalar(image) && typeof image.value === 'string') {
      const ref = parseImageRef(image.value);
      if (ref.tag === null || ref.digest !== null || !sameVersion(ref.tag, ctx.req.fromVersion)) continue;
      if (!repositoryMatches(ref.repository, ctx.req.image)) continue;
      const to = inStyleOf(ref.tag, ctx.req.toVersion);
      record(ctx, image, `:${ref.tag}`, `:${to}`, [...path, 'image'], image.value, `${ref.repository}:${to}`);
      addDependency(ctx, ref.repository);
    } else if (isMap(image)) {
      const tag = stringAt(image, 'tag');
      const repository = stringAt(image, 'repository')?.value ?? '';
      if (!tag || !sameVersion(tag.value, ctx.req.fromVersion)) continue;
      if (repository !== '' && !repositoryMatches(repository, ctx.req.image)) continue;
      const to = inStyleOf(tag.value, ctx.req.toVersion);
      record(ctx, tag, tag.value, to, [...path, 'image', 'tag'], tag.value, to);
      addDependency(ctx, repository);
    }
  }
}

/** Helm values held as a YAML string inside a manifest (Argo CD `helm.values: |`). */
function bumpEmbeddedValues(ctx: Ctx, scalar: Scalar, path: string[]): void {
  const inner = String(scalar.value);
  const docs = parseDocuments(inner, path.join('.'));
  const mapper = blockScalarMapper(ctx.text, scalar);
  docs.forEach((doc) => {
    bumpImages({ ...ctx, text: inner, mapOffset: mapper }, doc.contents, path);
  });
}

function locateHelmRelease(ctx: Ctx, root: unknown): void {
  const version = valueAt(root, ['spec', 'chart', 'spec', 'version']);
  if (bumpVersionField(ctx, version, ['spec', 'chart', 'spec', 'version'])) {
    const chart = valueAt(root, ['spec', 'chart', 'spec', 'chart']);
    if (isScalar(chart)) addDependency(ctx, String(chart.value));
  }
  bumpImages(ctx, valueAt(root, ['spec', 'values']), ['spec', 'values']);
}

function locateArgoSource(ctx: Ctx, source: unknown, path: string[]): void {
  if (bumpVersionField(ctx, valueAt(source, ['targetRevision']), [...path, 'targetRevision'])) {
    const chart = valueAt(source, ['chart']);
    if (isScalar(chart)) addDependency(ctx, String(chart.value));
  }
  const values = valueAt(source, ['helm', 'values']);
  if (isScalar(values) && typeof values.value === 'string') bumpEmbeddedValues(ctx, values, [...path, 'helm', 'values']);
  bumpImages(ctx, valueAt(source, ['helm', 'valuesObject']), [...path, 'helm', 'valuesObject']);
}

function locateArgoApplication(ctx: Ctx, root: unknown): void {
  locateArgoSource(ctx, valueAt(root, ['spec', 'source']), ['spec', 'source']);
  const sources = valueAt(root, ['spec', 'sources']);
  if (isSeq(sources)) sources.items.forEach((s, i) => locateArgoSource(ctx, s, ['spec', 'sources', String(i)]));
}

function locateKustomization(ctx: Ctx, root: unknown): void {
  const images = valueAt(root, ['images']);
  if (!isSeq(images)) return;
  images.items.forEach((entry, i) => {
    const name = stringAt(entry, 'name')?.value ?? '';
    const newName = stringAt(entry, 'newName')?.value;
    if (!repositoryMatches(newName ?? name, ctx.req.image) && !repositoryMatches(name, ctx.req.image)) return;
    if (bumpVersionField(ctx, valueAt(entry, ['newTag']), ['images', String(i), 'newTag'])) addDependency(ctx, newName ?? name);
  });
}

export function locateAll(text: string, req: BumpRequest): Located & { kinds: ManifestKind[] } {
  const docs = parseDocuments(text, req.fileName ?? 'file');
  const out: Located = { edits: [], changes: [], dependencies: [] };
  const kinds: ManifestKind[] = [];
  docs.forEach((doc, document) => {
    const kind = detectKind(doc, req.fileName);
    kinds.push(kind);
    const ctx: Ctx = { text, req, document, kind, out };
    const root = doc.contents;
    switch (kind) {
      case 'flux-helmrelease':
        return locateHelmRelease(ctx, root);
      case 'argocd-application':
        return locateArgoApplication(ctx, root);
      case 'kustomization':
        return locateKustomization(ctx, root);
      case 'helm-values':
      case 'manifest':
        return bumpImages(ctx, root, []);
    }
  });
  if (docs.length === 0) throw new BumpError('invalid-yaml', `${req.fileName ?? 'file'} holds no YAML document`);
  return { ...out, kinds };
}
