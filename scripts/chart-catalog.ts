// What the built-in catalogue's workarounds touch, for the chart's RBAC: per known issue with a
// workaround, whether it patches the pod template (env var or hotfix image) and which ConfigMaps it
// sets keys in. The chart cannot read the catalogue (TypeScript), so `npm run chart:catalog` writes
// this into chart/files/known-issue-workarounds.json; a test keeps the two equal.
import { builtinKnownIssues } from '../src/catalog/builtin.js';

export interface WorkaroundRbac {
  podTemplate: boolean;
  configMaps: string[];
}

export function chartCatalog(): Record<string, WorkaroundRbac> {
  const out: Record<string, WorkaroundRbac> = {};
  for (const issue of builtinKnownIssues) {
    const w = issue.workaround;
    if (!w) continue;
    out[issue.id] = { podTemplate: Boolean(w.env || w.image), configMaps: w.configMap ? [w.configMap.name] : [] };
  }
  return out;
}

export function chartCatalogText(): string {
  return `${JSON.stringify(chartCatalog(), null, 2)}\n`;
}
