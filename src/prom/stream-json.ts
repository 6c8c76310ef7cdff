import type { SampleColumns } from '../detect/columns.js';
import { parseSampleValue } from './sample-value.js';

// A query_range answer for 1,000 containers × 24 h at 60 s is ~36 MB of JSON. Buffering it, then
// JSON.parse, then converting [t, "v"] pairs into samples peaks at ~500 MB RSS. This parser takes
// the body chunk by chunk and writes each `data.result[i].values` pair into two Float64Array
// columns as soon as it is complete, so only 16 bytes a sample stay in memory. Everything outside
// those arrays is built as JSON.parse would and then validated by the same zod schema as a file
// read with JSON.parse.

const INITIAL_POINTS = 64;

/**
 * Where the series of one answer are read, one at a time: two columns grown (by doubling) to the longest
 * series so far and reused by the next, so that a series costs only its own columns, allocated once at
 * their exact size when it ends. Columns grown per series cost each series twice its samples again in
 * arrays thrown away (64, 128, … points), which piled up as garbage faster than the samples themselves.
 */
export class SeriesScratch {
  t = new Float64Array(INITIAL_POINTS);
  v = new Float64Array(INITIAL_POINTS);
  /** The list being read into the columns; another one claiming them first takes its samples out. */
  owner: SampleList | undefined;
  /** The time column of the last series that ended: the next one with the same times shares it. */
  lastTimes: Float64Array | undefined;

  /** Room for `points` samples, keeping the first `kept`. */
  grow(points: number, kept: number): void {
    if (points <= this.t.length) return;
    const [t, v] = [new Float64Array(points), new Float64Array(points)];
    t.set(this.t.subarray(0, kept));
    v.set(this.v.subarray(0, kept));
    [this.t, this.v] = [t, v];
  }
}

/** The `values` of one matrix series, converted while streaming. */
export class SampleList {
  /** The columns, once the series has ended (`finish`). */
  private done: SampleColumns | undefined;
  /** The first pair that is not a valid, time-ordered [time, "value"]: kept raw for the error. */
  bad: { index: number; pair: unknown } | undefined;
  /** Pairs seen, valid or not (the index of the next one). */
  length = 0;
  /** Valid pairs stored. */
  private stored = 0;

  /**
   * `capacity`: the most points the query can return per series. The samples are read into `scratch`
   * (shared by the series of one answer, read one after another) and copied out at their exact size
   * when the series ends, so memory follows the answer, not the window: 1,500 short-lived series in a
   * 7-day window cost what their samples cost. A series with more points than that is refused
   * (TooManyPointsError), never grown without bound.
   */
  constructor(
    private readonly capacity = Infinity,
    private readonly scratch = new SeriesScratch(),
  ) {}

  add(pair: unknown): void {
    const index = this.length++;
    if (this.bad) return;
    const sample = toSample(pair);
    if (sample && this.follows(sample.t)) this.push(sample.t, sample.v);
    else this.bad = { index, pair };
  }

  /** `add([t, text])` without building the pair. */
  addPair(t: number, text: string): void {
    const v = this.bad ? undefined : parseSampleValue(text);
    if (v !== undefined && this.follows(t)) {
      this.length++;
      this.push(t, v);
    } else this.add([t, text]);
  }

  /**
   * Stores (t, v) when it is the next valid sample, as `addPair` would; false (nothing done) otherwise,
   * for the caller to take `addPair`'s path, which records a bad pair.
   */
  appended(t: number, v: number): boolean {
    if (this.bad || !this.follows(t)) return false;
    this.length++;
    this.push(t, v);
    return true;
  }

  /** Time of the last valid sample (for the error when timestamps go backwards). */
  lastTime(): number | undefined {
    if (this.stored === 0) return undefined;
    return this.done ? this.done.t[this.stored - 1] : this.scratch.t[this.stored - 1];
  }

