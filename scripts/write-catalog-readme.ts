// `npm run catalog:readme`: rewrites the README's catalogue table from the built-in entries.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readmeWithCatalog } from './catalog-readme.js';

const target = fileURLToPath(new URL('../README.md', import.meta.url));
writeFileSync(target, readmeWithCatalog(readFileSync(target, 'utf8')));
console.log(`wrote ${target}`);
