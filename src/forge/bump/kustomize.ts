/** kustomize: `images:`, `helmCharts:` and remote `resources:` pinned at a release. */
import { isSeq } from 'yaml';
import { DIGEST_ADVICE, images } from './image-sites.js';
import { addEdit, addIgnored, addRefusal, scalarOf, type Ctx } from './site.js';
import { repositoryMatches, replaceVersionTokens, sameVersion } from './version.js';
import { versionField } from './version-field.js';
import { stringAt, valueAt } from './yaml-edit.js';

// Remote kustomize targets, including the scp-like `github.com:org/repo.git/path?ref=v1` form.
export const REMOTE = /^(https?:\/\/|git::|git@|ssh:\/\/|(github\.com|gitlab\.com|bitbucket\.org)[/:])/;

/** kustomize `images:`, `helmCharts:` and remote `resources:` pinned at a release. */
export function kustomization(ctx: Ctx, root: unknown): void {
  const imageEntries = valueAt(root, ['images']);
  let operatorImage = false;
  if (isSeq(imageEntries)) {
    imageEntries.items.forEach((entry, i) => {
      const name = stringAt(entry, 'name')?.value ?? '';
      const newName = stringAt(entry, 'newName')?.value;
      const newTag = scalarOf(ctx, valueAt(entry, ['newTag']));
      if (!newTag || !sameVersion(newTag.value, ctx.version)) return;
      const path = ['images', String(i), 'newTag'];
      if (!repositoryMatches(newName ?? name, ctx.req.image) && !repositoryMatches(name, ctx.req.image)) {
        addIgnored(ctx, newTag, path, `${newName ?? name} is not the operator's image (${ctx.req.image ?? ''})`);
        return;
      }
      operatorImage = true;
      if ((stringAt(entry, 'digest')?.value ?? '') !== '')
        addRefusal(ctx, newTag, path, `images[${i}] has a digest too: ${DIGEST_ADVICE}`);
      else versionField(ctx, newTag, path, newName ?? name, '');
    });
  }
  const charts = valueAt(root, ['helmCharts']);
  if (isSeq(charts)) {
    charts.items.forEach((entry, i) => {
      const name = stringAt(entry, 'name')?.value ?? '';
      const c = { ...ctx, owners: name ? [name] : [] };
      versionField(c, valueAt(entry, ['version']), ['helmCharts', String(i), 'version'], name);
      images(c, valueAt(entry, ['valuesInline']), ['helmCharts', String(i), 'valuesInline']);
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
        addIgnored(
          ctx,
          scalar,
          path,
          "a remote resource pinned at this version that is not recognisably the operator's (no operator image in this kustomization)",
        );
        return;
      }
      addEdit(ctx, scalar, path, scalar.value, replaced.text, { from: scalar.value, to: replaced.text });
    });
  }
}
