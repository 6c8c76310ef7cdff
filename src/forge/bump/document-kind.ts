/** What a YAML document is (HelmRelease, Application, kustomization, Helmfile, Chart.yaml, values…) and its name. */
import { isSeq, type Document } from 'yaml';
import type { ManifestKind } from './types.js';
import { stringAt, valueAt } from './yaml-edit.js';

export function detectKind(doc: Document, fileName: string | undefined): ManifestKind {
  const root = doc.contents;
  const apiVersion = stringAt(root, 'apiVersion')?.value ?? '';
  const kind = stringAt(root, 'kind')?.value ?? '';
  if (kind === 'HelmRelease' && apiVersion.startsWith('helm.toolkit.fluxcd.io/')) return 'flux-helmrelease';
  if (kind === 'OCIRepository' && apiVersion.startsWith('source.toolkit.fluxcd.io/')) return 'flux-ocirepository';
  if (kind === 'Application' && apiVersion.startsWith('argoproj.io/')) return 'argocd-application';
  if (kind === 'ApplicationSet' && apiVersion.startsWith('argoproj.io/')) return 'argocd-applicationset';
  if (kind === 'Kustomization' && apiVersion.startsWith('kustomize.config.k8s.io/')) return 'kustomization';
  const base = (fileName ?? '').split('/').pop() ?? '';
  if (apiVersion === '' && kind === '' && /^kustomization\.ya?ml$/i.test(base)) return 'kustomization';
  if (apiVersion !== '' && kind !== '') return 'manifest';
  // Chart.yaml: `apiVersion: v2`, a name and a version, no kind.
  const chartFile = /^Chart\.ya?ml$/.test(base) || isSeq(valueAt(root, ['dependencies']));
  if (/^v[12]$/.test(apiVersion) && kind === '' && stringAt(root, 'name') && chartFile) return 'helm-chart';
  const releases = valueAt(root, ['releases']);
  const chartReleases = isSeq(releases) && releases.items.some((r) => stringAt(r, 'chart'));
  if (/^helmfile\b/i.test(base) || chartReleases) return 'helmfile';
  return 'helm-values';
}

/** `HelmRelease/rook-ceph`, `Kustomization`, or '' for a values file. */
export function resourceName(doc: Document, kind: ManifestKind): string {
  const k = stringAt(doc.contents, 'kind')?.value ?? (kind === 'kustomization' ? 'Kustomization' : '');
  const name = stringAt(valueAt(doc.contents, ['metadata']), 'name')?.value;
  return k === '' ? '' : name ? `${k}/${name}` : k;
}
