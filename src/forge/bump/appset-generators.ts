/**
 * ApplicationSet generators: a template source whose `targetRevision` (and often `chart`, `repoURL`)
 * is a parameter — `'{{.chartVersion}}'` — takes its value from the generators. Where leakguard can
 * see the value (a `list` element, in `elements` or a literal `elementsYaml`, a `clusters` generator's
 * `values`, also inside `matrix` and `merge`), that is the pin that moves. Where the generator reads it
 * from outside the file (`git` files, cluster labels, cluster decisions, SCM, plugins, a templated
 * `elementsYaml`), it is named instead. A generator's own `template` overrides the ApplicationSet's
 * field by field (`source`), or whole (`sources`), as Argo CD merges them; a version it writes out is a
 * pin of its own.
 */
import { isMap, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import { parseDocuments, stringAt, valueAt } from './yaml-edit.js';

/** One template source as one generator value fills it in (or as a generator's template writes it out). */
export interface ElementSource {
  chart: string | undefined;
  repoURL: string | undefined;
  /** The node holding the chart version (in the element, or in the generator's template). */
  revision: unknown;
  revisionPath: string[];
  /** Set when the element is in a literal `elementsYaml` string: the string, and its parsed document. */
  embedded?: { scalar: Scalar<string>; doc: Document };
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

/** A generator's `template` (its own, or its matrix's or merge's), and where it is written. */
export interface TemplateOverride {
  node: unknown;
  at: string[];
}

/** A generator that makes parameters (`list`, `clusters`, `git`…), with its dotted place in the file. */
interface Leaf {
  kind: string;
  node: unknown;
  at: string[];
  template: TemplateOverride | null;
}

const COMBINERS = ['matrix', 'merge'];
const GENERATORS = ['list', 'clusters', 'git', 'clusterDecisionResource', 'scmProvider', 'pullRequest', 'plugin'];

/** The generators that make parameters, through `matrix` and `merge` (nested ones too). */
function leaves(list: unknown, at: string[], inherited: TemplateOverride | null = null): Leaf[] {
  if (!isSeq(list)) return [];
  return list.items.flatMap((generator, i) => {
    if (!isMap(generator)) return [];
    const here = [...at, String(i)];
    return generator.items.flatMap((pair): Leaf[] => {
      const kind = isScalar(pair.key) ? String(pair.key.value) : '';
      const own = valueAt(pair.value, ['template']);
      const template = isMap(own) ? { node: own, at: [...here, kind, 'template'] } : inherited;
      if (COMBINERS.includes(kind)) {
        return leaves(valueAt(pair.value, ['generators']), [...here, kind, 'generators'], template);
      }
      return GENERATORS.includes(kind) ? [{ kind, node: pair.value, at: [...here, kind], template }] : [];
    });
  });
}

/** Every generator `template` of the ApplicationSet, once each. */
export function generatorTemplates(root: unknown): TemplateOverride[] {
  const out = new Map<string, TemplateOverride>();
  for (const leaf of leaves(valueAt(root, ['spec', 'generators']), ['spec', 'generators'])) {
    if (leaf.template) out.set(leaf.template.at.join('.'), leaf.template);
  }
  return [...out.values()];
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
    case 'list': {
      const yaml = stringAt(leaf.node, 'elementsYaml')?.value;
      return yaml?.includes('{{') ? `${where} (elementsYaml ${yaml.trim()})` : null;
    }
    default:
      return `${where} (${leaf.kind})`;
  }
}

/** A source as a generator sees it: its own template's fields first, then the ApplicationSet's. */
interface Layered {
  /** Position among the template's sources (`source` is 0, `sources` follow), for a stable order. */
  order: number;
  layers: { node: unknown; path: string[] }[];
}

function fieldOf(source: Layered, name: string): { node: unknown; path: string[] } | null {
  for (const layer of source.layers) {
    if (isMap(layer.node) && layer.node.has(name))
      return { node: layer.node.get(name, true), path: [...layer.path, name] };
  }
  return null;
}

/** The template sources a generator fills in: the ApplicationSet's, with its own template laid over them. */
function sourcesFor(root: unknown, leaf: Leaf | null): Layered[] {
  const spec = ['spec', 'template', 'spec'];
  const own = leaf?.template ? valueAt(leaf.template.node, ['spec']) : null;
  const ownAt = leaf?.template ? [...leaf.template.at, 'spec'] : [];
  const out: Layered[] = [];
  const base = { node: valueAt(root, [...spec, 'source']), path: [...spec, 'source'] };
  const over = valueAt(own, ['source']);
  const ownSources = valueAt(own, ['sources']);
  // With `sources`, an Application ignores `source`: a generator's sources leave the template's single one unread.
  if (!isSeq(ownSources) || ownSources.items.length === 0)
    out.push({ order: 0, layers: isMap(over) ? [{ node: over, path: [...ownAt, 'source'] }, base] : [base] });
  const [list, at] = isSeq(ownSources)
    ? [ownSources, [...ownAt, 'sources']]
    : [valueAt(root, [...spec, 'sources']), [...spec, 'sources']];
  if (isSeq(list))
    list.items.forEach((node, i) => out.push({ order: i + 1, layers: [{ node, path: [...at, String(i)] }] }));
  return out;
}

/**
 * Each (generator value × template source) whose targetRevision is a parameter leakguard can read, each
 * version a generator's template writes out, and each template source whose parameter it cannot find in
 * the file but a generator may supply.
 */
export function generatorSources(root: unknown): { pins: ElementSource[]; unseen: UnseenSource[] } {
  const generators = leaves(valueAt(root, ['spec', 'generators']), ['spec', 'generators']);
  const found: { order: number; pin: ElementSource }[] = [];
  const seen = new Set<string>();
  const unseen = new Map<string, UnseenSource>();
  for (const leaf of generators) {
    for (const source of sourcesFor(root, leaf)) {
      const rev = fieldOf(source, 'targetRevision');
      const text = isScalar(rev?.node) && typeof rev.node.value === 'string' ? rev.node.value : '';
      if (!rev || text === '') continue;
      const key = rev.path.join('.');
      const literal = (name: string) => {
        const node = fieldOf(source, name)?.node;
        const value = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
        return value === undefined || parameterPath(value) ? undefined : value;
      };
      const param = parameterPath(text);
      if (!param) {
        // Written out in a generator's template: a pin of its own (the ApplicationSet's is read by argo.ts).
        const inOverride = leaf.template !== null && key.startsWith(`${leaf.template.at.join('.')}.`);
        if (inOverride && !seen.has(key)) {
          seen.add(key);
          const pin = {
            chart: literal('chart'),
            repoURL: literal('repoURL'),
            revision: rev.node,
            revisionPath: rev.path,
          };
          found.push({ order: source.order, pin });
        }
        continue;
      }
      const pins = valuesOf(leaf, param).flatMap(({ node, at, param: local, embedded }): ElementSource[] => {
        const field = (name: string): string | undefined => {
          const fnode = fieldOf(source, name)?.node;
          const raw = isScalar(fnode) && typeof fnode.value === 'string' ? fnode.value : undefined;
          const p = raw === undefined ? null : parameterPath(raw);
          if (!p) return raw;
          const inLeaf = leaf.kind === 'clusters' ? (p[0] === 'values' ? p.slice(1) : null) : p;
          return inLeaf ? stringAt(valueAt(node, inLeaf.slice(0, -1)), inLeaf.at(-1) ?? '')?.value : undefined;
        };
        // A merge's list elements override cluster values with dotted keys (`values.version: …`).
        const holder = valueAt(node, local) ?? (isMap(node) ? node.get(local.join('.'), true) : undefined);
        if (holder === null || holder === undefined) return [];
        const pin: ElementSource = {
          chart: field('chart'),
          repoURL: field('repoURL'),
          revision: holder,
          revisionPath: [...at, ...local],
        };
        return [embedded ? { ...pin, embedded } : pin];
      });
      for (const pin of pins) found.push({ order: source.order, pin });
      if (pins.length > 0) {
        seen.add(key);
        unseen.delete(key);
        continue;
      }
      if (seen.has(key)) continue;
      const hidden = describeUnseen(leaf, param);
      if (hidden === null) continue;
      const group = unseen.get(key);
      if (group) {
        group.generators.push(hidden);
        continue;
      }
      const chart = literal('chart');
      unseen.set(key, { revision: rev.node, revisionPath: rev.path, chart, generators: [hidden] });
    }
  }
  const pins = found.sort((a, b) => a.order - b.order).map((f) => f.pin);
  return { pins, unseen: [...unseen.values()] };
}

/** The maps a generator fills parameters from, that leakguard can read: list elements, a clusters generator's values. */
function valuesOf(
  leaf: Leaf,
  param: string[],
): { node: unknown; at: string[]; param: string[]; embedded?: ElementSource['embedded'] }[] {
  if (leaf.kind === 'list') {
    const elements = valueAt(leaf.node, ['elements']);
    if (isSeq(elements)) {
      return elements.items.map((node, e) => ({ node, at: [...leaf.at, 'elements', String(e)], param }));
    }
    const yaml = valueAt(leaf.node, ['elementsYaml']);
    if (!isScalar(yaml) || typeof yaml.value !== 'string' || yaml.value.includes('{{')) return [];
    const scalar = yaml as Scalar<string>;
    const [doc] = parseDocuments(scalar.value, [...leaf.at, 'elementsYaml'].join('.'));
    const list = doc?.contents;
    if (!doc || !isSeq(list)) return [];
    const at = [...leaf.at, 'elementsYaml'];
    return list.items.map((node, e) => ({ node, at: [...at, String(e)], param, embedded: { scalar, doc } }));
  }
  if (leaf.kind === 'clusters' && param[0] === 'values') {
    return [{ node: valueAt(leaf.node, ['values']), at: [...leaf.at, 'values'], param: param.slice(1) }];
  }
  return [];
}
