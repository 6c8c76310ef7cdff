/** Small pure builders for the human text quoted in Events, Slack and PR bodies. */
import type { Verdict } from '../detect/types.js';
import { formatHours, formatMiBPerHour } from '../model/units.js';
import type { VerdictSummary } from './types.js';

export function formatRate(bytesPerHour: number | null): string {
  return bytesPerHour === null ? 'unknown rate' : formatMiBPerHour(bytesPerHour);
}

export function summarizeVerdict(verdict: Verdict): VerdictSummary {
  return {
    kind: verdict.kind,
    bytesPerHour: verdict.slope?.bytesPerHour ?? null,
    hoursToLimit: verdict.hoursToLimit,
    headline: verdict.reasons[0] ?? `verdict ${verdict.kind}`,
  };
}

/**
 * The leak in one phrase. The detector's headline already states the rate and the time to the limit
 * for a growing floor ("floor rose 33.1 MiB/h … limit reached in ~8.3 h"): it is said once, not
 * prefixed again. Only a headline without a rate (an OOM-kill cycle) gets one.
 */
export function describeLeak(summary: VerdictSummary): string {
  if (summary.headline.includes('MiB/h') || summary.bytesPerHour === null) return summary.headline;
  const limit = summary.hoursToLimit === null ? '' : `, limit in ${formatHours(summary.hoursToLimit)}`;
  return `growing ${formatRate(summary.bytesPerHour)}${limit}: ${summary.headline}`;
}
