/**
 * Values a release keeps outside itself, followed to the file that holds them: a Helmfile `values:`
 * path (relative to the helmfile), a Flux `valuesFrom` ConfigMap or Secret (a `configMapGenerator` /
 * `secretGenerator` file of the directory's kustomization, or a manifest in the release's file or one
 * that kustomization lists). What cannot be followed is a refusal naming the reference: the tag may be
 * pinned there, and moving the chart without it would leave the old image.
 */
import { posix } from 'node:path';
import { isMap, isScalar, isSeq, type Document } from 'yaml';
import { valuesRefText } from '../../report/bump-text.js';
import type { ValuesUse } from './held-values.js';
import { kustomizeTree } from './kustomize-tree.js';
import type { Scope } from './locate.js';
import type { ValuesRef, ValuesSource } from './site.js';
import {
  docsOf,
  kustomizationsIn,
  localResources,
  repoPath,
  rootPath,
  type RepoFiles,
  type Resolved,
} from './sources.js';
import type { Sighting } from './types.js';
import { stripV, versionToken } from './version.js';
import { stringAt, valueAt } from './yaml-edit.js';

/** One place that defines the ConfigMap or Secret a `valuesFrom` names. */
type Definition =
  | { kind: 'manifest'; file: string; index: number; where: string }
  | { kind: 'generated'; file: string; where: string }
  /** A generator's `literals:` entry `key=value` in document `index` of the kustomization `file`. */
  | { kind: 'literal'; file: string; index: number; literal: string[]; where: string };

/** What following one reference found: a scope to read, a refusal, or files to read first. */
type Followed = { scope: Scope } | { refusal: string } | { need: string[] } | null;

interface Walk {
  files: RepoFiles;
  cache: Map<string, Document[]>;
  /** The running version, for values files that are not YAML. */
  version: string;
}

/** Helmfile values paths and Flux valuesFrom sources, read as the release's values. */
export function followValuesRefs(
  files: RepoFiles,
  cache: Map<string, Document[]>,
  refs: ValuesRef[],
  version: string,
): Resolved | { need: string[] } {
  const walk: Walk = { files, cache, version };
  const scopes: Scope[] = [];
  const unresolved: Sighting[] = [];
  const need = new Set<string>();
  for (const ref of refs) {
    const reader = `${ref.resource ? `${ref.resource} ` : ''}${ref.path}`;
    const source = ref.source;
    const found =
      source.kind === 'file' ? followFile(walk, ref, source, reader) : followObject(walk, ref, source, reader);
    if (found === null) continue;
    if ('need' in found) found.need.forEach((p) => need.add(p));
    else if ('scope' in found) scopes.push(found.scope);
    else {
      const { file, resource, path, value } = ref;
      unresolved.push({ file, resource, path, value, kind: 'refused', reason: found.refusal });
    }
  }
  return need.size > 0 ? { need: [...need] } : { scopes, unresolved };
}

function missingOf(walk: Walk, paths: string[]): { need: string[] } | null {
  const missing = paths.filter((p) => !walk.files.has(p));
  return missing.length > 0 ? { need: missing } : null;
}

/** A Helmfile `values:` path, or an Argo CD `valueFiles` entry in the repository. */
function followFile(
  walk: Walk,
  ref: ValuesRef,
  source: Extract<ValuesSource, { kind: 'file' }>,
  reader: string,
): Followed {
  const written = source.path;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(written)) return { refusal: valuesRefText.url() };
  if (written.includes('{{')) return perEnvironment(walk, ref, written);
  const path = source.base === 'root' ? rootPath(written) : repoPath(ref.file, written);
  if (path === null) return { refusal: valuesRefText.outsideRepository() };
  const missing = missingOf(walk, [path]);
  if (missing) return missing;
  const text = walk.files.get(path);
  if (typeof text !== 'string') {
    return source.optional ? null : { refusal: valuesRefText.missingFile(path, source.tool) };
  }
  return valuesFile(walk, path, path, text, { owners: ref.owners, reader, secret: false });
}

const ENVIRONMENT_NAME = /\{\{\s*\.Environment\.Name\s*\}\}/g;

/**
 * A values path per Helmfile environment (`values/{{ .Environment.Name }}.yaml`): one cluster's leak does
 * not move every environment, so the files that hold the running version are named, not edited. Any
 * other template cannot be followed at all.
 */
