/** The kinds of action leakguard takes, and what one did: the words config, state, Events and Slack share. Pure. */

/** The rungs of the ladder, in the config and in the stored state. */
export const ACTION_KINDS = ['restart', 'workaround', 'upgrade-pr'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
/** How a restart is done: a rollout of the workload, or the eviction of the leaking pod. */
export type RestartMode = 'rollout' | 'evict';

/** What an action did, as the actor reports it (Events, Slack and the run summary word it). */
export type ActionOutcome =
  | { kind: 'restarted' | 'evicted' | 'already-done' }
  | { kind: 'eviction-blocked'; message: string }
  | { kind: 'workaround-applied' | 'workaround-already-set' | 'workaround-reverted' }
  | { kind: 'pr'; result: 'opened' | 'updated' | 'linked' | 'up-to-date'; url?: string }
  | { kind: 'gitops-owned'; owner: string }
  /** `code`: the port's error code as plain data (src/model/transport.ts, or an adapter's own), when a port failed. */
  | { kind: 'failed'; message: string; code?: string }
  | { kind: 'deferred'; message: string };
