/** Reading a MetricsSource's answers in tests and benches: the answer when one was expected, the error when not. */
import { MetricsError } from '../../src/prom/errors.js';
import type { MetricsAnswer } from '../../src/prom/types.js';

/** The answer; fails the test (with the server's reason) when the query failed. */
export async function answered<R>(pending: Promise<MetricsAnswer<R>>): Promise<R> {
  const answer = await pending;
  if (answer.outcome === 'failed')
    throw new Error(`expected an answer, the query failed: ${answer.error.code}: ${answer.error.message}`);
  return answer;
}

/** The error; fails the test when the query was answered. */
export async function failure(pending: Promise<MetricsAnswer<unknown>>): Promise<MetricsError> {
  const answer = await pending;
  if (answer.outcome !== 'failed') throw new Error('expected the query to fail, it was answered');
  if (!(answer.error instanceof MetricsError)) throw new Error(`expected a MetricsError, got ${String(answer.error)}`);
  return answer.error;
}
