/**
 * Locators: the places each kind of GitOps document keeps a version, as `Site`s (site.ts), one file
 * per kind of document. Deciding which sites move is plan.ts's job.
 */
import type { Document } from 'yaml';
import { argoApplication } from './argo.js';
import { detectKind, resourceName } from './document-kind.js';
import { fluxSubstitutions, helmRelease, ociRepository } from './flux.js';
import { heldValues, type ValuesUse } from './held-values.js';
import { helmfile } from './helmfile.js';
import { images } from './image-sites.js';
import { kustomization } from './kustomize.js';
import type { ChartRef, Ctx, Site, ValuesRef } from './site.js';
import type { BumpRequest } from './types.js';
import { umbrellaChart } from './umbrella-chart.js';

export interface Scope {
  file: string;
  text: string;
  docs: Document[];
  /** Documents to look at; all when absent (the profile's own file). */
  only?: number[];
  /** Set when a release reads this file as its values (a Helmfile values file, a Flux valuesFrom source). */
  values?: ValuesUse;
}

/** Sites, chartRefs and references to values elsewhere of the documents in scope, for `version` moving to `to`. */
export function locate(
  scope: Scope,
  req: BumpRequest,
  version: string,
  to: string,
): { sites: Site[]; refs: ChartRef[]; valuesRefs: ValuesRef[] } {
  const sites: Site[] = [];
  const refs: ChartRef[] = [];
  const valuesRefs: ValuesRef[] = [];
  scope.docs.forEach((doc, document) => {
    if (scope.only && !scope.only.includes(document)) return;
    const kind = scope.values && scope.values.key === undefined ? 'helm-values' : detectKind(doc, scope.file);
    const ctx: Ctx = {
      file: scope.file,
      text: scope.text,
      doc,
      req,
      version,
      to,
      document,
      kind,
      resource: resourceName(doc, kind),
      owners: [],
      sites,
      valuesRefs,
    };
    const root = doc.contents;
    if (scope.values) return heldValues(ctx, root, scope.values);
    switch (kind) {
      case 'flux-helmrelease':
        return helmRelease(ctx, root, refs);
      case 'flux-ocirepository':
        return ociRepository(ctx, root);
      case 'argocd-application':
        return argoApplication(ctx, root);
      case 'argocd-applicationset':
        return argoApplication(ctx, root, ['spec', 'template', 'spec']);
      case 'helmfile':
        return helmfile(ctx, root);
      case 'helm-chart':
        return umbrellaChart(ctx, root);
      case 'kustomization':
        return kustomization(ctx, root);
      case 'helm-values':
        return images(ctx, root, []);
      case 'manifest':
        images(ctx, root, []);
        return fluxSubstitutions(ctx, root);
    }
  });
  return { sites, refs, valuesRefs };
}
