/**
 * Garbage collected on the command's schedule rather than V8's alone: a module of its own, so that a
 * command that needs only this (`backtest`) does not load the run's wiring (the Kubernetes client).
 */

/**
 * Memory the process may gain between two of the run's collections: below it a full collection (tens of
 * milliseconds on a heap of 10,000 judged targets) costs more time than the memory it gives back.
 */
const reclaimAfterBytes = 16 * 2 ** 20;

/**
 * V8's full garbage collection, when the process was started with --expose-gc (the image is), run only
 * once the heap and the typed arrays' memory have grown by `reclaimAfterBytes` since the last one — or
 * always, when `force`d (RunDeps.reclaim).
 */
export function exposedGc(): ((force?: boolean) => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== 'function') return undefined;
  const held = (): number => {
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  let afterLast = 0;
  return (force = false) => {
    if (!force && held() - afterLast < reclaimAfterBytes) return;
    (gc as () => unknown)();
    afterLast = held();
  };
}
