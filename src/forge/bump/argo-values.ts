/**
 * Argo CD `helm.valueFiles`: values files a source reads from Git. A `$values/…` entry is relative to
 * the root of the repository of the source with `ref: values` (multi-source); a plain entry of a Git
 * source is relative to its `path`. Files in the repository being changed are followed like Helmfile
 * values files (values-sources.ts); one in another repository, fetched from a URL, or written as a
 * template is a refusal naming it: it may pin the image tag. A plain entry of a chart from a Helm
 * repository is a file inside the chart package, which moves with the chart.
 */
import { posix } from 'node:path';
import { isMap, isSeq, type Scalar } from 'yaml';
import { valuesRefText } from '../../report/bump-text.js';
import { addRefusal, scalarOf, type Ctx } from './site.js';
import { stringAt, valueAt } from './yaml-edit.js';

/** `owner/name` of a Git URL (`https://host/owner/name.git`, `git@host:owner/name.git`, `ssh://…`), lowercased. */
export function repositoryOf(url: string): string | null {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/(?:[^@/]+@)?[^/]+\/|[^@\s/]+@[^:/\s]+:)(.+)$/i.exec(url.trim());
  if (!m?.[1]) return null;
  const parts = m[1]
    .replace(/\.git\/*$/i, '')
    .split('/')
    .filter((p) => p !== '');
  return parts.length >= 2 ? parts.slice(-2).join('/').toLowerCase() : null;
}

type Where = 'this' | 'other' | 'unknown';

/** A tag (`v1.4.0`, `2024.11.0`) or a commit SHA: not a branch a pull request can change. */
const isFixedRevision = (revision: string) => /^v?\d+(\.\d+)+([-+.][\w.-]*)?$|^[0-9a-f]{40}$/i.test(revision.trim());

function whichRepository(ctx: Ctx, url: string | undefined): Where {
  const named = url === undefined ? null : repositoryOf(url);
  if (named === null) return url === undefined ? 'unknown' : 'other';
  if (!ctx.req.repository) return 'unknown';
  return named === ctx.req.repository.toLowerCase().replace(/\.git$/, '') ? 'this' : 'other';
}

/**
 * The values files of one source (`source` at `path`), `sources` being the Application's list when it
 * has several (where `$ref` entries are looked up).
 */
export function argoValueFiles(ctx: Ctx, source: unknown, path: string[], sources: unknown): void {
  const helm = valueAt(source, ['helm']);
  const list = valueAt(helm, ['valueFiles']);
  if (!isSeq(list)) return;
  const chart = stringAt(source, 'chart')?.value;
  const optional = isMap(helm) && helm.get('ignoreMissingValueFiles') === true;
  list.items.forEach((item, i) => {
    const scalar = scalarOf(ctx, item);
    if (!scalar) return;
    const at = [...path, 'helm', 'valueFiles', String(i)];
    const refuse = (reason: string) => addRefusal(ctx, scalar, at, reason);
    const written = scalar.value.trim();
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(written)) return refuse(valuesRefText.url());
    const ref = /^\$([^/]+)\/(.*)$/.exec(written);
    if (!ref && chart) return; // inside the chart package: it moves with the chart
    if (written.includes('{{')) return refuse(valuesRefText.template());
    let url: string | undefined;
    let inRepository: string;
    if (ref) {
      const holder = isSeq(sources) ? sources.items.find((s) => stringAt(s, 'ref')?.value === ref[1]) : undefined;
      if (!holder) return refuse(valuesRefText.noRefSource(ref[1] ?? ''));
      url = stringAt(holder, 'repoURL')?.value;
      inRepository = ref[2] ?? '';
      const revision = stringAt(holder, 'targetRevision')?.value ?? '';
      if (isFixedRevision(revision)) return refuse(valuesRefText.pinnedRevision(url ?? '', revision));
    } else {
      url = stringAt(source, 'repoURL')?.value;
      inRepository = posix.join(stringAt(source, 'path')?.value ?? '', written);
    }
    if (url?.includes('{{')) return refuse(valuesRefText.template());
    const where = whichRepository(ctx, url);
    // A Git source's own files in another repository are upstream's (its manifests, its chart's values).
    if (where === 'other' && !ref) return;
    if (where === 'other') return refuse(valuesRefText.otherRepository(url ?? ''));
    if (where === 'unknown') return refuse(valuesRefText.repositoryUnknown(url ?? '(no repoURL)'));
    pushRef(ctx, scalar, at, inRepository, optional);
  });
}

function pushRef(ctx: Ctx, scalar: Scalar<string>, at: string[], path: string, optional: boolean): void {
  ctx.valuesRefs.push({
    file: ctx.file,
    document: ctx.document,
    resource: ctx.resource,
    path: at.join('.'),
    value: scalar.value,
    owners: ctx.owners,
    source: { kind: 'file', path, optional, base: 'root', tool: 'argocd' },
  });
}