  /**
   * The series has ended: its samples copied out of the scratch columns at their exact size (the time
   * column shared with the previous series when it holds the same times). Called by the parser at the
   * closing `]`; again, or on a list never ended, it does what is left to do.
   */
  finish(): void {
    if (this.done) return;
    const { scratch } = this;
    const n = this.stored;
    if (n === 0 || scratch.owner !== this) {
      this.done = { t: new Float64Array(0), v: new Float64Array(0) };
      return;
    }
    scratch.owner = undefined;
    const times = scratch.t.subarray(0, n);
    const last = scratch.lastTimes;
    const t = last !== undefined && sameColumn(last, times) ? last : times.slice();
    scratch.lastTimes = t;
    this.done = { t, v: scratch.v.slice(0, n) };
  }

  /** The samples as columns of exactly their length. */
  columns(): SampleColumns {
    this.finish();
    return this.done!;
  }

  private follows(t: number): boolean {
    return this.stored === 0 || t > this.scratch.t[this.stored - 1]!;
  }

  private push(t: number, v: number): void {
    const { scratch } = this;
    if (scratch.owner !== this) {
      // Another list was reading into the columns (a second `values` in one series): it ends first.
      scratch.owner?.finish();
      scratch.owner = this;
    }
    if (this.stored >= this.capacity) throw new TooManyPointsError(this.capacity);
    if (this.stored === scratch.t.length) scratch.grow(Math.min(scratch.t.length * 2, this.capacity), this.stored);
    scratch.t[this.stored] = t;
    scratch.v[this.stored] = v;
    this.stored++;
  }
}

/** Whether two columns hold the same values. */
export function sameColumn(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function toSample(pair: unknown): { t: number; v: number } | undefined {
  if (!Array.isArray(pair) || pair.length !== 2) return undefined;
  const [t, text] = pair as [unknown, unknown];
  if (typeof t !== 'number' || !Number.isFinite(t) || typeof text !== 'string') return undefined;
  const v = parseSampleValue(text);
  return v === undefined ? undefined : { t, v };
}

export class JsonSyntaxError extends Error {
  override readonly name: string = 'JsonSyntaxError';
}

/** Well-formed so far, but shaped past what the parser reads (MAX_DEPTH, MAX_TOKEN_CHARS). */
export class JsonShapeError extends JsonSyntaxError {
  override readonly name = 'JsonShapeError';
}

/** A series holds more points than its query's start, end and step allow: the server is not answering that query. */
export class TooManyPointsError extends Error {
  override readonly name = 'TooManyPointsError';
  constructor(readonly maxPoints: number) {
    super(`a series holds more than ${maxPoints} points, more than the query's start, end and step allow`);
  }
}

/** The answer holds more series than the parser was allowed to take (`maxSeries`). */
export class TooManySeriesError extends Error {
  override readonly name = 'TooManySeriesError';
  constructor(readonly maxSeries: number) {
    super(`more than ${maxSeries} series`);
  }
}

type Frame =
  | {
      kind: 'object';
      value: Record<string, unknown>;
      key: string | undefined;
      state: 'key-or-end' | 'key' | 'colon' | 'value' | 'comma-or-end';
      keyInParent: string | number | undefined;
    }
  | {
      kind: 'array';
      value: unknown[];
      state: 'value-or-end' | 'value' | 'comma-or-end';
      keyInParent: string | number | undefined;
    }
  | {
      kind: 'samples';
      value: SampleList;
      state: 'value-or-end' | 'value' | 'comma-or-end';
      keyInParent: string | number | undefined;
    };

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Digits a plain decimal may have in all for `plainDecimal` to read it exactly (below 2^53). */
const PLAIN_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: PLAIN_DIGITS + 1 }, (_, k) => 10 ** k);

/**
 * text[from, to) read as `digits[.digits]` (leading zeros only where `leadingZeros`, as a JSON number
 * has none), of at most PLAIN_DIGITS digits; NaN for anything else (the caller then parses it as text).
 * Exactly what Number() gives: both are the double nearest to the same decimal, here an integer below
 * 2^53 divided by a power of ten, which IEEE division rounds correctly.
 */