function perEnvironment(walk: Walk, ref: ValuesRef, written: string): Followed {
  const environments = environmentsOf(walk, ref.file);
  const paths = written.replace(ENVIRONMENT_NAME, '').includes('{{')
    ? []
    : environments.map((env) => repoPath(ref.file, written.replace(ENVIRONMENT_NAME, env)));
  if (paths.length === 0 || paths.includes(null)) return { refusal: valuesRefText.template() };
  const files = paths.filter((p): p is string => p !== null);
  const missing = missingOf(walk, files);
  if (missing) return missing;
  const holding = files.filter((p) => (walk.files.get(p) ?? '').search(versionToken(walk.version)) >= 0);
  if (holding.length === 0) return null;
  return { refusal: valuesRefText.perEnvironment(environments, holding, stripV(walk.version)) };
}

/** The environment names a helmfile lists (`environments:` in any of its documents). */
function environmentsOf(walk: Walk, helmfile: string): string[] {
  const docs = docsOf(walk.cache, helmfile, walk.files.get(helmfile) ?? '');
  return docs.flatMap((doc) => {
    const envs = valueAt(doc.contents, ['environments']);
    return isMap(envs) ? envs.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : '')) : [];
  });
}

/** A whole file read as values, or a refusal when it holds the version but is not YAML (a `.gotmpl`). */
function valuesFile(walk: Walk, path: string, where: string, text: string, use: ValuesUse): Followed {
  try {
    return { scope: { file: path, text, docs: docsOf(walk.cache, path, text), values: use } };
  } catch {
    if (text.search(versionToken(walk.version)) < 0) return null;
    return { refusal: valuesRefText.notYaml(where, stripV(walk.version)) };
  }
}

/** A Flux `valuesFrom` ConfigMap or Secret. */
function followObject(
  walk: Walk,
  ref: ValuesRef,
  source: Extract<ValuesSource, { kind: 'ConfigMap' | 'Secret' }>,
  reader: string,
): Followed {
  const found = definitionsOf(walk, ref.file, source);
  if ('need' in found) return found;
  const { definitions, looked } = found;
  if (definitions.length > 1) {
    return {
      refusal: valuesRefText.definedTwice(
        ref.value,
        definitions.map((d) => d.where),
      ),
    };
  }
  const definition = definitions[0];
  if (!definition) {
    // A Secret kept outside the repository (SOPS, External Secrets, sealed) is usually credentials, and never edited anyway.
    if (source.optional || source.kind === 'Secret') return null;
    return { refusal: valuesRefText.foundNowhere(ref.value, looked) };
  }
  const use: ValuesUse = { owners: ref.owners, reader, secret: source.kind === 'Secret' };
  if (definition.kind === 'literal') {
    const text = walk.files.get(definition.file) ?? '';
    const docs = docsOf(walk.cache, definition.file, text);
    const values = { ...use, key: source.key, literal: definition.literal, ...targetPathOf(source) };
    return { scope: { file: definition.file, text, docs, only: [definition.index], values } };
  }
  if (definition.kind === 'manifest') {
    const text = walk.files.get(definition.file) ?? '';
    const docs = docsOf(walk.cache, definition.file, text);
    const values = { ...use, key: source.key, ...targetPathOf(source) };
    return { scope: { file: definition.file, text, docs, only: [definition.index], values } };
  }
  const missing = missingOf(walk, [definition.file]);
  if (missing) return missing;
  const text = walk.files.get(definition.file);
  if (typeof text !== 'string') return null; // kustomize fails on it too
  return valuesFile(walk, definition.file, `${definition.file} (${definition.where})`, text, use);
}

const targetPathOf = (source: { targetPath?: string }) => (source.targetPath ? { targetPath: source.targetPath } : {});

/**
 * Where a ConfigMap or Secret is defined: in the release's own file, by a generator of the directory's
 * kustomization, else in a file that kustomization lists (read only when the first two have nothing).
 */
function definitionsOf(
  walk: Walk,
  file: string,
  source: { kind: 'ConfigMap' | 'Secret'; name: string; key: string },
): { definitions: Definition[]; looked: string[] } | { need: string[] } {
  const kustomizations = kustomizationsIn(posix.dirname(file));
  const missing = missingOf(walk, kustomizations);
  if (missing) return missing;
  const definitions: Definition[] = manifestsIn(walk, file, source);
  const listed: string[] = [];
  for (const k of kustomizations) {
    const text = walk.files.get(k);
    if (typeof text !== 'string') continue;
    const docs = docsOf(walk.cache, k, text);
    definitions.push(...generated(docs, k, source));
    listed.push(...localResources(docs, k).filter((p) => p !== file));
  }
  const read = kustomizations.filter((k) => typeof walk.files.get(k) === 'string');
  if (definitions.length > 0) return { definitions, looked: [file, ...read] };
  const unread = missingOf(walk, listed);
  if (unread) return unread;
  for (const path of listed) definitions.push(...manifestsIn(walk, path, source));
  const looked = [file, ...read, ...listed];
  if (definitions.length > 0) return { definitions, looked };
  const above = enclosingDefinitions(walk, file, source);
  if ('need' in above) return above;
  return { definitions: above.definitions, looked: [...new Set([...looked, ...above.looked])] };
}

