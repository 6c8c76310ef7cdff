/**
 * Writes a labelled corpus: `corpus.json` (a Prometheus query_range response) and `truth.json`
 * (one entry per series, in the same order: family, leak, onset, limit).
 *   node --import tsx test/corpus/generate.ts --seed 1 --per-family 10 --out /tmp/corpus
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCorpus, toQueryRange } from './corpus.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    'per-family': { type: 'string', default: '10' },
    hours: { type: 'string', default: '72' },
    out: { type: 'string', default: 'corpus-out' },
  },
});
const series = generateCorpus({
  seed: Number(values.seed),
  perFamily: Number(values['per-family']),
  hours: Number(values.hours),
});
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'corpus.json'), JSON.stringify(toQueryRange(series)));
writeFileSync(
  join(values.out, 'truth.json'),
  JSON.stringify(
    series.map((s) => ({ labels: s.labels, ...s.truth })),
    null,
    1,
  ),
);
console.log(`wrote ${series.length} series to ${values.out}/corpus.json and truth.json`);
