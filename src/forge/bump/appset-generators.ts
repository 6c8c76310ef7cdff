/**
 * ApplicationSet generators: a template source whose `targetRevision` (and often `chart`, `repoURL`)
 * is a parameter — `'{{.chartVersion}}'` — takes its value from the generators. Where leakguard can
 * see the value (a `list` element, a `clusters` generator's `values`, also inside `matrix` and
 * `merge`), that is the pin that moves. Where the generator reads it from outside the file (`git`
 * files, cluster labels, cluster decisions, SCM, plugins), it is named instead.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import { stringAt, valueAt } from './yaml-edit.js';

/** One template source as one generator value fills it in. */
export interface ElementSource {
  chart: string | undefined;
  repoURL: string | undefined;
  /** The node holding the chart version (in the element). */
  revision: unknown;
  revisionPath: string[];
}

/** A template source whose version a generator reads from somewhere leakguard cannot see. */
export interface UnseenSource {
  /** The template's `targetRevision` node, and its path. */
  revision: unknown;
  revisionPath: string[];
  /** The template's chart when written out; undefined when it is a parameter too. */
  chart: string | undefined;
  /** Each generator that may supply the version, and where it reads it. */
  generators: string[];
}

/** `{{.chartVersion}}`, `{{ .values.version }}`, fasttemplate `{{chartVersion}}` → the parameter's path. */
function parameterPath(text: string): string[] | null {
  const m = /^\{\{\s*\.?([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*\}\}$/.exec(text.trim());
  return m?.[1] ? m[1].split('.') : null;
}

/** A generator that makes parameters (`list`, `clusters`, `git`…), with its dotted place in the file. */
interface Leaf {
  kind: string;
  node: unknown;
  at: string[];
}

const COMBINERS = ['matrix', 'merge'];
const GENERATORS = ['list', 'clusters', 'git', 'clusterDecisionResource', 'scmProvider', 'pullRequest', 'plugin'];

/** The generators that make parameters, through `matrix` and `merge` (nested ones too). */
function leaves(list: unknown, at: string[]): Leaf[] {
  if (!isSeq(list)) return [];
  return list.items.flatMap((generator, i) => {
    if (!isMap(generator)) return [];
    const here = [...at, String(i)];
    return generator.items.flatMap((pair): Leaf[] => {
      const kind = isScalar(pair.key) ? String(pair.key.value) : '';
      if (COMBINERS.includes(kind)) return leaves(valueAt(pair.value, ['generators']), [...here, kind, 'generators']);
      return GENERATORS.includes(kind) ? [{ kind, node: pair.value, at: [...here, kind] }] : [];
    });
  });
}

/** Where a generator that leakguard cannot read takes its parameters from, for the refusal. */
function describeUnseen(leaf: Leaf, param: string[]): string | null {
  const where = leaf.at.join('.');
  switch (leaf.kind) {
    case 'git': {
      const files = valueAt(leaf.node, ['files']);
      const repo = stringAt(leaf.node, 'repoURL')?.value ?? '';
      if (!isSeq(files)) return null; // git directories: the parameters are paths
      const paths = files.items.map((f) => stringAt(f, 'path')?.value ?? '').filter((p) => p !== '');
      return `${where} (the files ${paths.join(', ')} in ${repo})`;
    }
    case 'clusters':
      // `values` are in the file; other parameters come from each cluster's Secret (name, server, labels).
      return param[0] === 'values' ? null : `${where} (each cluster's Secret)`;
    case 'clusterDecisionResource':
      return `${where} (the decisions of ${stringAt(leaf.node, 'configMapRef')?.value ?? 'a placement'})`;
    case 'list':
      return null;
    default:
      return `${where} (${leaf.kind})`;
  }
}

/** The template sources of an ApplicationSet: its `source` and each of its `sources`. */
function templateSources(root: unknown): { node: unknown; path: string[] }[] {
  const spec = ['spec', 'template', 'spec'];
  const out = [{ node: valueAt(root, [...spec, 'source']), path: [...spec, 'source'] }];
  const sources = valueAt(root, [...spec, 'sources']);
  if (isSeq(sources)) sources.items.forEach((node, i) => out.push({ node, path: [...spec, 'sources', String(i)] }));
  return out;
}

/**
 * Each (generator value × template source) whose targetRevision is a parameter leakguard can read, and
 * each template source whose parameter it cannot find in the file but a generator may supply.
 */
export function generatorSources(root: unknown): { pins: ElementSource[]; unseen: UnseenSource[] } {
  const generators = leaves(valueAt(root, ['spec', 'generators']), ['spec', 'generators']);
  const pins: ElementSource[] = [];
  const unseen: UnseenSource[] = [];
  for (const template of templateSources(root)) {
    const revisionNode = valueAt(template.node, ['targetRevision']);
    const revision = parameterPath(stringAt(template.node, 'targetRevision')?.value ?? '');
    if (!revision) continue;
    const found: ElementSource[] = [];
    for (const leaf of generators) {
      const values = valuesOf(leaf, revision);
      for (const { node, at, param } of values) {
        const field = (name: string): string | undefined => {
          const raw = stringAt(template.node, name)?.value;
          const p = raw === undefined ? null : parameterPath(raw);
          if (!p) return raw;
          const local = leaf.kind === 'clusters' ? (p[0] === 'values' ? p.slice(1) : null) : p;
          return local ? stringAt(valueAt(node, local.slice(0, -1)), local.at(-1) ?? '')?.value : undefined;
        };
        // A merge's list elements override cluster values with dotted keys (`values.version: …`).
        const holder = valueAt(node, param) ?? (isMap(node) ? node.get(param.join('.'), true) : undefined);
        if (holder === null || holder === undefined) continue;
        found.push({
          chart: field('chart'),
          repoURL: field('repoURL'),
          revision: holder,
          revisionPath: [...at, ...param],
        });
      }
    }
    pins.push(...found);
    if (found.length > 0) continue;
    const hidden = generators.map((g) => describeUnseen(g, revision)).filter((d): d is string => d !== null);
    if (hidden.length === 0) continue;
    const chart = stringAt(template.node, 'chart')?.value;
    unseen.push({
      revision: revisionNode,
      revisionPath: [...template.path, 'targetRevision'],
      chart: chart !== undefined && parameterPath(chart) === null ? chart : undefined,
      generators: hidden,
    });
  }
  return { pins, unseen };
}

/** The maps a generator fills parameters from, that leakguard can read: list elements, a clusters generator's values. */
function valuesOf(leaf: Leaf, param: string[]): { node: unknown; at: string[]; param: string[] }[] {
  if (leaf.kind === 'list') {
    const elements = valueAt(leaf.node, ['elements']);
    if (!isSeq(elements)) return [];
    return elements.items.map((node, e) => ({ node, at: [...leaf.at, 'elements', String(e)], param }));
  }
  if (leaf.kind === 'clusters' && param[0] === 'values') {
    return [{ node: valueAt(leaf.node, ['values']), at: [...leaf.at, 'values'], param: param.slice(1) }];
  }
  return [];
}
