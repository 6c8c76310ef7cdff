import { expect } from 'vitest';

/** The message of the error `fn` throws, after checking it is a `type`; fails the test when nothing is thrown. */
export function thrownMessage(fn: () => unknown, type: abstract new (...args: never[]) => Error): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return (error as Error).message;
  }
  throw new Error(`expected a ${type.name}`);
}
