/**
 * Flux: a HelmRelease's chart version and values (its `chartRef` and `valuesFrom` are followed by
 * sources.ts and values-sources.ts), an OCIRepository's `spec.ref.tag`, and a Kustomization's
 * `postBuild.substitute` variables.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import { siteText } from '../../report/bump-text.js';
import { images } from './image-sites.js';
import { kustomizeImages } from './kustomize.js';
import { addEdit, addIgnored, addRefusal, scalarOf, type ChartRef, type Ctx } from './site.js';
import { inStyleOf, lastSegment, sameVersion, stripV } from './version.js';
import { versionField } from './version-field.js';
import { stringAt, valueAt } from './yaml-edit.js';

export function helmRelease(ctx: Ctx, root: unknown, refs: ChartRef[]): void {
  const chart = stringAt(valueAt(root, ['spec', 'chart', 'spec']), 'chart')?.value;
  const ref = valueAt(root, ['spec', 'chartRef']);
  const name = stringAt(valueAt(root, ['metadata']), 'name')?.value ?? '';
  const owners = chart !== undefined ? [lastSegment(chart)] : [stringAt(ref, 'name')?.value ?? '', name];
  valuesFrom({ ...ctx, owners: owners.filter((n) => n !== '') }, valueAt(root, ['spec', 'valuesFrom']));
  // Post-renderers rewrite the rendered images: a tag there wins over the chart's and the values'.
  const renderers = valueAt(root, ['spec', 'postRenderers']);
  if (isSeq(renderers)) {
    renderers.items.forEach((r, i) => {
      const at = ['spec', 'postRenderers', String(i), 'kustomize', 'images'];
      kustomizeImages({ ...ctx, owners: owners.filter((n) => n !== '') }, valueAt(r, at.slice(3)), at);
    });
  }
  if (chart !== undefined) {
    versionField(
      { ...ctx, owners },
      valueAt(root, ['spec', 'chart', 'spec', 'version']),
      ['spec', 'chart', 'spec', 'version'],
      chart,
    );
    images({ ...ctx, owners }, valueAt(root, ['spec', 'values']), ['spec', 'values']);
  } else if (isMap(ref)) {
    const refName = stringAt(ref, 'name')?.value ?? '';
    refs.push({
      file: ctx.file,
      document: ctx.document,
      resource: ctx.resource,
      kind: stringAt(ref, 'kind')?.value ?? '',
      name: refName,
      at: ref.range?.[0] ?? 0,
    });
    images({ ...ctx, owners: [refName, name].filter((n) => n !== '') }, valueAt(root, ['spec', 'values']), [
      'spec',
      'values',
    ]);
  }
}

/** `spec.valuesFrom: [{kind, name, valuesKey, targetPath, optional}]`: values held in a ConfigMap or Secret. */
function valuesFrom(ctx: Ctx, list: unknown): void {
  if (!isSeq(list)) return;
  list.items.forEach((entry, i) => {
    const kind = stringAt(entry, 'kind')?.value;
    const name = stringAt(entry, 'name')?.value;
    if ((kind !== 'ConfigMap' && kind !== 'Secret') || !name) return;
    const targetPath = stringAt(entry, 'targetPath')?.value;
    ctx.valuesRefs.push({
      file: ctx.file,
      document: ctx.document,
      resource: ctx.resource,
      path: `spec.valuesFrom.${i}`,
      value: `${kind}/${name}`,
      owners: ctx.owners,
      source: {
        kind,
        name,
        key: stringAt(entry, 'valuesKey')?.value ?? 'values.yaml',
        ...(targetPath ? { targetPath } : {}),
        optional: isMap(entry) && entry.get('optional') === true,
      },
    });
  });
}

/** Flux OCIRepository: `spec.ref.tag`; a digest or a semver range cannot be bumped offline. */
export function ociRepository(ctx: Ctx, root: unknown): void {
  const url = stringAt(valueAt(root, ['spec']), 'url')?.value ?? '';
  const name = stringAt(valueAt(root, ['metadata']), 'name')?.value ?? '';
  const c = { ...ctx, owners: [lastSegment(url), name].filter((n) => n !== '') };
  const ref = valueAt(root, ['spec', 'ref']);
  const tag = scalarOf(c, valueAt(ref, ['tag']));
  const semver = scalarOf(c, valueAt(ref, ['semver']));
  const digest = scalarOf(c, valueAt(ref, ['digest']));
  if (digest && digest.value !== '') {
    if (tag && sameVersion(tag.value, c.version))
      addRefusal(c, tag, ['spec', 'ref', 'tag'], siteText.digestToo('spec.ref.digest is set too'));
    else addRefusal(c, digest, ['spec', 'ref', 'digest'], siteText.ociDigestOnly());
  } else if (semver) {
    const [from, to] = [stripV(ctx.req.fromVersion), stripV(ctx.req.toVersion)];
    addRefusal(c, semver, ['spec', 'ref', 'semver'], siteText.ociSemver(from, to));
  } else {
    versionField(c, valueAt(ref, ['tag']), ['spec', 'ref', 'tag'], lastSegment(url) || name);
  }
}

/**
 * Flux Kustomization `spec.postBuild.substitute`: a variable named for the operator's chart or image
 * (`CERT_MANAGER_VERSION`, `ARGOCD_TAG`) holds its version for the manifests `${…}` reads it in.
 */
export function fluxSubstitutions(ctx: Ctx, root: unknown): void {
  if (!(stringAt(root, 'apiVersion')?.value ?? '').startsWith('kustomize.toolkit.fluxcd.io/')) return;
  // `spec.images`: kustomize image overrides applied to what the Kustomization builds.
  kustomizeImages(ctx, valueAt(root, ['spec', 'images']), ['spec', 'images']);
  const vars = valueAt(root, ['spec', 'postBuild', 'substitute']);
  if (!isMap(vars)) return;
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const names = [ctx.req.chart, ctx.req.image, ...(ctx.req.alsoBump ?? [])]
    .filter((n): n is string => n !== undefined && n !== '')
    .map((n) => slug(lastSegment(n)));
  for (const pair of vars.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = scalarOf(ctx, pair.value);
    if (!value || !sameVersion(value.value, ctx.version)) continue;
    const path = ['spec', 'postBuild', 'substitute', key];
    const named = slug(key.replace(/_(version|tag|release)$/i, ''));
    if (!names.includes(named)) {
      addIgnored(ctx, value, path, siteText.otherSubstitution(names));
      continue;
    }
    const to = inStyleOf(value.value, ctx.to);
    addEdit(ctx, value, path, value.value, to, { from: value.value, to });
  }
}
