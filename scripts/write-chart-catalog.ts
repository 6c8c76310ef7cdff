// `npm run chart:catalog`: regenerates chart/files/known-issue-workarounds.json from the built-in
// catalogue (src/catalog/builtin.ts), so the chart grants what each named known issue's workaround needs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chartCatalogText } from './chart-catalog.js';

const dir = fileURLToPath(new URL('../chart/files/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}known-issue-workarounds.json`, chartCatalogText());
console.log(`wrote ${dir}known-issue-workarounds.json`);
