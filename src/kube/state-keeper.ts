/**
 * One run's view of the workloads' durable state: read once (one list per namespace and kind), then
 * every write guarded by the snapshot it was read from (compare-and-swap, src/kube/state.ts). A workload
 * whose state cannot be read is left out: acting without it is unsafe.
 */
import type { WorkloadState } from '../model/state.js';
import { workloadKey, type WorkloadRef } from '../model/workload.js';
import { runText } from '../report/run-text.js';
import { describeKubeError } from './errors.js';
import type { StateSnapshot, StateStore } from './types.js';

export class StateKeeper {
  private readonly snapshots = new Map<string, StateSnapshot>();

  /** `fail` is told each write that did not happen, in the words the run prints. */
  constructor(
    private readonly store: StateStore,
    private readonly fail: (line: string) => void,
  ) {}

  /** Reads the workloads' state (the basis for guarded writes); the lines for those that could not be read. */
  async read(workloads: readonly WorkloadRef[]): Promise<string[]> {
    const byKey = new Map(workloads.map((w) => [workloadKey(w), w] as const));
    const reads = await this.store.readStates([...byKey.values()]);
    const failures: string[] = [];
    for (const key of byKey.keys()) {
      const read = reads.get(key) ?? {
        outcome: 'failed',
        error: { code: 'not-found', message: 'no state read for it' },
      };
      if (read.outcome === 'failed') failures.push(runText.stateUnreadable(key, describeKubeError(read.error)));
      else this.snapshots.set(key, read);
    }
    return failures;
  }

  stateOf(workload: WorkloadRef): WorkloadState | undefined {
    return this.snapshots.get(workloadKey(workload))?.state;
  }

  /** Writes `next(state)` unless unchanged; false when it was not written (told to `fail`). */
  async save(workload: WorkloadRef, next: (state: WorkloadState) => WorkloadState): Promise<boolean> {
    const key = workloadKey(workload);
    const basis = this.snapshots.get(key);
    if (!basis) return false;
    const state = next(basis.state);
    if (JSON.stringify(state) === JSON.stringify(basis.state)) return true;
    const result = await this.store.writeState(workload, state, basis);
    if (result.outcome === 'written') {
      this.snapshots.set(key, result.snapshot ?? { state, resourceVersion: result.resourceVersion, raw: null });
      return true;
    }
    if (result.outcome === 'unchanged') return true;
    if (result.outcome === 'changed-concurrently') {
      this.snapshots.set(key, result.current);
      this.fail(runText.stateChanged(key));
      return false;
    }
    this.fail(runText.stateUnwritable(key, describeKubeError(result.error)));
    return false;
  }
}
