/** kustomize: `images:`, `helmCharts:` and remote `resources:` pinned at a release. */
import { isSeq } from 'yaml';
import { DIGEST_ADVICE, images, isOperators } from './image-sites.js';
import { addEdit, addIgnored, addRefusal, scalarOf, type Ctx } from './site.js';
import { parseImageRef } from '../../catalog/image.js';
import { siteText } from '../../report/bump-text.js';
import { inStyleOf, replaceVersionTokens, sameVersion } from './version.js';
import { versionField } from './version-field.js';
import { stringAt, valueAt } from './yaml-edit.js';

// Remote kustomize targets, including the scp-like `github.com:org/repo.git/path?ref=v1` form.
export const REMOTE = /^(https?:\/\/|git::|git@|ssh:\/\/|(github\.com|gitlab\.com|bitbucket\.org)[/:])/;

/**
 * kustomize `images: [{name, newName, newTag, digest}]` entries (also a Flux Kustomization's
 * `spec.images` and a HelmRelease's post-renderer): true when one is the operator's image.
 */
export function kustomizeImages(ctx: Ctx, list: unknown, at: string[]): boolean {
  let operatorImage = false;
  if (!isSeq(list)) return false;
  list.items.forEach((entry, i) => {
    const name = stringAt(entry, 'name')?.value ?? '';
    const newName = stringAt(entry, 'newName')?.value;
    const newTag = scalarOf(ctx, valueAt(entry, ['newTag']));
    if (!newTag || !sameVersion(newTag.value, ctx.version)) return;
    const path = [...at, String(i), 'newTag'];
    if (!isOperators(ctx, newName ?? name) && !isOperators(ctx, name)) {
      addIgnored(ctx, newTag, path, siteText.notOperators(newName ?? name, ctx.req.image ?? ''));
      return;
    }
    operatorImage = true;
    if ((stringAt(entry, 'digest')?.value ?? '') !== '')
      addRefusal(ctx, newTag, path, siteText.digestToo(`images[${i}] has a digest too`));
    else versionField(ctx, newTag, path, newName ?? name, '');
  });
  return operatorImage;
}

/**
 * Argo CD `kustomize.images: ['quay.io/argoproj/argocd:v2.13.1', 'name=newName:tag']`: the tag of the
 * operator's image moves.
 */
export function kustomizeImageStrings(ctx: Ctx, list: unknown, at: string[]): void {
  if (!isSeq(list)) return;
  list.items.forEach((item, i) => {
    const scalar = scalarOf(ctx, item);
    if (!scalar) return;
    const eq = scalar.value.indexOf('=');
    const ref = parseImageRef(scalar.value.slice(eq + 1));
    if (ref.tag === null || !sameVersion(ref.tag, ctx.version)) return;
    const path = [...at, String(i)];
    const name = eq < 0 ? ref.repository : scalar.value.slice(0, eq);
    if (!isOperators(ctx, ref.repository) && !isOperators(ctx, name)) {
      addIgnored(ctx, scalar, path, siteText.notOperators(ref.repository, ctx.req.image ?? ''));
    } else if (ref.digest !== null) addRefusal(ctx, scalar, path, DIGEST_ADVICE);
    else {
      const to = inStyleOf(ref.tag, ctx.to);
      addEdit(ctx, scalar, path, `:${ref.tag}`, `:${to}`, {
        from: scalar.value,
        to: scalar.value.replace(/:[^:@/]+$/, `:${to}`),
        dependency: ref.repository,
      });
    }
  });
}

/** A `helmCharts` entry's `valuesFile` and `additionalValuesFiles` (relative to the kustomization), followed like Helmfile's. */
function helmChartValuesFiles(ctx: Ctx, entry: unknown, at: string[]): void {
  const refs: { node: unknown; path: string[] }[] = [
    { node: valueAt(entry, ['valuesFile']), path: [...at, 'valuesFile'] },
  ];
  const more = valueAt(entry, ['additionalValuesFiles']);
  if (isSeq(more))
    more.items.forEach((node, j) => refs.push({ node, path: [...at, 'additionalValuesFiles', String(j)] }));
  for (const { node, path } of refs) {
    const scalar = scalarOf(ctx, node);
    if (!scalar || scalar.value === '') continue;
    ctx.valuesRefs.push({
      file: ctx.file,
      document: ctx.document,
      resource: ctx.resource,
      path: path.join('.'),
      value: scalar.value,
      owners: ctx.owners,
      source: { kind: 'file', path: scalar.value, optional: false, base: 'file', tool: 'kustomize' },
    });
  }
}

/** kustomize `images:`, `helmCharts:` and remote `resources:` pinned at a release. */
export function kustomization(ctx: Ctx, root: unknown): void {
  const operatorImage = kustomizeImages(ctx, valueAt(root, ['images']), ['images']);
  const charts = valueAt(root, ['helmCharts']);
  if (isSeq(charts)) {
    charts.items.forEach((entry, i) => {
      const name = stringAt(entry, 'name')?.value ?? '';
      const c = { ...ctx, owners: name ? [name] : [] };
      versionField(c, valueAt(entry, ['version']), ['helmCharts', String(i), 'version'], name);
      images(c, valueAt(entry, ['valuesInline']), ['helmCharts', String(i), 'valuesInline']);
      helmChartValuesFiles(c, entry, ['helmCharts', String(i)]);
    });
  }
  const imageNamespace = (ctx.req.image ?? '')
    .split('/')
    .filter((s) => s !== '' && !s.includes('.'))
    .at(0);
  const mentionsOperator = (url: string) =>
    !ctx.req.image ||
    operatorImage ||
    (imageNamespace !== undefined && new RegExp(`[/:]${imageNamespace}/`).test(url)) ||
    (ctx.req.chart !== undefined && url.includes(ctx.req.chart));
  for (const key of ['resources', 'bases', 'components']) {
    const list = valueAt(root, [key]);
    if (!isSeq(list)) continue;
    list.items.forEach((item, i) => {
      const scalar = scalarOf(ctx, item);
      if (!scalar || !REMOTE.test(scalar.value)) return;
      const replaced = replaceVersionTokens(scalar.value, ctx.version, ctx.to);
      if (!replaced.changed) return;
      const path = [key, String(i)];
      if (!mentionsOperator(scalar.value)) {
        addIgnored(ctx, scalar, path, siteText.unrecognisedRemote());
        return;
      }
      addEdit(ctx, scalar, path, scalar.value, replaced.text, { from: scalar.value, to: replaced.text });
    });
  }
}
