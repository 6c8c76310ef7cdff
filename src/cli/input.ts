/** Reads a saved Prometheus `query_range` response (for `analyze` and `backtest`). */
import { readFile } from 'node:fs/promises';
import { parseQueryRangeResponse } from '../prom/schema.js';
import type { RangeResult } from '../prom/types.js';
import { UsageError } from './errors.js';

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
