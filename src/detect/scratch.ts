/**
 * A buffer reused from call to call: judging a run's thousands of series in turn, a typed array per
 * series and step (its own ArrayBuffer, outside the heap, freed by a collection) was a good part of the
 * garbage. Only for work that ends before the function that uses it returns: the next call overwrites it.
 */
export class Scratch {
  private buffer: Float64Array;

  constructor(size: number) {
    this.buffer = new Float64Array(size);
  }

  /** At least `size` elements (the ones past `size` and the values are whatever the last use left). */
  take(size: number): Float64Array {
    if (this.buffer.length < size) this.buffer = new Float64Array(2 * size);
    return this.buffer;
  }
}
