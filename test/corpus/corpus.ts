import type { Sample } from '../../src/detect/types.js';
import { families } from './families.js';
import { createRng } from './random.js';
import { simulate } from './simulate.js';

/** 2026-01-01T00:00:00Z: every corpus series starts here. */
export const CORPUS_START_SECONDS = 1_767_225_600;

export interface Truth {
  family: string;
  leak: boolean;
  /** Unix seconds at which the leak begins; null for non-leaks. */
  onset: number | null;
  limitBytes: number | null;
  /** Unix seconds of the first OOM kill (the series reached its limit); null if it never did. */
  firstOomKill: number | null;
}

export interface CorpusSeries {
  labels: Record<string, string>;
  samples: Sample[];
  truth: Truth;
}

export interface CorpusOptions {
  seed: number;
  /** Series per family. */
  perFamily: number;
  /** Length of each series. @default 72 */
  hours?: number;
  /** Only these families (default: all). */
  only?: string[];
}

/** Deterministic: the same options always give the same corpus. */
export function generateCorpus(options: CorpusOptions): CorpusSeries[] {
  const hours = options.hours ?? 72;
  const out: CorpusSeries[] = [];
  for (const [f, name] of Object.keys(families).entries()) {
    if (options.only && !options.only.includes(name)) continue;
    for (let i = 0; i < options.perFamily; i++) {
      // One stream per series, so adding a family never changes the others.
      const rng = createRng(options.seed * 1_000_003 + f * 10_007 + i);
      const c = families[name]!(rng, hours);
      const { samples, oomKills } = simulate(c.shape, rng, CORPUS_START_SECONDS);
      out.push({
        labels: { namespace: `corpus-${name}`, pod: `${name}-${i}`, container: 'operator', family: name },
        samples,
        truth: {
          family: name,
          leak: c.leak,
          onset: c.onsetHours === null ? null : CORPUS_START_SECONDS + Math.round(c.onsetHours * 3600),
          limitBytes: c.shape.limitBytes ?? null,
          firstOomKill: oomKills[0] ?? null,
        },
      });
    }
  }
  return out;
}

/** A Prometheus query_range response holding the series, as the API returns it. */
export function toQueryRange(series: readonly CorpusSeries[]): unknown {
  return {
    status: 'success',
    data: {
      resultType: 'matrix',
      result: series.map((s) => ({ metric: s.labels, values: s.samples.map((p) => [p.t, String(p.v)]) })),
    },
  };
}

/** Reads the series of a query_range response (the inverse of toQueryRange). */
export function fromQueryRange(body: unknown): { labels: Record<string, string>; samples: Sample[] }[] {
  const data = (body as { data?: { result?: unknown } }).data;
  if (!data || !Array.isArray(data.result)) throw new Error('not a query_range matrix response');
  return data.result.map((r: { metric: Record<string, string>; values: [number, string][] }) => ({
    labels: r.metric,
    samples: r.values.map(([t, v]) => ({ t, v: Number(v) })),
  }));
}
