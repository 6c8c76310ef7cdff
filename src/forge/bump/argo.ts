/** Argo CD: an Application's source(s) — chart version, `helm.values`, `valuesObject`, `parameters` — and an ApplicationSet's template. */
import { isMap, isSeq } from 'yaml';
import { listElementSources } from './appset-list.js';
import { embeddedValues, helmParameters, images } from './image-sites.js';
import { scalarOf, type Ctx } from './site.js';
import { lastSegment } from './version.js';
import { versionField } from './version-field.js';
import { stringAt, valueAt } from './yaml-edit.js';

function argoSource(ctx: Ctx, source: unknown, path: string[]): void {
  if (!isMap(source)) return;
  const chart = stringAt(source, 'chart')?.value;
  const c = { ...ctx, owners: chart ? [lastSegment(chart)] : [] };
  versionField(c, valueAt(source, ['targetRevision']), [...path, 'targetRevision'], chart);
  const values = scalarOf(c, valueAt(source, ['helm', 'values']));
  if (values) embeddedValues(c, values, [...path, 'helm', 'values']);
  images(c, valueAt(source, ['helm', 'valuesObject']), [...path, 'helm', 'valuesObject']);
  helmParameters(c, valueAt(source, ['helm', 'parameters']), [...path, 'helm', 'parameters']);
}

/** An Application's `spec`, or an ApplicationSet's `spec.template.spec` (and its list elements' versions). */
export function argoApplication(ctx: Ctx, root: unknown, spec: string[] = ['spec']): void {
  argoSource(ctx, valueAt(root, [...spec, 'source']), [...spec, 'source']);
  const sources = valueAt(root, [...spec, 'sources']);
  if (isSeq(sources)) sources.items.forEach((s, i) => argoSource(ctx, s, [...spec, 'sources', String(i)]));
  if (ctx.kind !== 'argocd-applicationset') return;
  for (const { chart, revision, revisionPath } of listElementSources(root)) {
    versionField({ ...ctx, owners: chart ? [lastSegment(chart)] : [] }, revision, revisionPath, chart);
  }
}
