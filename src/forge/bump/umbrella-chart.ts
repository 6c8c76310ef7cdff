/** An umbrella Chart.yaml: `dependencies: [{name, version, repository}]` (its own version and appVersion are yours). */
import { isSeq } from 'yaml';
import type { Ctx } from './site.js';
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
