import { z } from 'zod';
import type { SampleColumns } from '../detect/columns.js';
import type { Sample } from '../detect/types.js';
import { parseSampleValue } from './sample-value.js';
import { SampleList, sameColumn } from './stream-json.js';
import type { InstantResult, InstantSeries, RangeResult, RangeSeries } from './types.js';

export { parseSampleValue };

// The envelope is validated with zod. The [time, "value"] pairs are checked by a hand-written loop:
// a run over 1,000 containers × 24 h at 60 s holds ~1.4 M pairs, which zod tuples validate in about
// a second on this class of machine — most of the run's budget. The loop reports the same
// path-named errors. `values` is either that JSON array or, from the streaming parser, a
// SampleList already converted (see stream-json.ts).

const labelsSchema = z.record(z.string(), z.string());
const annotationsSchema = z.array(z.string()).optional();

const matrixItemSchema = z.object({
  metric: labelsSchema,
  values: z.custom<unknown[] | SampleList>((v) => Array.isArray(v) || v instanceof SampleList, 'expected array'),
});

const matrixSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('matrix'),
    result: z.array(matrixItemSchema),
  }),
  warnings: annotationsSchema,
  infos: annotationsSchema,
  /** VictoriaMetrics cluster's own flag for an answer some vmstorage nodes did not contribute to. */
  isPartial: z.boolean().optional(),
});

const instantSchema = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [
    z.object({
      resultType: z.literal('vector'),
      result: z.array(z.object({ metric: labelsSchema, value: z.unknown() })),
    }),
    z.object({ resultType: z.literal('scalar'), result: z.unknown() }),
  ]),
  warnings: annotationsSchema,
  infos: annotationsSchema,
  /** VictoriaMetrics cluster's own flag for an answer some vmstorage nodes did not contribute to. */
  isPartial: z.boolean().optional(),
});

/** A Prometheus error body: `{status: "error", errorType, error}`. */
export const errorBodySchema = z.object({
  status: z.literal('error'),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: annotationsSchema,
});