/** Directories above the release's that are searched for a kustomization including it. */
const MAX_LEVELS_UP = 4;
/** Kustomizations read at most in the tree of one of those. */
const MAX_TREE = 8;

/**
 * The source defined in the tree of a kustomization above the release's directory that includes the
 * release (kustomize builds both together: `infrastructure/controllers/kustomization.yaml` lists
 * `cert-manager/` and generates its values). The nearest such kustomization that defines it wins.
 */
function enclosingDefinitions(
  walk: Walk,
  file: string,
  source: { kind: 'ConfigMap' | 'Secret'; name: string; key: string },
): { definitions: Definition[]; looked: string[] } | { need: string[] } {
  const looked: string[] = [];
  let dir = posix.dirname(file);
  for (let level = 0; level < MAX_LEVELS_UP && dir !== '.' && dir !== '/'; level++) {
    dir = posix.dirname(dir);
    const candidates = kustomizationsIn(dir);
    const missing = missingOf(walk, candidates);
    if (missing) return missing;
    for (const k of candidates.filter((c) => typeof walk.files.get(c) === 'string')) {
      const tree = kustomizeTree(walk.files, walk.cache, k, MAX_TREE);
      if ('need' in tree) return tree;
      looked.push(...tree.kustomizations.filter((t) => !looked.includes(t)));
      if (!tree.files.includes(file)) continue;
      const manifests = tree.files.filter((f) => f !== file);
      const unread = missingOf(walk, manifests);
      if (unread) return unread;
      const definitions = [
        ...tree.kustomizations.flatMap((t) => generated(docsOf(walk.cache, t, walk.files.get(t) ?? ''), t, source)),
        ...manifests.flatMap((m) => manifestsIn(walk, m, source)),
      ];
      looked.push(...manifests.filter((m) => !looked.includes(m)));
      if (definitions.length > 0) return { definitions, looked };
    }
  }
  return { definitions: [], looked };
}

function manifestsIn(walk: Walk, file: string, source: { kind: string; name: string }): Definition[] {
  const text = walk.files.get(file);
  if (typeof text !== 'string') return [];
  return docsOf(walk.cache, file, text).flatMap((doc, index): Definition[] =>
    stringAt(doc.contents, 'kind')?.value === source.kind &&
    stringAt(valueAt(doc.contents, ['metadata']), 'name')?.value === source.name
      ? [{ kind: 'manifest', file, index, where: file }]
      : [],
  );
}

/** `configMapGenerator` / `secretGenerator` entries named for the source whose `files:` or `literals:` give its key. */
function generated(
  docs: Document[],
  kustomization: string,
  source: { kind: string; name: string; key: string },
): Definition[] {
  const field = source.kind === 'Secret' ? 'secretGenerator' : 'configMapGenerator';
  const out: Definition[] = [];
  docs.forEach((doc, index) => {
    const generators = valueAt(doc.contents, [field]);
    if (!isSeq(generators)) return;
    generators.items.forEach((generator, i) => {
      if (stringAt(generator, 'name')?.value !== source.name) return;
      const literals = valueAt(generator, ['literals']);
      if (isSeq(literals)) {
        literals.items.forEach((item, j) => {
          if (!isScalar(item) || typeof item.value !== 'string' || !item.value.includes('=')) return;
          if (item.value.slice(0, item.value.indexOf('=')).trim() !== source.key) return;
          const literal = [field, String(i), 'literals', String(j)];
          out.push({
            kind: 'literal',
            file: kustomization,
            index,
            literal,
            where: `${kustomization} ${literal.join('.')}`,
          });
        });
      }
      const list = valueAt(generator, ['files']);
      if (!isSeq(list)) return;
      for (const item of list.items) {
        if (!isScalar(item) || typeof item.value !== 'string') continue;
        // `key=path`, or `path` whose key is the file's name.
        const eq = item.value.indexOf('=');
        const file = eq < 0 ? item.value : item.value.slice(eq + 1);
        const key = eq < 0 ? posix.basename(file) : item.value.slice(0, eq);
        const path = repoPath(kustomization, file);
        if (key === source.key && path !== null)
          out.push({ kind: 'generated', file: path, where: `${kustomization} ${field}.${i}` });
      }
    });
  });
  return out;
}
