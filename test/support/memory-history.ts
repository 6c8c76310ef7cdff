// Synthetic working-set histories, their OpenMetrics form (for promtool backfill) and back.
import type { Sample } from '../../src/detect/types.js';

export interface LabelledSeries {
  labels: Record<string, string>;
  samples: Sample[];
}

export const METRIC = 'container_memory_working_set_bytes';
const MiB = 1024 * 1024;

export interface SyntheticHistory {
  /** Unix seconds of the first and last regular sample (both multiples of stepSeconds). */
  start: number;
  end: number;
  stepSeconds: number;
  /** Keyed by pod name; labels include namespace, pod and container. */
  series: Record<'leaking' | 'flat' | 'nonfinite' | 'stale' | 'gappy', LabelledSeries>;
}

/** Indices (from start) where the gappy series has no samples: a 30-minute hole and a 3-minute one. */
export const LONG_GAP = { from: 600, to: 630 } as const;
export const SHORT_GAP = { from: 1000, to: 1002 } as const;
/** The stale series stops this many steps before the end. */
export const STALE_STEPS = 180;
// Inside the last 24 h (the default detection window) of a 30 h history.
export const NON_FINITE_AT = { 1500: Number.NaN, 1600: Infinity, 1700: -Infinity } as Record<number, number>;

/**
 * ~30 h of 60 s samples ending a few minutes before `nowSeconds`: a Rook-like operator leaking
 * 12 MiB/h under a GC sawtooth, a flat neighbour, one with NaN/±Inf samples, one that went stale
 * 3 h ago, and one with gaps. Values are whole bytes so they survive the text round trip exactly.
 */
export function syntheticHistory(nowSeconds: number, hours = 30, stepSeconds = 60): SyntheticHistory {
  const end = Math.floor(nowSeconds / stepSeconds) * stepSeconds - 2 * stepSeconds;
  const count = Math.floor((hours * 3600) / stepSeconds);
  const start = end - (count - 1) * stepSeconds;
  const sawtooth = (i: number): number => (i % 7) * 3 * MiB;
  const make = (pod: string, value: (i: number) => number | undefined): LabelledSeries => {
    const samples: Sample[] = [];
    for (let i = 0; i < count; i++) {
      const v = value(i);
      if (v !== undefined) samples.push({ t: start + i * stepSeconds, v });
    }
    return { labels: { namespace: 'operators', pod, container: 'manager' }, samples };
  };
  const hoursAt = (i: number): number => (i * stepSeconds) / 3600;
  return {
    start,
    end,
    stepSeconds,
    series: {
      leaking: make('rook-ceph-operator-7d9f', (i) => 400 * MiB + Math.round(12 * MiB * hoursAt(i)) + sawtooth(i)),
      flat: make('cert-manager-5c6b', (i) => 300 * MiB + sawtooth(i)),
      nonfinite: make('nonfinite-0', (i) => NON_FINITE_AT[i] ?? 200 * MiB + sawtooth(i)),
      stale: make('stale-0', (i) => (i < count - STALE_STEPS ? 250 * MiB + sawtooth(i) : undefined)),
      gappy: make('gappy-0', (i) =>
        inRange(i, LONG_GAP) || inRange(i, SHORT_GAP) ? undefined : 150 * MiB + sawtooth(i),
      ),
    },
  };
}

function inRange(i: number, range: { from: number; to: number }): boolean {
  return i >= range.from && i < range.to;
}

/** OpenMetrics text for promtool: one gauge family, timestamps in seconds, `# EOF` last. */
export function toOpenMetrics(metric: string, series: readonly LabelledSeries[]): string {
  return [
    `# HELP ${metric} Synthetic working set.`,
    `# TYPE ${metric} gauge`,
    ...sampleLines(metric, series, 1),
    '# EOF',
    '',
  ].join('\n');
}

/** `toOpenMetrics`, one series at a time: a fleet's history need never be one string (or one array) in memory. */
export function* openMetricsChunks(metric: string, series: Iterable<LabelledSeries>): Generator<string> {
  yield `# HELP ${metric} Synthetic working set.\n# TYPE ${metric} gauge\n`;
  for (const s of series) yield `${sampleLines(metric, [s], 1).join('\n')}\n`;
  yield '# EOF\n';
}

/** Prometheus text format with millisecond timestamps, as VictoriaMetrics' /api/v1/import/prometheus reads it. */
export function toPrometheusText(metric: string, series: readonly LabelledSeries[]): string {
  return [`# TYPE ${metric} gauge`, ...sampleLines(metric, series, 1000), ''].join('\n');
}

function sampleLines(metric: string, series: readonly LabelledSeries[], timeScale: number): string[] {
  const lines: string[] = [];
  for (const { labels, samples } of series) {
    const labelText = Object.entries(labels)
      .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
      .join(',');
    for (const { t, v } of samples)
      lines.push(`${metric}{${labelText}} ${formatValue(v)} ${Math.round(t * timeScale)}`);
  }
  return lines;
}

/** Reads back the sample lines of `toOpenMetrics` output (the subset of OpenMetrics it writes). */
export function parseOpenMetrics(text: string): LabelledSeries[] {
  const byKey = new Map<string, LabelledSeries>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+) (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable OpenMetrics line: ${line}`);
    const [, name, labelText, value, time] = match as unknown as [string, string, string, string, string];
    const labels: Record<string, string> = { __name__: name };
    for (const [, key, raw] of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = unescapeLabel(raw!);
    const key = JSON.stringify(labels);
    const series = byKey.get(key) ?? { labels, samples: [] };
    byKey.set(key, series);
    series.samples.push({
      t: Number(time),
      v: value === 'NaN' ? Number.NaN : value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value),
    });
  }
  return [...byKey.values()];
}

/**
 * What Prometheus answers for a raw series at each evaluation time: the newest sample no older than
 * the lookback delta (5 minutes by default, inclusive in Prometheus 2.x). This is Prometheus'
 * behaviour, not the client's: a hole shorter than the lookback comes back filled with the last
 * value, and a series that stopped keeps answering for up to 5 minutes.
 */
export function expectedAtSteps(
  samples: readonly Sample[],
  start: number,
  end: number,
  stepSeconds: number,
  lookbackSeconds = 300,
): Sample[] {
  const out: Sample[] = [];
  let j = 0;
  for (let t = start; t <= end; t += stepSeconds) {
    while (j + 1 < samples.length && samples[j + 1]!.t <= t) j++;
    const sample = samples[j];
    if (sample && sample.t <= t && sample.t >= t - lookbackSeconds) out.push({ t, v: sample.v });
  }
  return out;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}