/** A response that is not a well-formed Prometheus answer. `path` names the offending element. */
export class ResponseFormatError extends Error {
  override readonly name = 'ResponseFormatError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/**
 * Parses a `query_range` response body (already JSON-decoded) into series of samples.
 * Throws ResponseFormatError naming the first problem, e.g.
 * `data.result[3].values[17][1]: expected a numeric string, got "abc"`.
 */
export function parseQueryRangeResponse(json: unknown): RangeResult {
  rejectErrorBody(json);
  const body = parseEnvelope(matrixSchema, json);
  const shared = sharingTimes();
  const series = body.data.result.map((row, i): RangeSeries =>
    shared({ labels: row.metric, samples: parseValues(row.values, ['data', 'result', i, 'values']) }),
  );
  return withAnnotations({ series }, body);
}

/**
 * Series of one answer mostly share their timestamps (one per step): one column for all of them halves
 * what a large profile holds (columns are never written after parsing). The function returned gives each
 * series of an answer, in order, the previous series' timestamp column when it holds the same times.
 * For a document parsed whole; the streaming parser shares them as it reads (stream-json.ts, SeriesScratch).
 */
function sharingTimes(): (series: RangeSeries) => RangeSeries {
  let shared: Float64Array | undefined;
  return ({ labels, samples: { t, v } }) => {
    if (shared === undefined || !sameColumn(shared, t)) shared = t;
    return { labels, samples: { t: shared, v } };
  };
}

/**
 * One `data.result[index]` of a `query_range` response, handed over by the streaming parser before the
 * rest of the document is read (`leakguard backtest` reads a file series by series). The envelope is
 * checked by parseQueryRangeResponse at the end, on a document whose result list is then empty.
 */
export function parseRangeSeries(item: unknown, index: number): RangeSeries {
  const path = ['data', 'result', index] as const;
  const row = parseEnvelope(matrixItemSchema, item, path);
  return { labels: row.metric, samples: parseValues(row.values, [...path, 'values']) };
}

/** Parses an instant `query` response (vector or scalar). Same error style as parseQueryRangeResponse. */
export function parseInstantResponse(json: unknown): InstantResult {
  rejectErrorBody(json);
  const body = parseEnvelope(instantSchema, json);
  const { data } = body;
  const series: InstantSeries[] =
    data.resultType === 'scalar'
      ? [{ labels: {}, sample: parsePair(data.result, ['data', 'result']) }]
      : data.result.map((row, i) => ({
          labels: row.metric,
          sample: parsePair(row.value, ['data', 'result', i, 'value']),
        }));
  return withAnnotations({ series }, body);
}

type Path = readonly (string | number | symbol)[];

function rejectErrorBody(json: unknown): void {
  const error = errorBodySchema.safeParse(json);
  if (!error.success) return;
  const { errorType, error: text } = error.data;
  throw new ResponseFormatError(
    'status',
    `Prometheus answered with an error${errorType ? ` (${errorType})` : ''}: ${text ?? 'no message'}`,
  );
}

function parseEnvelope<T>(schema: z.ZodType<T>, json: unknown, at: Path = []): T {
  const parsed = schema.safeParse(json, { reportInput: true });
  if (parsed.success) return parsed.data;
  const [first, ...rest] = parsed.error.issues;
  if (!first) throw new ResponseFormatError('response', 'invalid');
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  throw new ResponseFormatError(formatPath([...at, ...first.path]), describeIssue(first) + more);
}

function parseValues(values: readonly unknown[] | SampleList, path: Path): SampleColumns {
  if (values instanceof SampleList) {
    if (!values.bad) return values.columns();
    const { index, pair } = values.bad;
    const sample = parsePair(pair, [...path, index]);
    throw new ResponseFormatError(
      formatPath([...path, index, 0]),
      `timestamps must increase, got ${sample.t} after ${values.lastTime() ?? -Infinity}`,
    );
  }
  const t = new Float64Array(values.length);
  const v = new Float64Array(values.length);
  let previous = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const sample = parsePair(values[i], [...path, i]);
    if (sample.t <= previous) {
      throw new ResponseFormatError(
        formatPath([...path, i, 0]),
        `timestamps must increase, got ${sample.t} after ${previous}`,
      );
    }
    previous = sample.t;
    t[i] = sample.t;
    v[i] = sample.v;
  }
  return { t, v };
}

function parsePair(pair: unknown, path: Path): Sample {
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new ResponseFormatError(formatPath(path), `expected a [time, "value"] pair, got ${describe(pair)}`);
  }
  const [t, text] = pair as [unknown, unknown];
  if (typeof t !== 'number' || !Number.isFinite(t)) {
    throw new ResponseFormatError(formatPath([...path, 0]), `expected a unix time in seconds, got ${describe(t)}`);
  }
  const v = typeof text === 'string' ? parseSampleValue(text) : undefined;
  if (v === undefined) {
    throw new ResponseFormatError(formatPath([...path, 1]), `expected a numeric string, got ${describe(text)}`);
  }
  return { t, v };
}

/** What leakguard says when VictoriaMetrics marks an answer `isPartial` instead of warning. */
export const PARTIAL_FLAG_WARNING = 'the answer is marked isPartial: some storage nodes did not respond';

function withAnnotations<T extends object>(
  result: T,
  body: { warnings?: string[]; infos?: string[]; isPartial?: boolean },
): T & { warnings: string[]; infos?: string[] } {
  const warnings = [...(body.warnings ?? []), ...(body.isPartial ? [PARTIAL_FLAG_WARNING] : [])];
  return { ...result, warnings, ...(body.infos ? { infos: body.infos } : {}) };
}

/** `['data','result',3,'values',17,1]` → `data.result[3].values[17][1]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || 'response';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const got = 'input' in issue ? `, got ${describe(issue.input)}` : '';
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}${got}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}${got}`;
    case 'invalid_union':
    case 'custom':
      return `${issue.message}${got}`;
    default:
      return issue.message;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
