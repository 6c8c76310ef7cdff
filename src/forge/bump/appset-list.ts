/**
 * ApplicationSet list generators: a template source whose `targetRevision` (and often `chart`,
 * `repoURL`) is a parameter — `'{{.chartVersion}}'` — takes its value from each element of
 * `generators[].list.elements`. The pin is then the element's value, and that is what moves.
 */
import { isSeq } from 'yaml';
import { stringAt, valueAt } from './yaml-edit.js';

/** One template source as one element fills it in. */
export interface ElementSource {
  chart: string | undefined;
  repoURL: string | undefined;
  /** The node holding the chart version (in the element). */
  revision: unknown;
  revisionPath: string[];
}

/** `{{.chartVersion}}`, `{{ .values.version }}`, fasttemplate `{{chartVersion}}` → the parameter's path. */
function parameterPath(text: string): string[] | null {
  const m = /^\{\{\s*\.?([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*\}\}$/.exec(text.trim());
  return m?.[1] ? m[1].split('.') : null;
}

/** Each (list element × template source) whose targetRevision is a parameter of the element. */
export function listElementSources(root: unknown): ElementSource[] {
  const spec = ['spec', 'template', 'spec'];
  const templates: unknown[] = [valueAt(root, [...spec, 'source'])];
  const sources = valueAt(root, [...spec, 'sources']);
  if (isSeq(sources)) templates.push(...sources.items);
  const generators = valueAt(root, ['spec', 'generators']);
  if (!isSeq(generators)) return [];
  const found: ElementSource[] = [];
  generators.items.forEach((generator, g) => {
    const elements = valueAt(generator, ['list', 'elements']);
    if (!isSeq(elements)) return;
    elements.items.forEach((element, e) => {
      const at = ['spec', 'generators', String(g), 'list', 'elements', String(e)];
      for (const template of templates) {
        const revision = parameterPath(stringAt(template, 'targetRevision')?.value ?? '');
        if (!revision) continue;
        const field = (name: string): string | undefined => {
          const raw = stringAt(template, name)?.value;
          const param = raw === undefined ? null : parameterPath(raw);
          return param ? stringAt(valueAt(element, param.slice(0, -1)), param.at(-1) ?? '')?.value : raw;
        };
        found.push({
          chart: field('chart'),
          repoURL: field('repoURL'),
          revision: valueAt(element, revision),
          revisionPath: [...at, ...revision],
        });
      }
    });
  });
  return found;
}
