/** Helmfile: `releases: [{name, chart: repo/chart, version, values, set}]`. */
import { isSeq } from 'yaml';
import { helmParameters, images } from './image-sites.js';
import type { Ctx } from './site.js';
import { lastSegment } from './version.js';
import { versionField } from './version-field.js';
import { stringAt, valueAt } from './yaml-edit.js';

export function helmfile(ctx: Ctx, root: unknown): void {
  const releases = valueAt(root, ['releases']);
  if (!isSeq(releases)) return;
  releases.items.forEach((release, i) => {
    const chart = stringAt(release, 'chart')?.value ?? '';
    const c = { ...ctx, owners: chart ? [lastSegment(chart)] : [] };
    versionField(c, valueAt(release, ['version']), ['releases', String(i), 'version'], lastSegment(chart));
    images(c, valueAt(release, ['values']), ['releases', String(i), 'values']);
    helmParameters(c, valueAt(release, ['set']), ['releases', String(i), 'set']);
  });
}
