/**
 * Images in Helm values and manifests: `image: repo:tag` strings, `{repository, tag}` maps (nested per
 * component too: KEDA's `image.keda`, Longhorn's `image.longhorn.manager`), Helm parameter overrides
 * and values held as a YAML string. Only the operator's image and the components released with it move.
 */
import { isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { parseImageRef } from '../../catalog/image.js';
import { siteText } from '../../report/bump-text.js';
import { addEdit, addIgnored, addRefusal, scalarOf, type Ctx } from './site.js';
import { inStyleOf, replaceVersionTokens, repositoryMatches, sameVersion, stripV } from './version.js';
import { blockScalarMapper, parseDocuments, stringAt, valueAt, walk } from './yaml-edit.js';

export const DIGEST_ADVICE = siteText.digestPinned();

/** True when `repository` is the operator's image or one released together with it. */
export function isOperators(ctx: Ctx, repository: string): boolean {
  const group = ctx.req.moveTogether ?? [];
  return repositoryMatches(repository, ctx.req.image) || group.some((r) => repositoryMatches(repository, r));
}

/** A component released with the operator (not its own image) pinned at neither the running nor the target version. */
function strayComponent(ctx: Ctx, repository: string, tag: string): boolean {
  const group = ctx.req.moveTogether ?? [];
  if (group.length === 0 || repositoryMatches(repository, ctx.req.image)) return false;
  if (!group.some((r) => repositoryMatches(repository, r))) return false;
  return isVersionTag(tag) && !sameVersion(tag, ctx.version) && !sameVersion(tag, ctx.to);
}

function notOperators(ctx: Ctx, scalar: Scalar<string>, path: string[], repository: string): void {
  addIgnored(ctx, scalar, path, siteText.notOperators(repository, ctx.req.image ?? ''));
}

const isVersionTag = (tag: string) => /^v?\d+\.\d+\.\d+/.test(tag);

function strayRefusal(ctx: Ctx, repository: string, tag: string): string {
  return siteText.strayComponent(repository, ctx.req.image ?? 'the operator', tag, stripV(ctx.req.fromVersion));
}

/**
 * An image `{repository, tag}` map (`image:`, or nested: KEDA's `image.keda`, Longhorn's
 * `image.longhorn.manager`), or `{image, tag}` (tigera-operator's `calicoctl`): `named` is then the image.
 */
function imageMap(ctx: Ctx, image: unknown, at: string[], named?: string): void {
  if (!isMap(image)) return;
  const tag = scalarOf(ctx, image.get('tag', true));
  if (!tag) return;
  const [tagPart = '', digestPart] = tag.value.split('@');
  const repository = named ?? stringAt(image, 'repository')?.value ?? '';
  const path = [...at, 'tag'];
  if (repository !== '' && strayComponent(ctx, repository, tagPart)) {
    return addRefusal(ctx, tag, path, strayRefusal(ctx, repository, tagPart));
  }
  if (!sameVersion(tagPart, ctx.version)) return;
  if (repository !== '' && !isOperators(ctx, repository)) {
    notOperators(ctx, tag, path, repository);
  } else if (digestPart !== undefined || (stringAt(image, 'digest')?.value ?? '') !== '') {
    addRefusal(ctx, tag, path, DIGEST_ADVICE);
  } else {
    const to = inStyleOf(tagPart, ctx.to);
    addEdit(ctx, tag, path, tagPart, to, { from: tagPart, to, ...(repository ? { dependency: repository } : {}) });
  }
}

/** `image: repo:tag` strings and image maps anywhere under `node`. */
export function images(ctx: Ctx, node: unknown, basePath: string[]): void {
  for (const { path, node: map } of walk(node, basePath)) {
    if (!isMap(map)) continue;
    const image = map.get('image', true);
    if (isScalar(image) && typeof image.value === 'string') {
      const scalar = image as Scalar<string>;
      const ref = parseImageRef(scalar.value);
      if (ref.tag === null) {
        if (ref.digest === null && map.has('tag')) imageMap(ctx, map, path, ref.repository);
        continue;
      }
      const at = [...path, 'image'];
      if (strayComponent(ctx, ref.repository, ref.tag)) {
        addRefusal(ctx, scalar, at, strayRefusal(ctx, ref.repository, ref.tag));
        continue;
      }
      if (!sameVersion(ref.tag, ctx.version)) continue;
      if (!isOperators(ctx, ref.repository)) {
        notOperators(ctx, scalar, at, ref.repository);
      } else if (ref.digest !== null) {
        addRefusal(ctx, scalar, at, DIGEST_ADVICE);
      } else {
        const to = inStyleOf(ref.tag, ctx.to);
        addEdit(ctx, scalar, at, `:${ref.tag}`, `:${to}`, {
          from: scalar.value,
          to: `${ref.repository}:${to}`,
          dependency: ref.repository,
        });
      }
    } else if (isMap(image)) {
      imageMap(ctx, image, [...path, 'image']);
    } else if (path.includes('image') && path.at(-1) !== 'image' && (stringAt(map, 'repository') || map.has('tag'))) {
      // Nested per-component maps under `image:` (an override may give the tag alone: `image.keda.tag`);
      // `image:` itself was handled from its parent.
      imageMap(ctx, map, path);
    }
  }
}

/**
 * Helm parameter overrides `[{name: image.tag, value: v1.28.2}]` (Argo CD `helm.parameters`, Helmfile
 * `set`): they win over every values file, so a tag left there would keep the old version whatever the
 * chart ships. The repository is the `….repository` parameter beside it, if any.
 */
export function helmParameters(ctx: Ctx, list: unknown, basePath: string[]): void {
  if (!isSeq(list)) return;
  const byName = new Map(list.items.map((item) => [stringAt(item, 'name')?.value ?? '', item] as const));
  list.items.forEach((item, i) => {
    const name = stringAt(item, 'name')?.value ?? '';
    const value = scalarOf(ctx, valueAt(item, ['value']));
    if (!value) return;
    const repository = stringAt(byName.get(name.replace(/tag$/, 'repository')), 'value')?.value ?? '';
    helmOverride(ctx, name, value, [...basePath, String(i), 'value'], repository);
  });
}

/**
 * One value set at a dotted values path (`image.tag`, `image`): a Helm parameter, or a Flux `valuesFrom`
 * key merged at `targetPath`. `repository` is the image's repository when known ('' otherwise).
 */
export function helmOverride(ctx: Ctx, name: string, value: Scalar<string>, path: string[], repository = ''): void {
  if (/(^|\.)image$/.test(name)) {
    const ref = parseImageRef(value.value);
    if (ref.tag === null || !sameVersion(ref.tag, ctx.version)) return;
    if (!isOperators(ctx, ref.repository)) return notOperators(ctx, value, path, ref.repository);
    const to = inStyleOf(ref.tag, ctx.to);
    addEdit(ctx, value, path, `:${ref.tag}`, `:${to}`, {
      from: value.value,
      to: `${ref.repository}:${to}`,
      dependency: ref.repository,
    });
    return;
  }
  if (!/(^|\.)tag$/.test(name)) return;
  if (repository !== '' && strayComponent(ctx, repository, value.value)) {
    return addRefusal(ctx, value, path, strayRefusal(ctx, repository, value.value));
  }
  if (!sameVersion(value.value, ctx.version)) return;
  if (repository !== '' && !isOperators(ctx, repository)) return notOperators(ctx, value, path, repository);
  const to = inStyleOf(value.value, ctx.to);
  addEdit(ctx, value, path, value.value, to, {
    from: value.value,
    to,
    ...(repository ? { dependency: repository } : {}),
  });
}

/** Helm values held as a YAML string inside a manifest (Argo CD `helm.values: |`). */
export function embeddedValues(ctx: Ctx, scalar: Scalar<string>, path: string[]): void {
  const inner = scalar.value;
  if (!replaceVersionTokens(inner, ctx.version, ctx.to).changed) return;
  const mapper = blockScalarMapper(ctx.text, scalar);
  for (const doc of parseDocuments(inner, path.join('.')))
    images({ ...ctx, text: inner, doc, mapOffset: mapper }, doc.contents, path);
}
