// A range answer's series reach the caller (RangeQuery.onSeries) while the rest of the answer is still
// on the wire, so a run judges the first series while Prometheus sends the last. Against a local server
// that sends the answer in two parts and holds the second back until the first part's series are handed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusSource } from './prometheus.js';
import { parseQueryRangeResponse } from './schema.js';
import type { RangeSeries } from './types.js';
import { answered, failure } from '../../test/support/answers.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

const query = { query: 'up', start: 1_700_000_000, end: 1_700_000_000 + 600, stepSeconds: 60 };
const points = (n: number, value: (i: number) => string = String) =>
  Array.from({ length: n }, (_, i) => [query.start + i * 60, value(i)]);
const item = (pod: string, values: unknown[]) => JSON.stringify({ metric: { pod }, values });

/** Serves `first`, then waits (at most 5 s) for `ready()` before sending `rest`; says whether it had to wait it out. */
async function twoPartServer(first: string, rest: string, ready: () => boolean) {
  const sent = { waitedOut: false, restSent: false };
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(first);
    const started = Date.now();
    const poll = setInterval(() => {
      if (!ready() && Date.now() - started < 5000) return;
      clearInterval(poll);
      sent.waitedOut = !ready();
      sent.restSent = true;
      res.end(rest);
    }, 5);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, sent };
}

describe('series handed over as the answer streams in', () => {
  it('hands each series on as soon as it is read, before the rest of the answer arrives', async () => {
    const head = '{"status":"success","data":{"resultType":"matrix","result":[';
    const series = ['a', 'b', 'c', 'd', 'e'].map((pod, i) =>
      item(
        pod,
        points(11, (k) => String(i * 100 + k)),
      ),
    );
    const first = `${head}${series.slice(0, 3).join(',')},`;
    const rest = `${series.slice(3).join(',')}]},"warnings":["w"]}`;
    const handed: RangeSeries[] = [];
    const handedBeforeRest: string[] = [];
    const { url, sent } = await twoPartServer(first, rest, () => handed.length >= 3);

    const source = new PrometheusSource({ url, version: 't' });
    const answer = await answered(
      source.queryRange({
        ...query,
        onSeries: (s) => {
          handed.push(s);
          if (!sent.restSent) handedBeforeRest.push(s.labels['pod']!);
        },
      }),
    );

    expect(sent.waitedOut).toBe(false);
    expect(handedBeforeRest).toEqual(['a', 'b', 'c']);
    // The answer lists every series, the handed ones as the same objects, as a whole document reads them.
    expect(answer.series).toHaveLength(5);
    answer.series.forEach((s, i) => expect(s).toBe(handed[i]));
    expect(answer).toEqual({ ...parseQueryRangeResponse(JSON.parse(first + rest)), outcome: 'answered' });
    // One timestamp column for series with the same times, as a whole document shares it.
    expect(new Set(answer.series.map((s) => s.samples.t)).size).toBe(1);
  });

  it('a malformed series fails the whole answer, naming it, though the series before it were handed', async () => {
    const head = '{"status":"success","data":{"resultType":"matrix","result":[';
    const first = `${head}${item('a', points(11))},`;
    const rest = `${item(
      'b',
      points(11, (k) => (k === 4 ? 'abc' : '1')),
    )},${item('c', points(11))}]}}`;
    const handed: string[] = [];
    const { url } = await twoPartServer(first, rest, () => handed.length >= 1);
    const source = new PrometheusSource({ url, version: 't' });
    const error = await failure(source.queryRange({ ...query, onSeries: (s) => handed.push(s.labels['pod']!) }));
    expect(handed).toEqual(['a']);
    expect(error.code).toBe('bad-response');
    expect(error.message).toContain('unexpected response: data.result[1].values[4][1]: expected a numeric string');
  });
});
