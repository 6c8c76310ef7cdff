/**
 * Where references lead: a HelmRelease's `chartRef` to the OCIRepository that pins the chart, and
 * values kept outside a release (Helmfile `values:` paths, Flux `valuesFrom`) to the file that holds
 * them. Pure: when a reference leads to a file not read yet, the answer is `need` (plan.ts asks again).
 */
import { posix } from 'node:path';
import { isScalar, isSeq, type Document } from 'yaml';
import { detectKind } from './document-kind.js';
import type { Scope } from './locate.js';
import type { ChartRef, ValuesRef } from './site.js';
import type { Sighting } from './types.js';
import { stripV, versionToken } from './version.js';
import { parseDocuments, stringAt, valueAt } from './yaml-edit.js';

/** Files read so far: text, or null when the file does not exist. */
export type RepoFiles = ReadonlyMap<string, string | null>;

export interface Resolved {
  scopes: Scope[];
  /** References that lead nowhere leakguard can edit, as refusals. */
  unresolved: Sighting[];
}

export function docsOf(cache: Map<string, Document[]>, path: string, text: string): Document[] {
  let docs = cache.get(path);
  if (!docs) {
    docs = parseDocuments(text, path);
    cache.set(path, docs);
  }
  return docs;
}

function findOciRepository(docs: Document[], name: string, file: string): number {
  return docs.findIndex(
    (d) =>
      detectKind(d, file) === 'flux-ocirepository' &&
      stringAt(valueAt(d.contents, ['metadata']), 'name')?.value === name,
  );
}

/** Local files a kustomization lists under `resources:` (relative to it, inside the repository). */
function localResources(docs: Document[], kustomizationPath: string): string[] {
  const out: string[] = [];
  for (const doc of docs) {
    const list = valueAt(doc.contents, ['resources']);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (
        !isScalar(item) ||
        typeof item.value !== 'string' ||
        /^[a-z]+:\/\/|^[\w.-]+\.(com|org|io)[/:]/i.test(item.value)
      )
        continue;
      if (!/\.ya?ml$/i.test(item.value)) continue;
      const path = repoPath(kustomizationPath, item.value);
      if (path !== null) out.push(path);
    }
  }
  return out;
}

/** Where a chartRef leads: the same file, a sibling `ocirepository.yaml`, or a file the directory's kustomization lists. */
function followChartRefs(
  primary: string,
  files: RepoFiles,
  cache: Map<string, Document[]>,
  refs: ChartRef[],
): Resolved | { need: string[] } {
  const primaryDocs = docsOf(cache, primary, files.get(primary) ?? '');
  const scopes: Scope[] = [];
  const unresolved: Sighting[] = [];
  const need = new Set<string>();
  for (const ref of refs) {
    const where = { file: ref.file, resource: ref.resource, path: 'spec.chartRef', value: `${ref.kind}/${ref.name}` };
    if (ref.kind !== 'OCIRepository') {
      unresolved.push({
        ...where,
        kind: 'refused',
        reason: `a chartRef to a ${ref.kind || 'source without kind'} is not followed; point upgrade.file at the file that pins the chart's version`,
      });
      continue;
    }
    if (findOciRepository(primaryDocs, ref.name, primary) >= 0) continue;
    const dir = posix.dirname(primary);
    const kustomizations = ['kustomization.yaml', 'kustomization.yml'].map((f) => posix.join(dir, f));
    const listed = kustomizations.flatMap((p) => {
      const text = files.get(p);
      return typeof text === 'string' ? localResources(docsOf(cache, p, text), p) : [];
    });
    // Read in tiers, so the common layout (ocirepository.yaml beside the HelmRelease) costs one read.
    const tiers = [
      [posix.join(dir, 'ocirepository.yaml')],
      [posix.join(dir, 'ocirepository.yml'), ...kustomizations],
      listed,
    ];
    const looked: string[] = [primary];
    let found = false;
    let waiting = false;
    for (const tier of tiers) {
      const candidates = tier.filter((p) => p !== primary && !looked.includes(p));
      const missing = candidates.filter((p) => !files.has(p));
      if (missing.length > 0) {
        missing.forEach((p) => need.add(p));
        waiting = true;
        break;
      }
      for (const path of candidates) {
        const text = files.get(path);
        if (typeof text !== 'string') continue;
        looked.push(path);
        const docs = docsOf(cache, path, text);
        const index = findOciRepository(docs, ref.name, path);
        if (index < 0) continue;
        const same = scopes.find((s) => s.file === path);
        if (same) same.only = [...(same.only ?? []), index];
        else scopes.push({ file: path, text, docs, only: [index] });
        found = true;
        break;
      }
      if (found) break;
    }
    if (!found && !waiting) {
      unresolved.push({
        ...where,
        kind: 'refused',
        reason: `OCIRepository/${ref.name} is in none of ${looked.join(', ')}; point upgrade.file at the file that defines it`,
      });
    }
  }
  return need.size > 0 ? { need: [...need] } : { scopes, unresolved };
}

