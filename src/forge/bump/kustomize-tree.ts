/**
 * A kustomization's tree: the kustomizations and YAML files kustomize builds from it, through local
 * `resources:` and `components:` (directories lead to their kustomization). Read breadth-first, inside
 * the repository only, and bounded: a tree larger than `limit` kustomizations is cut where it reached.
 * Pure: the files not read yet are asked for (`need`).
 */
import { posix } from 'node:path';
import { isScalar, isSeq, type Document } from 'yaml';
import { kustomizationsIn, docsOf, repoPath, type RepoFiles } from './sources.js';
import { REMOTE } from './kustomize.js';
import { valueAt } from './yaml-edit.js';

export interface KustomizeTree {
  /** Kustomization files read, the root first. */
  kustomizations: string[];
  /** YAML files listed as resources anywhere in the tree. */
  files: string[];
}

/** Local entries of `resources:` and `components:`, as repository paths (remote ones and `../` past the root left out). */
function localEntries(docs: Document[], kustomization: string): string[] {
  const out: string[] = [];
  for (const doc of docs) {
    for (const key of ['resources', 'components']) {
      const list = valueAt(doc.contents, [key]);
      if (!isSeq(list)) continue;
      for (const item of list.items) {
        if (!isScalar(item) || typeof item.value !== 'string' || REMOTE.test(item.value)) continue;
        const path = repoPath(kustomization, item.value);
        if (path !== null) out.push(path);
      }
    }
  }
  return out;
}

export function kustomizeTree(
  files: RepoFiles,
  cache: Map<string, Document[]>,
  root: string,
  limit: number,
): KustomizeTree | { need: string[] } {
  const tree: KustomizeTree = { kustomizations: [], files: [] };
  const dirs = new Set([posix.dirname(root)]);
  let frontier = [root];
  while (frontier.length > 0) {
    const missing = frontier.filter((p) => !files.has(p));
    if (missing.length > 0) return { need: missing };
    const next: string[] = [];
    for (const path of frontier) {
      const text = files.get(path);
      if (typeof text !== 'string') continue;
      tree.kustomizations.push(path);
      for (const entry of localEntries(docsOf(cache, path, text), path)) {
        if (/\.ya?ml$/i.test(entry)) tree.files.push(entry);
        else if (!dirs.has(entry)) {
          dirs.add(entry);
          next.push(...kustomizationsIn(entry));
        }
      }
    }
    if (tree.kustomizations.length + next.length / 2 > limit) break;
    frontier = next;
  }
  return tree;
}
