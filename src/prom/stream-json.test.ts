import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQueryRangeResponse, parseRangeSeries } from './schema.js';
import {
  JsonShapeError,
  JsonSyntaxError,
  MAX_DEPTH,
  MAX_TOKEN_CHARS,
  SampleList,
  plainDecimal,
  StreamingMatrixParser,
  TooManyPointsError,
} from './stream-json.js';

/** Parses `text` fed in pieces cut at `cuts` (fractions of its length); `points` sizes the sample columns. */
function streamParse(text: string, cuts: readonly number[] = [], points?: number): unknown {
  const parser = new StreamingMatrixParser(points);
  let at = 0;
  for (const cut of [...cuts].sort()) {
    const to = Math.floor(cut * text.length);
    parser.write(text.slice(at, to));
    at = Math.max(at, to);
  }
  parser.write(text.slice(at));
  return parser.end();
}

function outcome<T>(f: () => T): { ok: T } | { error: string } {
  try {
    return { ok: f() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 });
const promValue = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .double()
      .map((v) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v))),
  },
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('abc', '', '1e', '12MiB') },
);
const mostly = <T>(usual: T, ...rare: T[]) =>
  fc.oneof({ weight: 12, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...rare) });
const pair = fc.oneof(
  { weight: 60, arbitrary: fc.tuple(fc.integer({ min: 0, max: 100 }), promValue) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([1], '1', null, [1, 2], ['1', '2'], [1, '2', 3]) },
);
const labels = fc.dictionary(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.oneof(
    { weight: 40, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    { weight: 1, arbitrary: fc.integer() },
  ),
  { maxKeys: 4 },
);
const response = fc.record(
  {
    status: mostly('success', 'error', 'ok'),
    data: fc.record({
      resultType: mostly('matrix', 'vector', 'scalar'),
      result: fc.array(
        fc.record({
          metric: labels,
          // Sorted times make most series valid; a few repeats or reversals test the ordering check.
          values: fc
            .array(pair, { maxLength: 12 })
            .map((pairs) =>
              pairs.map((p, i) =>
                Array.isArray(p) && typeof p[0] === 'number' && p.length === 2
                  ? [p[0] < 99 ? 1700000000 + i * 60 + p[0] / 100 : 1700000000, p[1]]
                  : p,
              ),
            ),
        }),
        { maxLength: 4 },
      ),
    }),
    warnings: fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 }),
    stats: fc.jsonValue({ maxDepth: 2 }),
    infos: fc.array(fc.string({ maxLength: 10 }), { maxLength: 1 }),
  },
  { requiredKeys: ['status', 'data'] },
);