export function plainDecimal(text: string, from: number, to: number, leadingZeros: boolean): number {
  let digits = 0;
  let fraction = -1;
  let mantissa = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 0x2e /* . */ && fraction < 0 && digits > 0) fraction = 0;
    else return Number.NaN;
  }
  if (digits === 0 || digits > PLAIN_DIGITS || fraction === 0) return Number.NaN;
  const whole = fraction < 0 ? digits : digits - fraction;
  if (!leadingZeros && whole > 1 && text.charCodeAt(from) === 0x30) return Number.NaN;
  return fraction > 0 ? mantissa / POWERS_OF_TEN[fraction]! : mantissa;
}
// No escapes, no control characters: the string's text is its value.
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON forbids here
const PLAIN_STRING = /^[^\\\x00-\x1f]*$/;
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const DELIMITERS = new Set([0x2c, 0x5d, 0x7d, 0x20, 0x09, 0x0a, 0x0d]); // , ] } and whitespace

/**
 * Nesting deeper than this is refused: a Prometheus answer nests 6 deep (`stats` a little more), and
 * every open `[` costs a frame and an array (8 MiB of `[` would cost ~900 MB).
 */
export const MAX_DEPTH = 64;
/**
 * A string or number longer than this (characters) is refused: a label, a warning or a sample is
 * far shorter, and a token cut by chunk boundaries is carried from chunk to chunk until it ends.
 */
export const MAX_TOKEN_CHARS = 1 << 20;
/** Distinct strings remembered for sharing (label names and values repeat across series). */
const MAX_INTERNED = 100_000;

/** Incremental JSON parser whose `data.result[i].values` arrays come out as SampleList. */
export class StreamingMatrixParser {
  /**
   * `pointsPerSeries`: the most samples one series of the answer can hold (from start, end, step).
   * `maxSeries`: more series than this end the parse with TooManySeriesError, before they cost memory.
   */
  constructor(
    private readonly pointsPerSeries?: number,
    private readonly maxSeries = Infinity,
    /**
     * Each `data.result[i]` as soon as it is complete, instead of keeping it in the document (whose
     * `data.result` then ends empty): a file is read series by series, in memory of one series.
     */
    private readonly onSeries?: (item: unknown, index: number) => void,
  ) {}

  /** Series handed to onSeries so far. */
  private handed = 0;
  /** The columns every series of this document is read into before it is copied out (SampleList). */
  private readonly scratch = new SeriesScratch();

  private seriesSeen = 0;
  /** Index in `data.result` of the series whose values are being read. */
  currentSeries = -1;

  private carry = '';
  /** How far into `carry` a token cut by the last chunk was already scanned (not rescanned). */
  private scanned = 0;
  private scannedEscape = false;
  /**
   * Strings kept in the document, copied once and shared. A string sliced from the chunk text would
   * keep that whole chunk alive (V8 slices, not copies, strings of 13 characters or more): the
   * labels of an answer would hold its entire text in memory.
   */
  private readonly interned = new Map<string, string>();
  private readonly stack: Frame[] = [];
  private root: unknown;
  private done = false;
  private consumed = 0;

  write(chunk: string): void {
    this.scan(this.carry + chunk, false);
  }

  /** The parsed document; throws JsonSyntaxError when it is incomplete or malformed. */
  end(): unknown {
    this.scan(this.carry, true);
    if (!this.done) throw new JsonSyntaxError('unexpected end of JSON');
    return this.root;
  }

