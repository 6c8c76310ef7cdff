/** Reads a saved Prometheus `query_range` response (for `analyze` and `backtest`). */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ResponseFormatError, parseQueryRangeResponse, parseRangeSeries } from '../prom/schema.js';
import { JsonSyntaxError, StreamingMatrixParser } from '../prom/stream-json.js';
import type { RangeResult, RangeSeries } from '../prom/types.js';
import { ownersFromSeries } from '../detect/index.js';
import { seriesKey } from '../detect/targets.js';
import { UsageError } from './errors.js';

/** A working-set series to judge, with the memory limit of its container when one is known. */
export interface HistorySeries extends RangeSeries {
  limitBytes: number | undefined;
}

/**
 * Limit series a history file may hold beside the working set: kube-state-metrics v2
 * (`kube_pod_container_resource_limits`, memory where `resource="memory"`) and cAdvisor
 * (`container_spec_memory_limit_bytes`, 0 when there is no limit). Inputs, never judged.
 */
const LIMIT_METRICS = new Set(['kube_pod_container_resource_limits', 'container_spec_memory_limit_bytes']);

export function isLimit(labels: Record<string, string>): boolean {
  return LIMIT_METRICS.has(labels.__name__ ?? '');
}

/** `kube_pod_owner` (kube-state-metrics): which workload each pod belongs to. An input, never judged. */
export function isInputOnly(labels: Record<string, string>): boolean {
  return isLimit(labels) || labels.__name__ === 'kube_pod_owner';
}

/** The working sets of a history file and the owner of each pod it names (`namespace/pod` → workload). */
export interface HistoryFile {
  series: HistorySeries[];
  owners: Map<string, string>;
}

export function isMemoryLimit(labels: Record<string, string>): boolean {
  return isLimit(labels) && (labels.__name__ === 'container_spec_memory_limit_bytes' || labels.resource === 'memory');
}

/** The newest positive value of a limit series, or undefined. */
export function latestLimit(series: RangeSeries): { t: number; bytes: number } | undefined {
  const { t, v } = series.samples;
  for (let i = t.length - 1; i >= 0; i--) if (Number.isFinite(v[i]) && v[i]! > 0) return { t: t[i]!, bytes: v[i]! };
  return undefined;
}

/**
 * The working-set series of a history file, in input order, each with the limit of the same
 * namespace/pod/container read from the limit series in the file (the newest value), else
 * `fallbackLimitBytes` (`--limit-bytes`); and the pods' owners from `kube_pod_owner` series.
 * Limit and owner series are inputs only: they are not judged.
 */
export async function readHistoryFile(path: string, fallbackLimitBytes: number | undefined): Promise<HistoryFile> {
  const { series } = await readRangeFile(path);
  const limits = new Map<string, { t: number; bytes: number }>();
  for (const s of series) {
    if (!isMemoryLimit(s.labels)) continue;
    const limit = latestLimit(s);
    const key = seriesKey(s.labels.namespace, s.labels.pod, s.labels.container);
    const known = limits.get(key);
    if (limit !== undefined && (known === undefined || limit.t >= known.t)) limits.set(key, limit);
  }
  return {
    series: series
      .filter((s) => !isInputOnly(s.labels))
      .map((s) => ({
        ...s,
        limitBytes:
          limits.get(seriesKey(s.labels.namespace, s.labels.pod, s.labels.container))?.bytes ?? fallbackLimitBytes,
      })),
    owners: ownersFromSeries(series.map((s) => s.labels)),
  };
}

export async function readRangeFile(path: string): Promise<RangeResult> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --input ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--input ${path} is not JSON: ${(error as Error).message}`);
  }
  try {
    return parseQueryRangeResponse(json);
  } catch (error) {
    throw new UsageError(`--input ${path} is not a Prometheus query_range response: ${(error as Error).message}`);
  }
}

/**
 * Reads a saved `query_range` response series by series (the streaming parser the Prometheus answers
 * go through): `onSeries` gets each series as soon as it is read, and none is kept, so memory follows
 * the largest series, not the file. The rest of the document is checked at the end.
 */
export async function streamRangeFile(
  path: string,
  onSeries: (series: RangeSeries, index: number) => void,
): Promise<void> {
  const parser = new StreamingMatrixParser(undefined, Infinity, (item, index) =>
    onSeries(parseRangeSeries(item, index), index),
  );
  const decoder = new TextDecoder();
  try {
    try {
      for await (const chunk of path === '-' ? process.stdin : createReadStream(path))
        parser.write(decoder.decode(chunk as Buffer, { stream: true }));
    } catch (error) {
      if (error instanceof JsonSyntaxError || error instanceof ResponseFormatError) throw error;
      throw new UsageError(`cannot read --input ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    parser.write(decoder.decode());
    parseQueryRangeResponse(parser.end());
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new UsageError(`--input ${path} is not JSON: ${error.message}`);
    if (error instanceof ResponseFormatError)
      throw new UsageError(`--input ${path} is not a Prometheus query_range response: ${error.message}`);
    throw error;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `rook-ceph/rook-ceph-operator-7d9f/rook-ceph-operator`, or the label set when those labels are absent. */
export function seriesName(labels: Record<string, string>): string {
  const { namespace, pod, container } = labels;
  if (namespace && pod) return [namespace, pod, container].filter(Boolean).join('/');
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `{${pairs.join(',')}}`;
}
