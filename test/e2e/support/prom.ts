/** Minimal PromQL client for asserting on what the e2e Prometheus scraped. */
import { z } from 'zod';
import { loadE2eEnv, type E2eEnv } from './env.js';

const sampleSchema = z.tuple([z.number(), z.string()]);
const vectorSchema = z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleSchema }));
const matrixSchema = z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(sampleSchema) }));

const responseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), data: z.object({ resultType: z.string(), result: z.unknown() }) }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

export interface Sample {
  /** Unix seconds. */
  t: number;
  v: number;
}
export interface InstantSeries {
  metric: Record<string, string>;
  sample: Sample;
}
export interface RangeSeries {
  metric: Record<string, string>;
  samples: Sample[];
}

const toSample = ([t, v]: [number, string]): Sample => ({ t, v: Number(v) });

async function promGet(
  path: string,
  params: Record<string, string>,
  env: E2eEnv,
): Promise<{ resultType: string; result: unknown }> {
  const url = new URL(`${env.prometheusUrl}${path}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const body = responseSchema.parse(await res.json());
  if (body.status === 'error') throw new Error(`Prometheus ${path} ${params.query}: ${body.errorType}: ${body.error}`);
  return body.data;
}

/** Instant query; `time` in unix seconds (default: now). */
export async function promQuery(
  query: string,
  options: { time?: number; env?: E2eEnv } = {},
): Promise<InstantSeries[]> {
  const params: Record<string, string> = { query };
  if (options.time !== undefined) params.time = String(options.time);
  const data = await promGet('/api/v1/query', params, options.env ?? loadE2eEnv());
  if (data.resultType !== 'vector') throw new Error(`expected a vector from ${query}, got ${data.resultType}`);
  return vectorSchema.parse(data.result).map((s) => ({ metric: s.metric, sample: toSample(s.value) }));
}

/** Range query; times in unix seconds. */
export async function promQueryRange(
  query: string,
  range: { start: number; end: number; stepSeconds: number },
  env: E2eEnv = loadE2eEnv(),
): Promise<RangeSeries[]> {
  const data = await promGet(
    '/api/v1/query_range',
    { query, start: String(range.start), end: String(range.end), step: String(range.stepSeconds) },
    env,
  );
  if (data.resultType !== 'matrix') throw new Error(`expected a matrix from ${query}, got ${data.resultType}`);
  return matrixSchema.parse(data.result).map((s) => ({ metric: s.metric, samples: s.values.map(toSample) }));
}

/**
 * The raw scraped samples of one series selector over the last `windowSeconds` (a range-vector
 * instant query, so no step interpolation: exactly what the scrapes stored).
 */
export async function scrapedSamples(
  selector: string,
  windowSeconds: number,
  env: E2eEnv = loadE2eEnv(),
): Promise<RangeSeries[]> {
  const data = await promGet('/api/v1/query', { query: `${selector}[${windowSeconds}s]` }, env);
  if (data.resultType !== 'matrix') throw new Error(`expected a matrix from ${selector}, got ${data.resultType}`);
  return matrixSchema.parse(data.result).map((s) => ({ metric: s.metric, samples: s.values.map(toSample) }));
}
