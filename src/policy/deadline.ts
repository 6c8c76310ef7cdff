/**
 * Whether an action may still start: the one check made right before each mutating step of an
 * action (src/run/act.ts). Not once the run's deadline has passed (its signal fired), and not once
 * the run lock could have expired: the Lease's term is counted from just before it was requested, on
 * this machine's monotonic clock, so it ends here no later than the API server's clock lets another
 * run take the lock over (which also waits out an allowance). Pure: the caller hands in the clock.
 */
export interface ActingWindow {
  /** The run's signal, aborted at its deadline. */
  signal?: AbortSignal;
  /** Monotonic time (ms) just before the run lock was requested. */
  lockRequestedAtMs: number;
  /** The lock's term (config `lock.duration`). */
  lockSeconds: number;
  /** The monotonic clock, in ms (`performance.now`). */
  monotonicMs: () => number;
}

/** Why no action may start now, or null while one may. */
export function tooLateToAct(window: ActingWindow): string | null {
  if (window.signal?.aborted) return 'the run deadline has passed';
  const now = window.monotonicMs();
  if (now >= window.lockRequestedAtMs + window.lockSeconds * 1000) return 'the run lock may have expired';
  return null;
}
