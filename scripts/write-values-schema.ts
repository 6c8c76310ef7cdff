// `npm run chart:schema`: regenerates chart/values.schema.json from scripts/values-schema.ts
// (the chart's settings) and src/config/schema.ts (the config section).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { valuesSchemaText } from './values-schema.js';

const target = fileURLToPath(new URL('../chart/values.schema.json', import.meta.url));
writeFileSync(target, valuesSchemaText());
console.log(`wrote ${target}`);
