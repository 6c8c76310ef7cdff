// A real single-node VictoriaMetrics for tests (Debian's victoria-metrics package), holding the same
// history as the test Prometheus: imported through its /api/v1/import/prometheus API.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPrometheusText, type LabelledSeries } from './memory-history.js';
import { freePort, requireCommands, startServer } from './prometheus.js';

export interface RunningVictoriaMetrics {
  /** The Prometheus-compatible base URL leakguard is given: `http://127.0.0.1:PORT/prometheus`. */
  url: string;
  stop(): Promise<void>;
}

export interface VictoriaMetricsOptions {
  /** Server flags, e.g. `-search.maxUniqueTimeseries=1` to meet its limits. */
  flags?: readonly string[];
}

/**
 * Starts VictoriaMetrics on a fresh data directory with its default query settings (response cache
 * on, hence ranges aligned to the step); `importSeries` then loads history into it, before any query.
 */
export async function startVictoriaMetrics({
  flags = [],
}: VictoriaMetricsOptions = {}): Promise<RunningVictoriaMetrics> {
  requireCommands('victoria-metrics', ['victoria-metrics']);
  const dir = await mkdtemp(join(tmpdir(), 'leakguard-vm-'));
  const port = await freePort();
  const root = `http://127.0.0.1:${port}`;
  const args = [
    `-storageDataPath=${join(dir, 'data')}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    '-retentionPeriod=100y',
    '-loggerLevel=ERROR',
    ...flags,
  ];
  const server = await startServer('victoria-metrics', args, `${root}/health`, dir);
  return { url: `${root}/prometheus`, stop: server.stop };
}

/**
 * Imports series through `/api/v1/import/prometheus` (Prometheus text format, millisecond
 * timestamps) and flushes them, so the next query sees every sample.
 */
export async function importSeries(
  vm: RunningVictoriaMetrics,
  metric: string,
  series: readonly LabelledSeries[],
): Promise<void> {
  const root = vm.url.replace(/\/prometheus$/, '');
  const response = await fetch(`${root}/api/v1/import/prometheus`, {
    method: 'POST',
    body: toPrometheusText(metric, series),
  });
  if (!response.ok) throw new Error(`VictoriaMetrics import: HTTP ${response.status}: ${await response.text()}`);
  const flushed = await fetch(`${root}/internal/force_flush`);
  if (!flushed.ok) throw new Error(`VictoriaMetrics force_flush: HTTP ${flushed.status}`);
}