  private scan(text: string, final: boolean): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (WS.has(c)) {
        i++;
        continue;
      }
      if (this.done) this.fail(i, 'unexpected data after the JSON document');
      if ((c === 0x7b || c === 0x5b) && this.stack.length >= MAX_DEPTH)
        this.refuse(i, `nesting deeper than ${MAX_DEPTH} levels`);
      if (c === 0x7b /* { */) {
        this.expectValue(i);
        this.stack.push({
          kind: 'object',
          value: {},
          key: undefined,
          state: 'key-or-end',
          keyInParent: this.slotKey(),
        });
        i++;
      } else if (c === 0x5b /* [ */) {
        const next = this.compactPair(text, i);
        if (next > 0) {
          i = next;
          continue;
        }
        this.expectValue(i);
        const keyInParent = this.slotKey();
        if (this.isValuesSlot()) {
          if (++this.seriesSeen > this.maxSeries) throw new TooManySeriesError(this.maxSeries);
          this.currentSeries = this.seriesSeen - 1;
          this.stack.push({
            kind: 'samples',
            value: new SampleList(this.pointsPerSeries, this.scratch),
            state: 'value-or-end',
            keyInParent,
          });
        } else this.stack.push({ kind: 'array', value: [], state: 'value-or-end', keyInParent });
        i++;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        const top = this.stack.at(-1);
        const closes = c === 0x7d ? top?.kind === 'object' : top?.kind === 'array' || top?.kind === 'samples';
        if (
          !top ||
          !closes ||
          (top.state !== 'comma-or-end' && top.state !== 'key-or-end' && top.state !== 'value-or-end')
        )
          this.fail(i, `unexpected ${String.fromCharCode(c)}`);
        this.stack.pop();
        if (top.kind === 'samples') top.value.finish();
        this.value(top.value);
        i++;
      } else if (c === 0x3a /* : */) {
        const top = this.stack.at(-1);
        if (top?.kind !== 'object' || top.state !== 'colon') this.fail(i, 'unexpected :');
        top.state = 'value';
        i++;
      } else if (c === 0x2c /* , */) {
        const top = this.stack.at(-1);
        if (!top || top.state !== 'comma-or-end') this.fail(i, 'unexpected ,');
        top.state = top.kind === 'object' ? 'key' : 'value';
        i++;
      } else if (c === 0x22 /* " */) {
        // A string cut by the previous chunk resumes where its scan stopped.
        const resumed = i === 0 && this.scanned > 0;
        let j = resumed ? this.scanned : i + 1;
        let escaped = resumed && this.scannedEscape;
        this.scanned = 0;
        for (; j < n; j++) {
          const d = text.charCodeAt(j);
          if (d === 0x5c /* \ */) {
            escaped = true;
            j++;
          } else if (d === 0x22) break;
          else if (d < 0x20) this.fail(j, 'control character in string');
        }
        if (j - i > MAX_TOKEN_CHARS) this.refuse(i, `a string longer than ${MAX_TOKEN_CHARS} characters`);
        if (j >= n) {
          if (final) this.fail(i, 'unterminated string');
          [this.scanned, this.scannedEscape] = [j - i, escaped];
          break;
        }
        const raw = text.slice(i, j + 1);
        const value = escaped ? this.decodeString(raw, i) : this.keep(raw);
        const top = this.stack.at(-1);
        if (top?.kind === 'object' && (top.state === 'key' || top.state === 'key-or-end')) {
          top.key = value;
          top.state = 'colon';
        } else {
          this.expectValue(i);
          this.value(value);
        }
        i = j + 1;
      } else {
        let j = i === 0 && this.scanned > 0 ? this.scanned : i;
        this.scanned = 0;
        while (j < n && !DELIMITERS.has(text.charCodeAt(j))) j++;
        if (j - i > MAX_TOKEN_CHARS) this.refuse(i, `a value longer than ${MAX_TOKEN_CHARS} characters`);
        if (j >= n && !final) {
          this.scanned = j - i;
          break;
        }
        const token = text.slice(i, j);
        this.expectValue(i);
        this.value(this.scalar(token, i));
        i = j;
      }
    }
    this.consumed += i;
    this.carry = text.slice(i);
  }

  /**
   * Fast path for a pair written as Prometheus writes it, `[1700000000,"123"]`, inside `values`:
   * returns the index after it, or 0 to take the general path (other spacing, escapes, a pair cut
   * by the chunk boundary, anything unusual).
   */
  private compactPair(text: string, i: number): number {
    const top = this.stack.at(-1);
    if (top?.kind !== 'samples' || top.state === 'comma-or-end') return 0;
    for (let at = i; ;) {
      const end = this.onePair(text, at, top.value);
      // A pair the fast path does not take, after others it took: the scanner goes on from its `[`.
      if (end === 0) return at === i ? 0 : at;
      top.state = 'comma-or-end';
      // The pairs of a series follow one another as `],[`: read here, not one character at a time.
      if (text.charCodeAt(end) !== 0x2c /* , */ || text.charCodeAt(end + 1) !== 0x5b /* [ */) return end;
      top.state = 'value';
      at = end + 1;
    }
  }

  /** One compact pair at `i` stored in `samples`: the index after it, or 0 when it is not one. */
  private onePair(text: string, i: number, samples: SampleList): number {
    const comma = text.indexOf(',', i + 1);
    if (comma < 0 || text.charCodeAt(comma + 1) !== 0x22) return 0;
    const quote = text.indexOf('"', comma + 2);
    if (quote < 0 || text.charCodeAt(quote + 1) !== 0x5d /* ] */) return 0;
    // Plain decimals, as Prometheus writes times and most values, read from the text in place: no
    // string per number (two per point were most of what a large answer allocated).
    const t = plainDecimal(text, i + 1, comma, false);
    const v = t === t ? plainDecimal(text, comma + 2, quote, true) : Number.NaN;
    if (v === v && samples.appended(t, v)) return quote + 2;
    const time = text.slice(i + 1, comma);
    const value = text.slice(comma + 2, quote);
    if (!NUMBER.test(time) || !PLAIN_STRING.test(value)) return 0;
    samples.addPair(Number(time), value);
    return quote + 2;
  }

  /** The text of a quoted string without escapes, as a string of its own (see `interned`). */
  private keep(raw: string): string {
    const slice = raw.slice(1, -1);
    // Shorter strings are copied by V8 anyway; numbers as text are converted right away.
    if (slice.length < 13) return slice;
    const known = this.interned.get(slice);
    if (known !== undefined) return known;
    const copy = JSON.parse(raw) as string;
    if (this.interned.size < MAX_INTERNED) this.interned.set(copy, copy);
    return copy;
  }

  private decodeString(raw: string, at: number): string {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return this.fail(at, 'invalid string escape');
    }
  }

  private scalar(token: string, at: number): unknown {
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token === 'null') return null;
    if (NUMBER.test(token)) return Number(token);
    return this.fail(at, `unexpected ${JSON.stringify(token.slice(0, 20))}`);
  }

  private expectValue(at: number): void {
    const top = this.stack.at(-1);
    const ok = top
      ? top.kind === 'object'
        ? top.state === 'value'
        : top.state === 'value' || top.state === 'value-or-end'
      : !this.done;
    if (!ok) this.fail(at, 'unexpected value');
  }

  /** The key (or index) the next value will take in the current container. */
  private slotKey(): string | number | undefined {
    const top = this.stack.at(-1);
    if (!top) return undefined;
    return top.kind === 'object' ? top.key : this.isResult(top) ? this.handed + top.value.length : top.value.length;
  }

  /** The frame of `data.result`, when `frame` is it. */
  private isResult(frame: Frame): boolean {
    const [root, data] = this.stack;
    return (
      this.stack.length === 3 &&
      frame === this.stack[2] &&
      frame.kind === 'array' &&
      frame.keyInParent === 'result' &&
      root?.kind === 'object' &&
      data?.kind === 'object' &&
      data.keyInParent === 'data'
    );
  }

  /** `[` opening `data.result[i].values`. */
  private isValuesSlot(): boolean {
    const [root, data, result, item] = this.stack;
    return (
      this.stack.length === 4 &&
      root?.kind === 'object' &&
      data?.kind === 'object' &&
      data.keyInParent === 'data' &&
      result?.kind === 'array' &&
      result.keyInParent === 'result' &&
      item?.kind === 'object' &&
      item.key === 'values'
    );
  }

  private value(value: unknown): void {
    const top = this.stack.at(-1);
    if (!top) {
      this.root = value;
      this.done = true;
      return;
    }
    if (top.kind === 'object') {
      const key = top.key as string;
      // Like JSON.parse: "__proto__" is an ordinary own property, never the prototype.
      if (key === '__proto__')
        Object.defineProperty(top.value, key, { value, enumerable: true, writable: true, configurable: true });
      else top.value[key] = value;
    } else if (top.kind === 'array') {
      if (this.onSeries && this.isResult(top)) this.onSeries(value, this.handed++);
      else top.value.push(value);
    } else top.value.add(value);
    top.state = 'comma-or-end';
  }

  private refuse(at: number, problem: string): never {
    throw new JsonShapeError(`${problem} at position ${this.consumed + at}`);
  }

  private fail(at: number, problem: string): never {
    throw new JsonSyntaxError(`${problem} at position ${this.consumed + at}`);
  }
}
