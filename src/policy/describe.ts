/** Small pure builders for the human text quoted in Events, Slack and PR bodies. */
import type { Verdict } from '../detect/types.js';
import { formatMiBPerHour } from '../model/units.js';
import type { VerdictSummary } from './types.js';

export function formatRate(bytesPerHour: number | null): string {
  return bytesPerHour === null ? 'unknown rate' : formatMiBPerHour(bytesPerHour);
}

export function formatTime(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function summarizeVerdict(verdict: Verdict): VerdictSummary {
  return {
    kind: verdict.kind,
    bytesPerHour: verdict.slope?.bytesPerHour ?? null,
    hoursToLimit: verdict.hoursToLimit,
    headline: verdict.reasons[0] ?? `verdict ${verdict.kind}`,
  };
}

export function describeLeak(summary: VerdictSummary): string {
  const limit = summary.hoursToLimit === null ? '' : `, limit in ${summary.hoursToLimit.toFixed(1)} h`;
  return `growing ${formatRate(summary.bytesPerHour)}${limit}: ${summary.headline}`;
}
