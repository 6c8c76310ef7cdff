/**
 * Helmfile: `releases: [{name, chart: repo/chart, version, values, set}]`. A `values:` entry is an
 * inline map or a path relative to the helmfile; paths are followed by values-sources.ts.
 */
import { isScalar, isSeq } from 'yaml';
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
    const values = valueAt(release, ['values']);
    if (!isSeq(values)) return;
    // A missing values file is an error for helmfile unless missingFileHandler says otherwise.
    const handler = stringAt(release, 'missingFileHandler')?.value ?? stringAt(root, 'missingFileHandler')?.value;
    values.items.forEach((entry, j) => {
      if (!isScalar(entry) || typeof entry.value !== 'string') return;
      ctx.valuesRefs.push({
        file: ctx.file,
        document: ctx.document,
        resource: ctx.resource,
        path: ['releases', String(i), 'values', String(j)].join('.'),
        value: entry.value,
        owners: c.owners,
        source: {
          kind: 'file',
          path: entry.value,
          optional: handler !== undefined && handler !== 'Error',
          base: 'file',
          tool: 'helmfile',
        },
      });
    });
  });
}
