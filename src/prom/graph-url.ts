/**
 * A link to Prometheus' graph page showing `query` over the last `rangeSeconds`, for Slack and
 * Events. Prometheus, Thanos Query and Mimir serve `/graph` under their path prefix;
 * VictoriaMetrics redirects `/graph` to vmui.
 */
import { trimEnd } from '../model/text.js';

export function promGraphUrl(baseUrl: string, query: string, rangeSeconds: number): string {
  const parsed = new URL(baseUrl);
  const base = `${parsed.origin}${trimEnd(parsed.pathname, '/')}`;
  const params = new URLSearchParams({ 'g0.expr': query, 'g0.tab': '0', 'g0.range_input': formatRange(rangeSeconds) });
  return `${base}/graph?${params.toString()}`;
}

/** 86400 → "1d", 5400 → "90m", 45 → "45s": the largest unit Prometheus' range input accepts exactly. */
export function formatRange(seconds: number): string {
  const whole = Math.max(1, Math.round(seconds));
  for (const [unit, size] of [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (whole % size === 0) return `${whole / size}${unit}`;
  }
  return `${whole}s`;
}
