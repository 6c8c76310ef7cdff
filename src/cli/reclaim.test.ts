import { describe, expect, it } from 'vitest';
import { exposedGc } from './reclaim.js';

describe('exposedGc', () => {
  /** `exposedGc()` over a counting stand-in for V8's gc: the collections it made. */
  function countingCollections(use: (reclaim: (force?: boolean) => void, collections: () => number) => void): void {
    const global = globalThis as { gc?: () => void };
    const own = global.gc;
    let collections = 0;
    global.gc = () => void collections++;
    try {
      use(exposedGc()!, () => collections);
    } finally {
      if (own) global.gc = own;
      else delete global.gc;
    }
  }

  it('collects only once the process holds 16 MiB more than after the last collection (a full collection per page or shard cost seconds at 10,000 targets)', () => {
    countingCollections((reclaim, collections) => {
      reclaim(true);
      expect(collections()).toBe(1);
      reclaim();
      reclaim();
      expect(collections()).toBe(1);
      const held = new Float64Array((20 * 2 ** 20) / 8).fill(1);
      reclaim();
      expect(collections()).toBe(2);
      expect(held[0]).toBe(1);
    });
  });

  it('collects when forced, however little piled up (before the summary of a run is printed)', () => {
    countingCollections((reclaim, collections) => {
      reclaim(true);
      reclaim();
      expect(collections()).toBe(1);
      reclaim(true);
      expect(collections()).toBe(2);
    });
  });

  it('is absent when Node exposes no gc (run without --expose-gc)', () => {
    const global = globalThis as { gc?: () => void };
    const own = global.gc;
    delete global.gc;
    try {
      expect(exposedGc()).toBeUndefined();
    } finally {
      if (own) global.gc = own;
    }
  });
});
