/** A verdict as the plan carries it: its kind, rate, time to the limit and headline. */
import type { Verdict } from '../detect/types.js';
import type { VerdictSummary } from './types.js';

export function summarizeVerdict(verdict: Verdict): VerdictSummary {
  return {
    kind: verdict.kind,
    bytesPerHour: verdict.slope?.bytesPerHour ?? null,
    hoursToLimit: verdict.hoursToLimit,
    headline: verdict.reasons[0] ?? `verdict ${verdict.kind}`,
  };
}