/** Follows chartRefs and values references (`version`: the running one); `need` lists the files to read first. */
export function follow(
  primary: string,
  files: RepoFiles,
  cache: Map<string, Document[]>,
  refs: ChartRef[],
  valuesRefs: ValuesRef[],
  version: string,
): Resolved | { need: string[] } {
  const charts = followChartRefs(primary, files, cache, refs);
  const values = followValuesRefs(files, cache, valuesRefs, version);
  const need = [...('need' in charts ? charts.need : []), ...('need' in values ? values.need : [])];
  if (need.length > 0 || 'need' in charts || 'need' in values) return { need: [...new Set(need)] };
  const scopes = [...charts.scopes];
  for (const scope of values.scopes) {
    if (!scopes.some((s) => s.file === scope.file && sameDocs(s, scope))) scopes.push(scope);
  }
  return { scopes, unresolved: [...charts.unresolved, ...values.unresolved] };
}

const sameDocs = (a: Scope, b: Scope) => JSON.stringify(a.only ?? null) === JSON.stringify(b.only ?? null);

const kustomizationsIn = (dir: string) => ['kustomization.yaml', 'kustomization.yml'].map((f) => posix.join(dir, f));

/** A path written in `from` (relative to its directory), or null when it leaves the repository. */
function repoPath(from: string, relative: string): string | null {
  const path = posix.normalize(posix.join(posix.dirname(from), relative));
  return path.startsWith('../') || path === '..' || posix.isAbsolute(relative) ? null : path;
}

/** One place that defines the ConfigMap or Secret a `valuesFrom` names. */
type Definition =
  { kind: 'manifest'; file: string; index: number; where: string } | { kind: 'generated'; file: string; where: string };

