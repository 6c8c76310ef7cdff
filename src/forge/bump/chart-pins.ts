/**
 * Chart pins: where a file pins a chart release, and which chart repository serves it, so the chart
 * version that ships an app version can be looked up there. Pure: reads only the texts handed in.
 */
import { trimEnd } from '../../model/text.js';
import { isMap, isScalar, isSeq, type Document } from 'yaml';
import { chartReleaseText } from '../../report/bump-text.js';
import { generatorSources } from './appset-generators.js';
import { detectKind, resourceName } from './document-kind.js';
import { lastSegment } from './version.js';
import { parseDocuments, stringAt, valueAt } from './yaml-edit.js';

export interface ChartPin {
  file: string;
  resource: string;
  /** Dotted path of the chart version, as in BumpChange. */
  path: string;
  chart: string;
  version: string;
  /** `https://…` (index.yaml) or `oci://host/path` (the chart is `<repo>/<chart>`); null when unknown. */
  repo: string | null;
  /** Why the repository is unknown (a HelmRepository defined in a file not read). */
  missing?: string;
}

/** Argo CD writes OCI repositories without a scheme (`ghcr.io/argoproj/argo-helm`). */
function repoUrl(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? trimEnd(url, '/') : `oci://${trimEnd(url, '/')}`;
}

interface FileDocs {
  file: string;
  docs: Document[];
}

/** A Flux HelmRepository by name in any of the files read. */
function helmRepository(all: readonly FileDocs[], name: string): string | null {
  for (const { docs } of all) {
    for (const doc of docs) {
      const root = doc.contents;
      if (
        stringAt(root, 'kind')?.value !== 'HelmRepository' ||
        stringAt(valueAt(root, ['metadata']), 'name')?.value !== name
      )
        continue;
      const url = stringAt(valueAt(root, ['spec']), 'url')?.value;
      if (url) return repoUrl(url);
    }
  }
  return null;
}

function pinsOf(file: string, doc: Document, all: readonly FileDocs[]): ChartPin[] {
  const root = doc.contents;
  const kind = detectKind(doc, file);
  const resource = resourceName(doc, kind);
  const pins: ChartPin[] = [];
  const add = (chart: string, version: string | undefined, path: string, repo: string | null, missing?: string) => {
    // An ApplicationSet template's `'{{.chartVersion}}'` is no pin: its generators hold the values.
    if (chart !== '' && version && !`${chart}${version}`.includes('{{'))
      pins.push({ file, resource, path, chart, version, repo, ...(missing ? { missing } : {}) });
  };
  switch (kind) {
    case 'flux-helmrelease': {
      const spec = valueAt(root, ['spec', 'chart', 'spec']);
      const chart = stringAt(spec, 'chart')?.value ?? '';
      const source = valueAt(spec, ['sourceRef']);
      const sourceName = stringAt(source, 'name')?.value ?? '';
      const repo = stringAt(source, 'kind')?.value === 'HelmRepository' ? helmRepository(all, sourceName) : null;
      const missing = repo ? undefined : chartReleaseText.helmRepositoryUnread(sourceName);
      add(lastSegment(chart), stringAt(spec, 'version')?.value, 'spec.chart.spec.version', repo, missing);
      break;
    }
    case 'flux-ocirepository': {
      const url = stringAt(valueAt(root, ['spec']), 'url')?.value ?? '';
      const chart = lastSegment(url);
      add(
        chart,
        stringAt(valueAt(root, ['spec', 'ref']), 'tag')?.value,
        'spec.ref.tag',
        trimEnd(url.slice(0, url.length - chart.length), '/') || null,
      );
      break;
    }
    case 'argocd-application':
    case 'argocd-applicationset': {
      const spec = kind === 'argocd-application' ? ['spec'] : ['spec', 'template', 'spec'];
      const source = (node: unknown, path: string) => {
        const chart = stringAt(node, 'chart')?.value ?? '';
        const repo = stringAt(node, 'repoURL')?.value;
        add(chart, stringAt(node, 'targetRevision')?.value, `${path}.targetRevision`, repo ? repoUrl(repo) : null);
      };
      source(valueAt(root, [...spec, 'source']), [...spec, 'source'].join('.'));
      const sources = valueAt(root, [...spec, 'sources']);
      if (isSeq(sources)) sources.items.forEach((s, i) => source(s, [...spec, 'sources', i].join('.')));
      if (kind === 'argocd-applicationset') {
        for (const e of generatorSources(root).pins) {
          const version = isScalar(e.revision) && typeof e.revision.value === 'string' ? e.revision.value : undefined;
          add(e.chart ?? '', version, e.revisionPath.join('.'), e.repoURL ? repoUrl(e.repoURL) : null);
        }
      }
      break;
    }
    case 'kustomization': {
      const charts = valueAt(root, ['helmCharts']);
      if (isSeq(charts)) {
        charts.items.forEach((entry, i) => {
          const repo = stringAt(entry, 'repo')?.value;
          add(
            stringAt(entry, 'name')?.value ?? '',
            stringAt(entry, 'version')?.value,
            `helmCharts.${i}.version`,
            repo ? repoUrl(repo) : null,
          );
        });
      }
      break;
    }
    case 'helmfile': {
      const repos = new Map<string, string>();
      const list = valueAt(root, ['repositories']);
      if (isSeq(list)) {
        for (const r of list.items) {
          const name = stringAt(r, 'name')?.value;
          const url = stringAt(r, 'url')?.value;
          const oci = isMap(r) && r.get('oci') === true;
          if (name && url) repos.set(name, oci && !url.startsWith('oci://') ? `oci://${url}` : repoUrl(url));
        }
      }
      const releases = valueAt(root, ['releases']);
      if (isSeq(releases)) {
        releases.items.forEach((release, i) => {
          const chart = stringAt(release, 'chart')?.value ?? '';
          const name = lastSegment(chart);
          const prefix = trimEnd(chart.slice(0, chart.length - name.length), '/');
          const repo = chart.startsWith('oci://') ? prefix : (repos.get(prefix) ?? null);
          add(
            name,
            stringAt(release, 'version')?.value,
            `releases.${i}.version`,
            repo,
            repo ? undefined : chartReleaseText.noNamedRepository(prefix),
          );
        });
      }
      break;
    }
    case 'helm-chart': {
      const deps = valueAt(root, ['dependencies']);
      if (isSeq(deps)) {
        deps.items.forEach((dep, i) => {
          const repo = stringAt(dep, 'repository')?.value ?? '';
          const known = /^(https?|oci):\/\//.test(repo);
          add(
            stringAt(dep, 'name')?.value ?? '',
            stringAt(dep, 'version')?.value,
            `dependencies.${i}.version`,
            known ? trimEnd(repo, '/') : null,
            known ? undefined : chartReleaseText.notAUrl(repo),
          );
        });
      }
      break;
    }
    default:
      break;
  }
  return pins;
}

/** Every chart pin in `files` (those read for the bump), in file order. */
export function chartPins(files: ReadonlyMap<string, string | null>): ChartPin[] {
  const all: FileDocs[] = [];
  for (const [file, text] of files) {
    if (typeof text !== 'string') continue;
    try {
      all.push({ file, docs: parseDocuments(text, file) });
    } catch {
      // The plan reports invalid YAML itself.
    }
  }
  return all.flatMap(({ file, docs }) => docs.flatMap((doc) => pinsOf(file, doc, all)));
}