describe('StreamingMatrixParser', () => {
  it('parses any JSON exactly as JSON.parse does, however the text is cut (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 0, 2, '\t'), cuts, (value, indent, pieces) => {
        const text = JSON.stringify(value, null, indent);
        expect(streamParse(text, pieces)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same series, or the same path-named error, as JSON.parse + the schema (property)', () => {
    const seen = { samples: 0, valueErrors: 0 };
    fc.assert(
      // Columns sized exactly (they grow to it), or far too large (they are trimmed).
      fc.property(
        response,
        fc.constantFrom(undefined, 1),
        cuts,
        fc.constantFrom(undefined, 12, 1000),
        (body, indent, pieces, points) => {
          const text = JSON.stringify(body, null, indent);
          const viaStream = outcome(() => parseQueryRangeResponse(streamParse(text, pieces, points)));
          const viaJson = outcome(() => parseQueryRangeResponse(JSON.parse(text)));
          expect(viaStream).toEqual(viaJson);
          if ('ok' in viaStream) seen.samples += viaStream.ok.series.reduce((n, s) => n + s.samples.t.length, 0);
          else if (/\.values\[\d+\]/.test(viaStream.error)) seen.valueErrors++;
        },
      ),
      { numRuns: 500 },
    );
    // The generator reaches both the converted samples and the per-pair errors.
    expect(seen.samples).toBeGreaterThan(100);
    expect(seen.valueErrors).toBeGreaterThan(10);
  });

  it('rejects what JSON.parse rejects: truncations and malformed text (property)', () => {
    const malformed = fc.oneof(
      fc.jsonValue().chain((v) => {
        const text = JSON.stringify(v);
        return fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n));
      }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.jsonValue().map((v) => `${JSON.stringify(v)} x`),
    );
    fc.assert(
      fc.property(malformed, cuts, (text, pieces) => {
        const jsonOk = outcome(() => JSON.parse(text));
        const streamOk = outcome(() => streamParse(text, pieces));
        if ('ok' in jsonOk) expect(streamOk).toEqual(jsonOk);
        else expect('error' in streamOk).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['', 'unexpected end of JSON'],
    ['{"a":1', 'unexpected end of JSON'],
    ['{"a" 1}', 'unexpected value at position 5'],
    ['[1 2]', 'unexpected value at position 3'],
    ['{"a":01}', 'unexpected "01" at position 5'],
    ['{} {}', 'unexpected data after the JSON document at position 3'],
    ['"a\nb"', 'control character in string at position 2'],
  ])('names the syntax problem in %j', (text, message) => {
    expect(() => streamParse(text)).toThrow(JsonSyntaxError);
    expect(() => streamParse(text)).toThrow(message);
  });

  it('keeps "__proto__" as an ordinary key, like JSON.parse', () => {
    const parsed = streamParse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('plainDecimal (times and values read in place)', () => {
  const digits = (min: number, max: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
  const decimal = fc.oneof(
    digits(1, 18),
    fc.tuple(digits(1, 12), digits(1, 8)).map(([a, b]) => `${a}.${b}`),
    fc.constantFrom('', '.', '1.', '.5', '-1', '+1', '1e3', '1.5e+08', 'NaN', '+Inf', '1 ', '0x10', '٣'),
  );

  it('reads what Number() reads, to the bit, or declines (property)', () => {
    let read = 0;
    fc.assert(
      fc.property(decimal, fc.boolean(), (text, leadingZeros) => {
        const value = plainDecimal(`[${text}]`, 1, text.length + 1, leadingZeros);
        if (Number.isNaN(value)) return;
        read++;
        expect(Object.is(value, Number(text))).toBe(true);
        expect(/^\d+(\.\d+)?$/.test(text)).toBe(true);
        if (!leadingZeros) expect(/^(0|[1-9]\d*)(\.\d+)?$/.test(text)).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(read).toBeGreaterThan(1000);
  });

  it('gives the same columns as parsing each pair as text, for pairs as Prometheus writes them (property)', () => {
    const time = fc.tuple(fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }), digits(0, 3));
    const value = fc.oneof(
      digits(1, 17),
      fc.tuple(digits(1, 10), digits(1, 7)).map(([a, b]) => `${a}.${b}`),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(time, value), { minLength: 1, maxLength: 40 }), cuts, (pairs, pieces) => {
        const written = pairs.map(([[whole, ms], v], i) => `[${whole + i * 300}${ms ? `.${ms}` : ''},"${v}"]`);
        const text = `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[${written.join(',')}]}]}}`;
        const viaStream = outcome(() => parseQueryRangeResponse(streamParse(text, pieces)));
        const viaJson = outcome(() => parseQueryRangeResponse(JSON.parse(text)));
        expect(viaStream).toEqual(viaJson);
      }),
      { numRuns: 500 },
    );
  });
});

describe('SampleList', () => {
  const pairs = (n: number) => Array.from({ length: n }, (_, i) => [1_700_000_000 + i * 60, String(1000 + i)] as const);

  it('keeps every sample in order as the columns grow to their capacity', () => {
    const list = new SampleList(37);
    for (const [t, v] of pairs(37)) list.addPair(t, v);
    const { t, v } = list.columns();
    expect(Array.from(t)).toEqual(pairs(37).map(([time]) => time));
    expect(Array.from(v)).toEqual(pairs(37).map(([, value]) => Number(value)));
  });

  it('gives back the unused part of columns sized for more points than came', () => {
    const list = new SampleList(11_000);
    for (const [t, v] of pairs(5)) list.addPair(t, v);
    const { t, v } = list.columns();
    expect([t.buffer.byteLength, v.buffer.byteLength]).toEqual([5 * 8, 5 * 8]);
  });

  it('holds exactly the points that came, even when they nearly fill the capacity', () => {
    // A day at 60 s (1,441 points, 1,443 allowed): the columns were once views of the grown arrays.
    const list = new SampleList(1443);
    for (const [t, v] of pairs(1400)) list.addPair(t, v);
    const { t, v } = list.columns();
    expect([t.buffer.byteLength, v.buffer.byteLength]).toEqual([1400 * 8, 1400 * 8]);
  });
});

describe('the series of one answer, read one after another', () => {
  const series = (pod: string, times: readonly number[]) =>
    `{"metric":{"pod":"${pod}"},"values":[${times.map((t, i) => `[${t},"${1000 + i}"]`).join(',')}]}`;
  const answer = (...items: string[]) =>
    `{"status":"success","data":{"resultType":"matrix","result":[${items.join(',')}]}}`;
  const steps = (n: number, from = 1_700_000_000) => Array.from({ length: n }, (_, i) => from + i * 60);

  it('share one time column when they hold the same times, as each is handed over', () => {
    const handed: Float64Array[] = [];
    const parser = new StreamingMatrixParser(2000, Infinity, (item, index) =>
      handed.push(parseRangeSeries(item, index).samples.t),
    );
    parser.write(answer(series('a', steps(1440)), series('b', steps(1440)), series('c', steps(700, 1_700_000_060))));
    parser.end();
    expect(handed).toHaveLength(3);
    expect(handed[1]).toBe(handed[0]);
    expect(handed[2]).not.toBe(handed[0]);
    expect(Array.from(handed[2]!)).toEqual(steps(700, 1_700_000_060));
  });

  it('keep their own samples when the whole document is held (no series handed over)', () => {
    const text = answer(series('a', steps(300)), series('b', steps(90, 1_700_000_030)), series('c', steps(300)));
    for (const cuts of [[], [0.2, 0.5, 0.8]]) {
      const viaStream = parseQueryRangeResponse(streamParse(text, cuts, 400));
      expect(viaStream).toEqual(parseQueryRangeResponse(JSON.parse(text)));
    }
  });

  it('take the last `values` of a series that has two, as JSON.parse does', () => {
    const text = answer(
      '{"metric":{"pod":"a"},"values":[[1,"1"],[2,"2"],[3,"3"]],"values":[[5,"5"],[6,"6"]]}',
      series('b', [1, 2, 3, 4]),
    );
    expect(parseQueryRangeResponse(streamParse(text, [0.3]))).toEqual(parseQueryRangeResponse(JSON.parse(text)));
  });
});

describe('answers shaped against the parser', () => {
  const CHUNK = 64 * 1024;
  /** Feeds `text` in CHUNK-sized pieces, the way an HTTP body arrives. */
  const feed = (parser: StreamingMatrixParser, text: string): void => {
    for (let at = 0; at < text.length; at += CHUNK) parser.write(text.slice(at, at + CHUNK));
  };
  const refusal = (f: () => unknown): Error => {
    try {
      f();
    } catch (error) {
      return error as Error;
    }
    throw new Error('not refused');
  };

  it('refuses 8 MiB of nested [ at the depth cap, before it costs memory', () => {
    const parser = new StreamingMatrixParser();
    const error = refusal(() => feed(parser, '['.repeat(8 * 2 ** 20)));
    expect(error).toBeInstanceOf(JsonShapeError);
    expect(error.message).toBe(`nesting deeper than ${MAX_DEPTH} levels at position ${MAX_DEPTH}`);
  });

  it('refuses a 20 MiB label cut into chunks once it passes the token cap', () => {
    const parser = new StreamingMatrixParser();
    const text = `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"${'x'.repeat(20 * 2 ** 20)}"},"values":[]}]}}`;
    const error = refusal(() => feed(parser, text));
    expect(error).toBeInstanceOf(JsonShapeError);
    expect(error.message).toMatch(new RegExp(`^a string longer than ${MAX_TOKEN_CHARS} characters at position \\d+$`));
  });

  it('refuses a number that never ends, cut into chunks', () => {
    const error = refusal(() => feed(new StreamingMatrixParser(), `[${'1'.repeat(4 * 2 ** 20)}`));
    expect(error.message).toMatch(/^a value longer than \d+ characters at position 1$/);
  });

  it('reads a long label (under the cap) cut into many chunks, escapes at the cuts included', () => {
    const value = `${'a\\"b'.repeat(50_000)}\\u00e9`;
    const text = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [{ metric: { pod: JSON.parse(`"${value}"`) as string }, values: [[1, '2']] }],
      },
    });
    const parser = new StreamingMatrixParser();
    // Cuts fall on every kind of character, backslashes included.
    for (let at = 0; at < text.length; at += 997) parser.write(text.slice(at, at + 997));
    expect(parseQueryRangeResponse(parser.end())).toEqual(parseQueryRangeResponse(JSON.parse(text)));
  });

  it('does not keep the answer text alive through the labels it returns', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // 2,000 series whose labels are long enough for V8 to slice rather than copy them, in ~40 MB.
    const pairs = Array.from({ length: 600 }, (_, i) => `[${1_700_000_000 + i * 60},"${123_456_789 + i}"]`).join(',');
    const series = Array.from(
      { length: 2000 },
      (_, i) =>
        `{"metric":{"namespace":"namespace-of-the-fleet","pod":"operator-${i}-7d9f8b6c5d-x2x4z"},"values":[${pairs}]}`,
    );
    let text: string | undefined = `{"status":"success","data":{"resultType":"matrix","result":[${series.join(',')}]}}`;
    gc();
    const before = process.memoryUsage().heapUsed;
    const parser = new StreamingMatrixParser(600);
    feed(parser, text);
    const textBytes = text.length;
    text = undefined;
    const result = parseQueryRangeResponse(parser.end());
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    expect(result.series).toHaveLength(2000);
    expect(result.series[1999]!.labels.pod).toBe('operator-1999-7d9f8b6c5d-x2x4z');
    // The labels, objects and column headers: well under a tenth of the text (sliced: all of it).
    expect(kept).toBeLessThan(textBytes / 10);
  });
});

describe('SampleList past its capacity', () => {
  it('refuses a series with more points than the query allows instead of growing', () => {
    const list = new SampleList(100);
    for (let i = 0; i < 100; i++) list.addPair(1_700_000_000 + i, '1');
    expect(() => list.addPair(1_800_000_000, '1')).toThrow(TooManyPointsError);
    expect(list.columns().t.length).toBe(100);
  });

  it('names the series when the parser meets one', () => {
    const parser = new StreamingMatrixParser(3);
    const body =
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]},{"metric":{},"values":[[1,"1"],[2,"1"],[3,"1"],[4,"1"]]}]}}';
    expect(() => parser.write(body)).toThrow(TooManyPointsError);
    expect(parser.currentSeries).toBe(1);
  });
});