/** Helmfile values paths and Flux valuesFrom sources, read as the release's values. */
function followValuesRefs(
  files: RepoFiles,
  cache: Map<string, Document[]>,
  refs: ValuesRef[],
  version: string,
): Resolved | { need: string[] } {
  const scopes: Scope[] = [];
  const unresolved: Sighting[] = [];
  const need = new Set<string>();
  const wanted = (paths: string[]) => {
    const missing = paths.filter((p) => !files.has(p));
    missing.forEach((p) => need.add(p));
    return missing.length === 0;
  };
  for (const ref of refs) {
    const reader = `${ref.resource ? `${ref.resource} ` : ''}${ref.path}`;
    const refuse = (reason: string) =>
      unresolved.push({
        file: ref.file,
        resource: ref.resource,
        path: ref.path,
        value: ref.value,
        kind: 'refused',
        reason,
      });
    const source = ref.source;
    if (source.kind === 'file') {
      if (source.path.includes('{{')) {
        refuse(
          'a values path written as a template, which leakguard cannot follow: the file it names (per environment?) may pin the image tag; pin the tag inline or in a file listed by its plain path, or bump it yourself',
        );
        continue;
      }
      const path = repoPath(ref.file, source.path);
      if (path === null) {
        refuse('a values file outside the repository, which leakguard cannot read: it may pin the image tag');
        continue;
      }
      if (!wanted([path])) continue;
      const text = files.get(path);
      if (typeof text !== 'string') {
        if (!source.optional)
          refuse(
            `${path} does not exist (helmfile fails on a missing values file unless missingFileHandler says otherwise)`,
          );
        continue;
      }
      const docs = valuesDocs(cache, path, text);
      if (docs === null) {
        if (text.search(versionToken(version)) >= 0)
          refuse(
            `${path} holds ${stripV(version)} but is not plain YAML (a Go template?), which leakguard cannot edit`,
          );
        continue;
      }
      scopes.push({ file: path, text, docs, values: { owners: ref.owners, reader, secret: false } });
      continue;
    }
    const dir = posix.dirname(ref.file);
    const kustomizations = kustomizationsIn(dir);
    if (!wanted(kustomizations)) continue;
    const definitions: Definition[] = [];
    const own = docsOf(cache, ref.file, files.get(ref.file) ?? '');
    own.forEach((doc, index) => {
      if (defines(doc, source.kind, source.name))
        definitions.push({ kind: 'manifest', file: ref.file, index, where: ref.file });
    });
    const listed: string[] = [];
    for (const k of kustomizations) {
      const text = files.get(k);
      if (typeof text !== 'string') continue;
      const docs = docsOf(cache, k, text);
      definitions.push(...generated(docs, k, source.kind, source.name, source.key));
      listed.push(...localResources(docs, k).filter((p) => p !== ref.file));
    }
    if (definitions.length === 0) {
      if (!wanted(listed)) continue;
      for (const path of listed) {
        const text = files.get(path);
        if (typeof text !== 'string') continue;
        docsOf(cache, path, text).forEach((doc, index) => {
          if (defines(doc, source.kind, source.name))
            definitions.push({ kind: 'manifest', file: path, index, where: path });
        });
      }
    }
    const looked = [ref.file, ...kustomizations.filter((k) => typeof files.get(k) === 'string'), ...listed];
    if (definitions.length > 1) {
      refuse(
        `${ref.value} is defined in ${definitions.length} places (${definitions.map((d) => d.where).join(', ')}): leakguard cannot tell which one the release reads`,
      );
      continue;
    }
    const definition = definitions[0];
    if (!definition) {
      // A Secret kept outside the repository (SOPS, External Secrets, sealed) is usually credentials, and never edited anyway.
      if (!source.optional && source.kind === 'ConfigMap')
        refuse(
          `${ref.value} is in none of ${looked.join(', ')}: it may pin the image tag; point upgrade.file at the file that defines it`,
        );
      continue;
    }
    const use = {
      owners: ref.owners,
      reader,
      secret: source.kind === 'Secret',
      ...(definition.kind === 'manifest' ? { key: source.key } : {}),
      ...(source.targetPath && definition.kind === 'manifest' ? { targetPath: source.targetPath } : {}),
    };
    if (definition.kind === 'manifest') {
      const text = files.get(definition.file) ?? '';
      scopes.push({
        file: definition.file,
        text,
        docs: docsOf(cache, definition.file, text),
        only: [definition.index],
        values: use,
      });
      continue;
    }
    if (!wanted([definition.file])) continue;
    const text = files.get(definition.file);
    if (typeof text !== 'string') continue; // kustomize fails on it too
    const docs = valuesDocs(cache, definition.file, text);
    if (docs === null) {
      if (text.search(versionToken(version)) >= 0)
        refuse(
          `${definition.file} (${definition.where}) holds ${stripV(version)} but is not plain YAML, which leakguard cannot edit`,
        );
      continue;
    }
    scopes.push({ file: definition.file, text, docs, values: use });
  }
  return need.size > 0 ? { need: [...need] } : { scopes, unresolved };
}

function defines(doc: Document, kind: string, name: string): boolean {
  return (
    stringAt(doc.contents, 'kind')?.value === kind &&
    stringAt(valueAt(doc.contents, ['metadata']), 'name')?.value === name
  );
}

/** `configMapGenerator` / `secretGenerator` entries named `name` whose `files:` give `key`. */
function generated(docs: Document[], kustomization: string, kind: string, name: string, key: string): Definition[] {
  const field = kind === 'Secret' ? 'secretGenerator' : 'configMapGenerator';
  const out: Definition[] = [];
  for (const doc of docs) {
    const generators = valueAt(doc.contents, [field]);
    if (!isSeq(generators)) continue;
    generators.items.forEach((generator, i) => {
      if (stringAt(generator, 'name')?.value !== name) return;
      const list = valueAt(generator, ['files']);
      if (!isSeq(list)) return;
      for (const item of list.items) {
        if (!isScalar(item) || typeof item.value !== 'string') continue;
        const eq = item.value.indexOf('=');
        const file = eq < 0 ? item.value : item.value.slice(eq + 1);
        const fileKey = eq < 0 ? posix.basename(file) : item.value.slice(0, eq);
        const path = repoPath(kustomization, file);
        if (fileKey === key && path !== null)
          out.push({ kind: 'generated', file: path, where: `${kustomization} ${field}.${i}` });
      }
    });
  }
  return out;
}

/** A values file's documents, or null when it is not YAML (a `.gotmpl` with template actions). */
function valuesDocs(cache: Map<string, Document[]>, path: string, text: string): Document[] | null {
  try {
    return docsOf(cache, path, text);
  } catch {
    return null;
  }
}
