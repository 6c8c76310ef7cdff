import type { SampleColumns } from '../detect/columns.js';
import type { Sample } from '../detect/types.js';
import type { Failed } from '../model/result.js';
import type { MetricsError } from './errors.js';
import type { MemorySelection } from './queries.js';

/** One range query. Times are unix seconds; Prometheus evaluates at start, start+step, … ≤ end. */
export interface RangeQuery {
  query: string;
  /** What a built-in query selects, as data (src/prom/queries.ts): an in-memory source reads this, not the PromQL. */
  selection?: MemorySelection;
  start: number;
  end: number;
  stepSeconds: number;
  /** Aborts the request, e.g. when the job deadline is reached. */
  signal?: AbortSignal;
  /** Shared with the other answers of the same profile: this answer reads only what they left. */
  budget?: AnswerBudget;
  /**
   * Handed each series of the answer, in answer order, as soon as it is read (a source that reads the
   * answer whole hands none): the caller can work on the first series while the rest stream in. The
   * answer still lists every series, these same objects first; a series handed here may belong to an
   * answer that fails later.
   */
  onSeries?: (series: RangeSeries) => void;
}

/**
 * What the answers of one profile (its window and its workload history, whose columns are held at
 * the same time) may still read together: `prometheus.maxResponseBytes` and `prometheus.maxSeries`
 * to start with. The source deducts what each answer it returns read.
 */
export interface AnswerBudget {
  bytes: number;
  series: number;
}

export interface RangeSeries {
  /** The series' labels exactly as Prometheus returned them (including `__name__` when present). */
  labels: Record<string, string>;
  /**
   * Samples in increasing time order, exactly as returned: no filling, no interpolation, and
   * non-finite values ("NaN", "+Inf", "-Inf") kept as NaN/±Infinity for the detector to reject.
   * Prometheus itself answers each step with the newest sample up to its lookback delta (5 min by
   * default) old: a hole shorter than that comes back filled with the previous value, and a series
   * that stopped keeps answering for up to 5 more minutes. Staleness thresholds must allow for it.
   * Held as columns (16 bytes a sample): a fleet's history is hundreds of thousands of samples.
   */
  samples: SampleColumns;
}

export interface RangeResult {
  series: RangeSeries[];
  /** Prometheus' warnings (e.g. partial data from a failed store); empty when there were none. */
  warnings: string[];
  /** Prometheus' informational annotations (Prometheus ≥ 2.52), only when present. */
  infos?: string[];
}

/** One instant query, evaluated at `time` (unix seconds) or at Prometheus' "now". */
export interface InstantQuery {
  query: string;
  time?: number;
  signal?: AbortSignal;
}

export interface InstantSeries {
  labels: Record<string, string>;
  sample: Sample;
}

export interface InstantResult {
  /** A vector result as one entry per series; a scalar result as one entry with no labels. */
  series: InstantSeries[];
  warnings: string[];
  infos?: string[];
}

/** A query's answer, or why there is none (src/model/result.ts). */
export type MetricsAnswer<R> = ({ outcome: 'answered' } & R) | Failed<MetricsError>;

/**
 * Where memory history comes from. The Prometheus HTTP API is one implementation (Thanos Query and
 * VictoriaMetrics speak it too). Never rejects for what the server answered: a failure comes back
 * as `{ outcome: 'failed', error }` with a MetricsErrorCode.
 */
export interface MetricsSource {
  queryRange(query: RangeQuery): Promise<MetricsAnswer<RangeResult>>;
  query(query: InstantQuery): Promise<MetricsAnswer<InstantResult>>;
}
