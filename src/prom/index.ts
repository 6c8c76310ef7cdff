export type {
  InstantQuery,
  InstantResult,
  InstantSeries,
  MetricsSource,
  RangeQuery,
  RangeResult,
  RangeSeries,
} from './types.js';
export { MetricsError, type MetricsErrorCode } from './errors.js';
export { PrometheusSource, defaultQueryTimeoutSeconds, type PrometheusOptions } from './prometheus.js';
export { ResponseFormatError, parseInstantResponse, parseQueryRangeResponse, parseSampleValue } from './schema.js';
export { promGraphUrl } from './queries.js';
