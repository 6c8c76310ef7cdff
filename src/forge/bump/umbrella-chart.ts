/**
 * An umbrella Chart.yaml: `dependencies: [{name, version, repository}]` (its own version and appVersion
 * are yours). A `Chart.lock` beside it pins each dependency with a digest of Chart.yaml's list: a
 * dependency moved without its lock makes `helm dependency build` fail ("out of sync"), and the digest
 * is helm's to compute, so such a dependency is refused, naming the lock's line.
 */
import { posix } from 'node:path';
import { isSeq, type Document } from 'yaml';
import { chartLockText } from '../../report/bump-text.js';
import type { Ctx, Site } from './site.js';
import { docsOf, type RepoFiles } from './sources.js';
import type { Sighting } from './types.js';
import { versionField } from './version-field.js';
import { stringAt, valueAt } from './yaml-edit.js';

export function umbrellaChart(ctx: Ctx, root: unknown): void {
  const deps = valueAt(root, ['dependencies']);
  if (!isSeq(deps)) return;
  deps.items.forEach((dep, i) => {
    const name = stringAt(dep, 'name')?.value ?? '';
    const path = ['dependencies', String(i), 'version'];
    versionField({ ...ctx, owners: name ? [name] : [] }, valueAt(dep, ['version']), path, name);
  });
}

const isDependency = (site: Site) => site.kind === 'helm-chart' && /^dependencies\.\d+\.version$/.test(site.path);

/** The lock files beside the Chart.yaml files whose dependencies move. */
export function lockFiles(moving: readonly Site[]): string[] {
  return [...new Set(moving.filter(isDependency).map((s) => posix.join(posix.dirname(s.file), 'Chart.lock')))];
}

/** A refusal for each moving dependency that a Chart.lock beside it locks. */
export function lockedDependencies(
  files: RepoFiles,
  cache: Map<string, Document[]>,
  moving: readonly Site[],
): Sighting[] {
  const out: Sighting[] = [];
  for (const site of moving.filter(isDependency)) {
    const lock = posix.join(posix.dirname(site.file), 'Chart.lock');
    const text = files.get(lock);
    if (typeof text !== 'string') continue;
    for (const doc of docsOf(cache, lock, text)) {
      const deps = valueAt(doc.contents, ['dependencies']);
      if (!isSeq(deps)) continue;
      deps.items.forEach((dep, i) => {
        const version = stringAt(dep, 'version')?.value;
        if (stringAt(dep, 'name')?.value !== site.owners[0] || version === undefined) return;
        const path = `dependencies.${i}.version`;
        out.push({
          file: lock,
          resource: '',
          path,
          value: version,
          kind: 'refused',
          reason: chartLockText(site.owners[0] ?? '', site.to ?? ''),
        });
      });
    }
  }
  return out;
}
