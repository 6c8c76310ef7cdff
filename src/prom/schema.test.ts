import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toColumns, toSamples } from '../detect/columns.js';
import {
  PARTIAL_FLAG_WARNING,
  ResponseFormatError,
  formatPath,
  parseInstantResponse,
  parseQueryRangeResponse,
  parseSampleValue,
} from './schema.js';
import { thrownMessage } from '../../test/support/thrown.js';

const matrix = (result: unknown, extra: Record<string, unknown> = {}) => ({
  status: 'success',
  data: { resultType: 'matrix', result },
  ...extra,
});
const series = (values: unknown, metric: unknown = { pod: 'p' }) => ({ metric, values });

function problem(json: unknown): string {
  return thrownMessage(() => parseQueryRangeResponse(json), ResponseFormatError);
}

describe('parseQueryRangeResponse', () => {
  it('turns a matrix into labelled samples, keeping warnings and infos', () => {
    const json = matrix(
      [
        series(
          [
            [1700000000, '1048576'],
            [1700000060.5, '2.5e6'],
          ],
          { __name__: 'm', pod: 'a' },
        ),
      ],
      { warnings: ['partial'], infos: ['i'] },
    );
    expect(parseQueryRangeResponse(json)).toEqual({
      series: [
        {
          labels: { __name__: 'm', pod: 'a' },
          samples: toColumns([
            { t: 1700000000, v: 1048576 },
            { t: 1700000060.5, v: 2.5e6 },
          ]),
        },
      ],
      warnings: ['partial'],
      infos: ['i'],
    });
  });

  it("holds one timestamp column for the series that share their timestamps (a large answer's memory halves)", () => {
    const steps = (from: number, values: string[]) => values.map((v, i) => [from + 60 * i, v]);
    const json = matrix([
      series(steps(1700000000, ['1', '2', '3']), { pod: 'a' }),
      series(steps(1700000000, ['4', '5', '6']), { pod: 'b' }),
      series(steps(1700000060, ['7', '8']), { pod: 'c' }),
    ]);
    const [a, b, c] = parseQueryRangeResponse(json).series;
    expect(b!.samples.t).toBe(a!.samples.t);
    expect(c!.samples.t).not.toBe(a!.samples.t);
    expect([a, b, c].map((s) => toSamples(s!.samples))).toEqual([
      [
        { t: 1700000000, v: 1 },
        { t: 1700000060, v: 2 },
        { t: 1700000120, v: 3 },
      ],
      [
        { t: 1700000000, v: 4 },
        { t: 1700000060, v: 5 },
        { t: 1700000120, v: 6 },
      ],
      [
        { t: 1700000060, v: 7 },
        { t: 1700000120, v: 8 },
      ],
    ]);
  });

  it("turns VictoriaMetrics cluster's isPartial flag into a warning, so the answer is not judged", () => {
    expect(parseQueryRangeResponse(matrix([], { isPartial: true }))).toEqual({
      series: [],
      warnings: [PARTIAL_FLAG_WARNING],
    });
    expect(parseQueryRangeResponse(matrix([], { isPartial: false }))).toEqual({ series: [], warnings: [] });
    expect(
      parseInstantResponse({
        status: 'success',
        data: { resultType: 'vector', result: [] },
        warnings: ['w'],
        isPartial: true,
      }).warnings,
    ).toEqual(['w', PARTIAL_FLAG_WARNING]);
  });

  it('answers an empty result with no series and no warnings', () => {
    expect(parseQueryRangeResponse(matrix([]))).toEqual({ series: [], warnings: [] });
  });

  it('keeps non-finite values as NaN/±Infinity instead of dropping them', () => {
    const {
      series: [only],
    } = parseQueryRangeResponse(
      matrix([
        series([
          [1, 'NaN'],
          [2, '+Inf'],
          [3, '-Inf'],
          [4, '5'],
        ]),
      ]),
    );
    expect(toSamples(only!.samples)).toEqual([
      { t: 1, v: Number.NaN },
      { t: 2, v: Infinity },
      { t: 3, v: -Infinity },
      { t: 4, v: 5 },
    ]);
  });

  it.each([
    ['not an object', 'hello', 'response: expected object, got "hello"'],
    [
      'wrong status',
      { status: 'ok', data: { resultType: 'matrix', result: [] } },
      'status: expected "success", got "ok"',
    ],
    [
      'a vector instead of a matrix',
      { status: 'success', data: { resultType: 'vector', result: [] } },
      'data.resultType: expected "matrix", got "vector"',
    ],
    ['no result', { status: 'success', data: { resultType: 'matrix' } }, 'data.result: expected array, got nothing'],
    [
      'label value not a string',
      matrix([series([], { pod: 'a' }), series([], { pod: 7 })]),
      'data.result[1].metric.pod: expected string, got 7',
    ],
    [
      'odd label name',
      matrix([series([], { 'app.kubernetes.io/name': null })]),
      'data.result[0].metric["app.kubernetes.io/name"]: expected string, got null',
    ],
    ['values missing', matrix([{ metric: {} }]), 'data.result[0].values: expected array, got nothing'],
    [
      'a value that is not a pair',
      matrix([series([[1, '1'], [2]])]),
      'data.result[0].values[1]: expected a [time, "value"] pair, got an array of 1',
    ],
    [
      'time as a string',
      matrix([series([['1700000000', '1']])]),
      'data.result[0].values[0][0]: expected a unix time in seconds, got "1700000000"',
    ],
    ['value as a number', matrix([series([[1, 1]])]), 'data.result[0].values[0][1]: expected a numeric string, got 1'],
    [
      'value not numeric',
      matrix([
        series([
          [1, '1'],
          [2, '2'],
          [3, 'abc'],
        ]),
      ]),
      'data.result[0].values[2][1]: expected a numeric string, got "abc"',
    ],
    ['value empty', matrix([series([[1, '']])]), 'data.result[0].values[0][1]: expected a numeric string, got ""'],
    [
      'value with units',
      matrix([series([[1, '12MiB']])]),
      'data.result[0].values[0][1]: expected a numeric string, got "12MiB"',
    ],
    [
      'time going backwards',
      matrix([
        series([
          [2, '1'],
          [1, '1'],
        ]),
      ]),
      'data.result[0].values[1][0]: timestamps must increase, got 1 after 2',
    ],
    [
      'duplicate time',
      matrix([
        series([
          [2, '1'],
          [2, '1'],
        ]),
      ]),
      'data.result[0].values[1][0]: timestamps must increase, got 2 after 2',
    ],
    ['warnings not strings', matrix([], { warnings: [1] }), 'warnings[0]: expected string, got 1'],
    [
      'a Prometheus error body',
      { status: 'error', errorType: 'bad_data', error: 'parse error' },
      'status: Prometheus answered with an error (bad_data): parse error',
    ],
  ])('names the problem: %s', (_name, json, message) => {
    expect(problem(json)).toBe(message);
  });

  it('names the exact element deep in a large response', () => {
    const result = Array.from({ length: 5 }, () => series(Array.from({ length: 20 }, (_, i) => [i, String(i)])));
    (result[3]!.values as unknown[][])[17]![1] = 'abc';
    expect(problem(matrix(result))).toBe('data.result[3].values[17][1]: expected a numeric string, got "abc"');
  });

  it('counts further problems without listing them', () => {
    expect(
      problem({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            { metric: 1, values: [] },
            { metric: 2, values: [] },
          ],
        },
      }),
    ).toBe('data.result[0].metric: expected record, got 1 (and 1 more problem)');
  });

  it('round-trips any value Prometheus can write (property)', () => {
    const value = fc.oneof(
      fc.double(),
      fc.integer({ min: 0, max: 2 ** 53 }).map(Number),
      fc.constantFrom(Number.NaN, Infinity, -Infinity),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 50 }), (values) => {
        const json = matrix([series(values.map((v, i) => [1700000000 + i * 60, promText(v)]))]);
        const samples = parseQueryRangeResponse(JSON.parse(JSON.stringify(json))).series[0]!.samples;
        expect(Array.from(samples.v)).toEqual(values);
      }),
    );
  });
});

