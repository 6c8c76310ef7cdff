/**
 * Argo CD: an Application's source(s) — chart version, `helm.values`, `valuesObject`, `parameters`,
 * `valueFiles` (argo-values.ts) — and an ApplicationSet's template.
 */
import { isMap, isSeq } from 'yaml';
import { siteText, valuesRefText } from '../../report/bump-text.js';
import { generatorSources, generatorTemplates } from './appset-generators.js';
import { argoValueFiles } from './argo-values.js';
import { kustomizeImageStrings } from './kustomize.js';
import { embeddedValues, helmParameters, images } from './image-sites.js';
import { addIgnored, addRefusal, scalarOf, type Ctx } from './site.js';
import { lastSegment } from './version.js';
import { versionField } from './version-field.js';
import { embeddedOffsets, stringAt, valueAt } from './yaml-edit.js';

/** One source; `revision: false` for a generator's template, whose version generatorSources reads. */
function argoSource(ctx: Ctx, source: unknown, path: string[], sources: unknown = null, revision = true): void {
  if (!isMap(source)) return;
  const chart = stringAt(source, 'chart')?.value;
  const c = { ...ctx, owners: chart ? [lastSegment(chart)] : [] };
  if (revision) versionField(c, valueAt(source, ['targetRevision']), [...path, 'targetRevision'], chart);
  const values = scalarOf(c, valueAt(source, ['helm', 'values']));
  if (values) embeddedValues(c, values, [...path, 'helm', 'values']);
  images(c, valueAt(source, ['helm', 'valuesObject']), [...path, 'helm', 'valuesObject']);
  helmParameters(c, valueAt(source, ['helm', 'parameters']), [...path, 'helm', 'parameters']);
  argoValueFiles(c, source, path, sources);
  kustomizeImageStrings(c, valueAt(source, ['kustomize', 'images']), [...path, 'kustomize', 'images']);
}

/** An Application's `spec`, or an ApplicationSet's `spec.template.spec` (and the versions its generators hold). */
export function argoApplication(ctx: Ctx, root: unknown, spec: string[] = ['spec']): void {
  argoSource(ctx, valueAt(root, [...spec, 'source']), [...spec, 'source']);
  const sources = valueAt(root, [...spec, 'sources']);
  if (isSeq(sources)) sources.items.forEach((s, i) => argoSource(ctx, s, [...spec, 'sources', String(i)], sources));
  if (ctx.kind !== 'argocd-applicationset') return;
  for (const { node, at } of generatorTemplates(root)) {
    const own = ['spec', 'source'];
    argoSource(ctx, valueAt(node, own), [...at, ...own], null, false);
    const list = valueAt(node, ['spec', 'sources']);
    if (isSeq(list))
      list.items.forEach((s, i) => argoSource(ctx, s, [...at, 'spec', 'sources', String(i)], list, false));
  }
  const { pins, unseen } = generatorSources(root);
  for (const { chart, revision, revisionPath, embedded } of pins) {
    const c = { ...ctx, owners: chart ? [lastSegment(chart)] : [] };
    if (!embedded) {
      versionField(c, revision, revisionPath, chart);
      continue;
    }
    // An element of a literal `elementsYaml`: edited inside the string, mapped back to the file.
    const mapOffset = embeddedOffsets(ctx.text, embedded.scalar);
    if (mapOffset)
      versionField({ ...c, text: embedded.scalar.value, doc: embedded.doc, mapOffset }, revision, revisionPath, chart);
    else {
      const at = revisionPath.slice(0, revisionPath.indexOf('elementsYaml') + 1);
      addRefusal(c, embedded.scalar, at, valuesRefText.notInPlace());
    }
  }
  for (const { chart, revision, revisionPath, generators } of unseen) {
    const scalar = scalarOf(ctx, revision);
    if (!scalar) continue;
    const reason = siteText.generatorsOutside(generators);
    // A chart written out says whose version it is: its release cannot move. A chart that is a parameter
    // too may be anyone's: named, so a refusal says where the version may be, but it holds nothing back.
    if (chart) addRefusal({ ...ctx, owners: [lastSegment(chart)] }, scalar, revisionPath, reason);
    else addIgnored(ctx, scalar, revisionPath, reason);
  }
}
