/**
 * Child of bench section 7: one range query through the real Prometheus adapter, in a fresh process
 * with the image's Node flags, against a local server that serves a prepared answer. Prints
 * `{"series", "samples", "peakRssBytes", "error"}` as its last line; the peak is this address space's
 * (peak-rss.ts: getrusage's would be the parent's when the child is started through another program).
 */
import { parseArgs } from 'node:util';
import { PrometheusSource } from '../src/prom/prometheus.js';
import { peakRssBytes } from './peak-rss.js';

const { values } = parseArgs({
  options: { url: { type: 'string' }, days: { type: 'string' }, step: { type: 'string' } },
});
const end = Math.floor(Date.now() / 1000);
const source = new PrometheusSource({ url: values.url!, version: 'bench', timeoutSeconds: 120 });
let series = 0;
let samples = 0;
let error: string | null = null;
const answer = await source.queryRange({
  query: 'bench',
  start: end - Number(values.days) * 86_400,
  end,
  stepSeconds: Number(values.step),
});
if (answer.outcome === 'answered') {
  series = answer.series.length;
  samples = answer.series.reduce((n, s) => n + s.samples.t.length, 0);
} else error = answer.error.message;
console.log(JSON.stringify({ series, samples, peakRssBytes: peakRssBytes(), error }));