/** How Prometheus (Go's strconv.FormatFloat(v, 'f', -1, 64)) and JavaScript write a sample value. */
function promText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0'; // Go writes the sign; JavaScript's String(-0) drops it
  return String(v);
}

describe('parseSampleValue', () => {
  it.each([
    ['0', 0],
    ['-0', -0],
    ['412316860.416', 412316860.416],
    ['1e+21', 1e21],
    ['1.5E-3', 0.0015],
    ['.5', 0.5],
    ['NaN', Number.NaN],
    ['nan', Number.NaN],
    ['+Inf', Infinity],
    ['Inf', Infinity],
    ['-Inf', -Infinity],
    ['', undefined],
    [' 1', undefined],
    ['0x10', undefined],
    ['1_000', undefined],
    ['Infinityx', undefined],
  ])('%j → %s', (text, value) => {
    expect(parseSampleValue(text)).toEqual(value);
  });
});

describe('parseInstantResponse', () => {
  it('reads a vector and a scalar', () => {
    expect(
      parseInstantResponse({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { pod: 'a' }, value: [10, '+Inf'] }] },
      }),
    ).toEqual({
      series: [{ labels: { pod: 'a' }, sample: { t: 10, v: Infinity } }],
      warnings: [],
    });
    expect(
      parseInstantResponse({ status: 'success', data: { resultType: 'scalar', result: [10, '10'] } }).series,
    ).toEqual([{ labels: {}, sample: { t: 10, v: 10 } }]);
  });

  it('names a bad instant value', () => {
    expect(() =>
      parseInstantResponse({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [10, 'x'] }] },
      }),
    ).toThrow('data.result[0].value[1]: expected a numeric string, got "x"');
  });
});

describe('formatPath', () => {
  it('writes paths the way people write them in JavaScript', () => {
    expect(formatPath([])).toBe('response');
    expect(formatPath(['data', 'result', 3, 'values', 17, 1])).toBe('data.result[3].values[17][1]');
    expect(formatPath(['data', 'result', 0, 'metric', 'a-b'])).toBe('data.result[0].metric["a-b"]');
  });
});
