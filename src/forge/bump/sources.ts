/**
 * Where references lead: a HelmRelease's `chartRef` to the OCIRepository that pins the chart (values
 * kept elsewhere: values-sources.ts), and the file helpers both use. Pure: when a reference leads to a
 * file not read yet, the answer is `need` (plan.ts asks again).
 */
import { posix } from 'node:path';
import { isScalar, isSeq, type Document } from 'yaml';
import { siteText } from '../../report/bump-text.js';
import { detectKind } from './document-kind.js';
import type { Scope } from './locate.js';
import type { ChartRef } from './site.js';
import type { Sighting } from './types.js';
import { parseDocuments, stringAt, valueAt } from './yaml-edit.js';

/** Files read so far: text, or null when the file does not exist. */
export type RepoFiles = ReadonlyMap<string, string | null>;

export interface Resolved {
  scopes: Scope[];
  /** References that lead nowhere leakguard can edit, as refusals. */
  unresolved: Sighting[];
}

export function docsOf(cache: Map<string, Document[]>, path: string, text: string): Document[] {
  let docs = cache.get(path);
  if (!docs) {
    docs = parseDocuments(text, path);
    cache.set(path, docs);
  }
  return docs;
}

function findOciRepository(docs: Document[], name: string, file: string): number {
  return docs.findIndex(
    (d) =>
      detectKind(d, file) === 'flux-ocirepository' &&
      stringAt(valueAt(d.contents, ['metadata']), 'name')?.value === name,
  );
}

/** Local files a kustomization lists under `resources:` (relative to it, inside the repository). */
export function localResources(docs: Document[], kustomizationPath: string): string[] {
  const out: string[] = [];
  for (const doc of docs) {
    const list = valueAt(doc.contents, ['resources']);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (
        !isScalar(item) ||
        typeof item.value !== 'string' ||
        /^[a-z]+:\/\/|^[\w.-]+\.(com|org|io)[/:]/i.test(item.value)
      )
        continue;
      if (!/\.ya?ml$/i.test(item.value)) continue;
      const path = repoPath(kustomizationPath, item.value);
      if (path !== null) out.push(path);
    }
  }
  return out;
}

/** Where a chartRef leads: the same file, a sibling `ocirepository.yaml`, or a file the directory's kustomization lists. */
export function followChartRefs(
  primary: string,
  files: RepoFiles,
  cache: Map<string, Document[]>,
  refs: ChartRef[],
): Resolved | { need: string[] } {
  const primaryDocs = docsOf(cache, primary, files.get(primary) ?? '');
  const scopes: Scope[] = [];
  const unresolved: Sighting[] = [];
  const need = new Set<string>();
  for (const ref of refs) {
    const where = { file: ref.file, resource: ref.resource, path: 'spec.chartRef', value: `${ref.kind}/${ref.name}` };
    if (ref.kind !== 'OCIRepository') {
      unresolved.push({
        ...where,
        kind: 'refused',
        reason: siteText.chartRefKind(ref.kind),
      });
      continue;
    }
    if (findOciRepository(primaryDocs, ref.name, primary) >= 0) continue;
    const dir = posix.dirname(primary);
    const kustomizations = ['kustomization.yaml', 'kustomization.yml'].map((f) => posix.join(dir, f));
    const listed = kustomizations.flatMap((p) => {
      const text = files.get(p);
      return typeof text === 'string' ? localResources(docsOf(cache, p, text), p) : [];
    });
    // Read in tiers, so the common layout (ocirepository.yaml beside the HelmRelease) costs one read.
    const tiers = [
      [posix.join(dir, 'ocirepository.yaml')],
      [posix.join(dir, 'ocirepository.yml'), ...kustomizations],
      listed,
    ];
    const looked: string[] = [primary];
    let found = false;
    let waiting = false;
    for (const tier of tiers) {
      const candidates = tier.filter((p) => p !== primary && !looked.includes(p));
      const missing = candidates.filter((p) => !files.has(p));
      if (missing.length > 0) {
        missing.forEach((p) => need.add(p));
        waiting = true;
        break;
      }
      for (const path of candidates) {
        const text = files.get(path);
        if (typeof text !== 'string') continue;
        looked.push(path);
        const docs = docsOf(cache, path, text);
        const index = findOciRepository(docs, ref.name, path);
        if (index < 0) continue;
        const same = scopes.find((s) => s.file === path);
        if (same) same.only = [...(same.only ?? []), index];
        else scopes.push({ file: path, text, docs, only: [index] });
        found = true;
        break;
      }
      if (found) break;
    }
    if (!found && !waiting) {
      unresolved.push({
        ...where,
        kind: 'refused',
        reason: siteText.chartRefNowhere(ref.name, looked),
      });
    }
  }
  return need.size > 0 ? { need: [...need] } : { scopes, unresolved };
}

export const kustomizationsIn = (dir: string) =>
  ['kustomization.yaml', 'kustomization.yml'].map((f) => posix.join(dir, f));

/** A path written in `from` (relative to its directory), or null when it leaves the repository. */
export function repoPath(from: string, relative: string): string | null {
  const path = posix.normalize(posix.join(posix.dirname(from), relative));
  return path.startsWith('../') || path === '..' || posix.isAbsolute(relative) ? null : path;
}

/** A path written relative to the repository's root (Argo CD `$values/…`), or null when it leaves it. */
export function rootPath(relative: string): string | null {
  const path = posix.normalize(relative.replace(/^\/+/, ''));
  return path.startsWith('../') || path === '..' || path === '.' ? null : path;
}
