import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import axios, { type AxiosResponse } from 'axios';
import { HEADER_NAME, HEADER_VALUE } from './headers.js';
import { MIB, formatMiB } from '../model/units.js';
import { parseRetryAfter } from '../model/retry-after.js';
import { redact, safeUrl } from '../model/redact.js';
import { trimEnd } from '../model/text.js';
import { readSecretFile } from '../secret/secret-file.js';
import { MetricsError, codeForStatus, codeForSystemError, serverLimit } from './errors.js';
import {
  ResponseFormatError,
  errorBodySchema,
  parseInstantResponse,
  parseQueryRangeResponse,
  parseRangeSeries,
} from './schema.js';
import {
  JsonShapeError,
  JsonSyntaxError,
  StreamingMatrixParser,
  TooManyPointsError,
  TooManySeriesError,
} from './stream-json.js';
import type {
  AnswerBudget,
  InstantQuery,
  InstantResult,
  MetricsAnswer,
  MetricsSource,
  RangeQuery,
  RangeResult,
  RangeSeries,
} from './types.js';

/** The port's convention (src/model/result.ts): what the server said comes back as data; only a bug throws. */
async function answer<R extends object>(pending: Promise<R>): Promise<MetricsAnswer<R>> {
  try {
    return { outcome: 'answered', ...(await pending) };
  } catch (error) {
    if (error instanceof MetricsError) return { outcome: 'failed', error };
    throw error;
  }
}

export interface PrometheusOptions {
  /**
   * Base URL including any path prefix: `http://prometheus:9090`, `http://thanos-query:9090`,
   * `http://mimir/prometheus`, `http://vmselect:8481/select/0/prometheus`.
   */
  url: string;
  /** leakguard's version, sent as `User-Agent: leakguard/<version>`. */
  version: string;
  /** File holding a bearer token; re-read on every query so rotated tokens are picked up. */
  bearerTokenFile?: string | undefined;
  /** Basic auth; the password file is re-read on every query. */
  basicAuth?: { username: string; passwordFile: string } | undefined;
  /** Extra headers, e.g. `X-Scope-OrgID` for Mimir/Cortex. Values are treated as secrets in errors. */
  headers?: Record<string, string>;
  /** Headers whose values are read from files, re-read on every query (secrets: API keys, tenant tokens). */
  headersFrom?: Record<string, string>;
  /** PEM file of the CA(s) that sign Prometheus' certificate; replaces the system roots. */
  caFile?: string | undefined;
  /** Series one range answer may hold; more ends the query with `limit`. @default 2000 */
  maxSeries?: number;
  /** Bytes one answer may hold; more ends the query with `limit`. @default 64 MiB */
  maxResponseBytes?: number;
  /** HTTP timeout of one request, connection to last byte. @default 60 */
  timeoutSeconds?: number;
  /**
   * Prometheus' own evaluation timeout (the `timeout` parameter); must be smaller than
   * timeoutSeconds so that a slow query ends with Prometheus' explanation rather than a cut
   * connection. @default timeoutSeconds minus 10% (at least 0.5 s, at most 5 s)
   */
  queryTimeoutSeconds?: number;
}

const DEFAULT_MAX_SERIES = 2000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * MIB;

/** Error pages and instant answers are read whole, up to this many characters. */
const MAX_TEXT_BODY_CHARS = 64 * MIB;

/** What one request's error paths need to know. */
interface Call {
  url: string;
  where: string;
  timeout: AbortSignal;
  signal: AbortSignal | undefined;
  secrets: string[];
  /** Bytes read so far. */
  bytes: number;
}

/** A range answer's limits: the source's caps, or what the profile's budget has left of them. */
interface Limits {
  points: number;
  budget: AnswerBudget | undefined;
  onSeries: ((series: RangeSeries) => void) | undefined;
}

const TOKEN = /^[\x21-\x7e]+$/;

/** A derived default, exported so the config layer can show it. */
export function defaultQueryTimeoutSeconds(timeoutSeconds: number): number {
  const margin = Math.min(5, Math.max(Math.min(0.5, timeoutSeconds / 2), timeoutSeconds * 0.1));
  return Math.round((timeoutSeconds - margin) * 1000) / 1000;
}

/** The Prometheus HTTP API (also Thanos Query, Mimir/Cortex, VictoriaMetrics) as a MetricsSource. */
export class PrometheusSource implements MetricsSource {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly queryTimeoutSeconds: number;
  private agent: { ca: string; agent: HttpsAgent } | undefined;

  constructor(private readonly options: PrometheusOptions) {
    // Node's own "Invalid URL" error carries the input, which may hold a password: never rethrow it.
    if (!URL.canParse(options.url)) throw new TypeError('prometheus.url is not a valid URL');
    const parsed = new URL(options.url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new TypeError(`prometheus.url must be http(s), got ${parsed.protocol}`);
    if (parsed.username || parsed.password)
      throw new TypeError('prometheus.url must not hold credentials: use basicAuth or bearerTokenFile');
    if (options.bearerTokenFile && options.basicAuth)
      throw new TypeError('prometheus: set bearerTokenFile or basicAuth, not both');
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (!HEADER_NAME.test(name))
        throw new TypeError(`prometheus.headers: ${JSON.stringify(name)} is not a valid header name`);
      if (!HEADER_VALUE.test(value))
        throw new TypeError(`prometheus.headers: the value of ${name} holds characters a header cannot carry`);
    }
    for (const name of Object.keys(options.headersFrom ?? {})) {
      if (!HEADER_NAME.test(name))
        throw new TypeError(`prometheus.headersFrom: ${JSON.stringify(name)} is not a valid header name`);
    }
    this.baseUrl = `${parsed.origin}${trimEnd(parsed.pathname, '/')}`;
    const timeoutSeconds = options.timeoutSeconds ?? 60;
    if (!(timeoutSeconds > 0)) throw new TypeError(`prometheus.timeout must be positive, got ${timeoutSeconds}`);
    this.timeoutMs = timeoutSeconds * 1000;
    this.queryTimeoutSeconds = options.queryTimeoutSeconds ?? defaultQueryTimeoutSeconds(timeoutSeconds);
    if (!(this.queryTimeoutSeconds > 0 && this.queryTimeoutSeconds < timeoutSeconds)) {
      throw new TypeError(
        `prometheus query timeout (${this.queryTimeoutSeconds}s) must be positive and smaller than the HTTP timeout (${timeoutSeconds}s)`,
      );
    }
  }

  async queryRange({
    query,
    start,
    end,
    stepSeconds,
    signal,
    budget,
    onSeries,
  }: RangeQuery): Promise<MetricsAnswer<RangeResult>> {
    const form = { query, start: String(start), end: String(end), step: String(stepSeconds) };
    // One point per step from start to end, plus the two VictoriaMetrics adds when it widens the
    // range to multiples of the step (Prometheus refuses more than 11,000). A series with more is
    // not an answer to this query: refused, so that its columns never grow past what was asked.
    const points = Math.floor((end - start) / stepSeconds) + 3;
    return answer(
      this.post('query_range', form, signal, parseQueryRangeResponse, {
        points: Number.isFinite(points) && points > 0 ? Math.min(points, 11_002) : Infinity,
        budget,
        onSeries,
      }),
    );
  }

  async query({ query, time, signal }: InstantQuery): Promise<MetricsAnswer<InstantResult>> {
    return answer(
      this.post(
        'query',
        { query, ...(time === undefined ? {} : { time: String(time) }) },
        signal,
        parseInstantResponse,
      ),
    );
  }

  /**
   * One POST, form-encoded (queries can be long). A successful range answer is parsed while it
   * streams in (see stream-json.ts); anything else is read as text, up to a limit.
   */
  /** `matrix`: a range query, whose answer is parsed as it streams, within these limits. */
  private async post<T>(
    endpoint: string,
    form: Record<string, string>,
    signal: AbortSignal | undefined,
    parse: (json: unknown) => T,
    matrix?: Limits,
  ): Promise<T> {
    const url = `${this.baseUrl}/api/v1/${endpoint}`;
    const call: Call = {
      url,
      where: `${endpoint} at ${safeUrl(url)}`,
      timeout: AbortSignal.timeout(this.timeoutMs),
      signal,
      secrets: [],
      bytes: 0,
    };
    const { headers, secrets } = await this.requestHeaders();
    call.secrets = secrets;
    const httpsAgent = url.startsWith('https:') ? await this.httpsAgent() : undefined;
    const body = new URLSearchParams({ ...form, timeout: String(this.queryTimeoutSeconds) }).toString();
    const abort = signal ? AbortSignal.any([signal, call.timeout]) : call.timeout;
    let response: AxiosResponse<Readable>;
    try {
      response = await axios.request<Readable>({
        method: 'POST',
        url,
        data: body,
        headers,
        signal: abort,
        ...(httpsAgent ? { httpsAgent } : {}),
        proxy: false,
        maxRedirects: 0,
        responseType: 'stream',
        validateStatus: () => true,
      });
    } catch (error) {
      // The axios error holds the request config and its headers: keep only what is safe.
      throw this.transportError(error, call);
    }
    const { status } = response;
    if (matrix !== undefined && status >= 200 && status < 300) {
      const capSeries = this.options.maxSeries ?? DEFAULT_MAX_SERIES;
      const maxSeries = Math.min(capSeries, matrix.budget?.series ?? Infinity);
      // Each series is converted (and handed on) as soon as it is read; the first that is not a series
      // is reported once the rest of the document has been checked, as a whole document would be.
      // Series with the same times already share one time column (the parser's SampleList, stream-json.ts).
      const series: RangeSeries[] = [];
      let failure: { error: unknown } | undefined;
      const parser = new StreamingMatrixParser(matrix.points, maxSeries, (item, index) => {
        if (failure) return;
        try {
          const one = parseRangeSeries(item, index);
          series.push(one);
          matrix.onSeries?.(one);
        } catch (error) {
          failure = { error };
        }
      });
      let head = '';
      let json: unknown;
      try {
        await this.readBody(response.data, abort, call, matrix.budget, (text) => {
          // Copied: a slice would keep the whole chunk alive.
          if (head.length < 300) head += Buffer.from(text.slice(0, 300)).toString();
          parser.write(text);
        });
        json = parser.end();
      } catch (error) {
        if (error instanceof JsonShapeError)
          throw new MetricsError('bad-response', `${call.where}: unexpected response: ${error.message}`, { status });
        if (error instanceof JsonSyntaxError) throw this.notJson(response, head, call);
        if (error instanceof TooManyPointsError) {
          throw new MetricsError(
            'bad-response',
            `${call.where}: unexpected response: data.result[${parser.currentSeries}].values: ${error.message}`,
            { status },
          );
        }
        if (error instanceof TooManySeriesError) {
          const cap =
            maxSeries < capSeries
              ? `the ${maxSeries} series left of prometheus.maxSeries (${capSeries}) for the profile's answers together`
              : `${maxSeries} series (prometheus.maxSeries)`;
          throw new MetricsError(
            'limit',
            `${call.where}: the answer holds more than ${cap}; narrow the profile's selector or query, or raise the cap`,
            { status },
          );
        }
        throw error;
      }
      // A Prometheus error body under a 2xx status: same handling as under an error status.
      if (errorBodySchema.safeParse(json).success) return this.interpret(response, JSON.stringify(json), parse, call);
      const envelope = this.parseBody(json, parse, status, call) as RangeResult;
      if (failure) {
        const { error } = failure;
        if (!(error instanceof ResponseFormatError)) throw error;
        throw new MetricsError(
          'bad-response',
          redact(`${call.where}: unexpected response: ${error.message}`, call.secrets),
          {
            status,
          },
        );
      }
      if (matrix.budget) {
        matrix.budget.bytes -= call.bytes;
        matrix.budget.series -= series.length;
      }
      return { ...envelope, series } as T;
    }
    let text = '';
    await this.readBody(response.data, abort, call, undefined, (chunk) => {
      if (text.length < MAX_TEXT_BODY_CHARS) text += chunk;
    });
    return this.interpret(response, text, parse, call);
  }

  /**
   * Feeds the decoded body to `onText`; what `onText` throws ends the read and propagates as is. A
   * body over maxResponseBytes ends the read: no answer is held or parsed past the cap.
   */
  private async readBody(
    stream: Readable,
    abort: AbortSignal,
    call: Call,
    budget: AnswerBudget | undefined,
    onText: (text: string) => void,
  ): Promise<void> {
    const decoder = new TextDecoder();
    const capBytes = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const maxBytes = Math.max(0, Math.min(capBytes, budget?.bytes ?? Infinity));
    const size = (bytes: number): string => (bytes >= MIB ? formatMiB(bytes) : `${bytes} bytes`);
    const cap =
      maxBytes < capBytes
        ? `the ${size(maxBytes)} left of prometheus.maxResponseBytes (${size(capBytes)}) for the profile's answers together`
        : `${size(maxBytes)} (prometheus.maxResponseBytes)`;
    const stop = (): void => void stream.destroy(new Error('aborted'));
    abort.addEventListener('abort', stop);
    try {
      if (abort.aborted) stop();
      for await (const chunk of stream) {
        call.bytes += (chunk as Buffer).length;
        if (call.bytes > maxBytes) {
          throw new MetricsError(
            'limit',
            `${call.where}: the answer is larger than ${cap}; narrow the profile's query, raise prometheus.step, or raise the cap`,
          );
        }
        onText(decoder.decode(chunk as Buffer, { stream: true }));
      }
      onText(decoder.decode());
    } catch (error) {
      if (
        error instanceof JsonSyntaxError ||
        error instanceof TooManySeriesError ||
        error instanceof TooManyPointsError ||
        error instanceof MetricsError
      )
        throw error;
      throw this.transportError(error, call);
    } finally {
      abort.removeEventListener('abort', stop);
      stream.destroy();
    }
  }

  private transportError(error: unknown, { where, timeout, signal, secrets }: Call): MetricsError {
    if (timeout.aborted) {
      return new MetricsError('timeout', `${where}: no answer within the HTTP timeout of ${this.timeoutMs / 1000}s`);
    }
    if (signal?.aborted) return new MetricsError('aborted', `${where}: aborted (${reasonText(signal.reason)})`);
    const systemCode = systemCodeOf(error);
    const code = codeForSystemError(systemCode) ?? 'unreachable';
    const raw = error instanceof Error ? error.message : String(error);
    const hint = code === 'tls' ? ' (check caFile and that the certificate names this host)' : '';
    return new MetricsError(code, `${where}: ${redact(raw, secrets)}${hint}`, systemCode ? { systemCode } : {});
  }

  private interpret<T>(response: AxiosResponse<Readable>, text: string, parse: (json: unknown) => T, call: Call): T {
    const { status } = response;
    const { url, where, secrets } = call;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (status >= 300 && status < 400) {
      const location = response.headers['location'];
      const to =
        typeof location === 'string'
          ? ` to ${URL.canParse(location, url) ? safeUrl(new URL(location, url).toString()) : '(invalid location)'}`
          : '';
      throw new MetricsError(
        'bad-response',
        redact(`${where}: redirected (${status})${to}; set prometheus.url to the final address`, secrets),
        { status },
      );
    }
    const errorBody = errorBodySchema.safeParse(json);
    if (status >= 400 || errorBody.success) {
      const errorType = errorBody.success ? errorBody.data.errorType : undefined;
      const detail = errorBody.success ? (errorBody.data.error ?? '') : excerpt(text);
      const code = codeForStatus(status, errorType, detail);
      const retryAfterSeconds = parseRetryAfter(headerText(response.headers['retry-after']), Date.now());
      const what =
        code === 'timeout' ? ` (leakguard asked Prometheus for a query timeout of ${this.queryTimeoutSeconds}s)` : '';
      const notFound = status === 404 ? ' — check the URL and its path prefix' : '';
      // A limit goes first: the message ends up in Events, which Kubernetes cuts at 1 kB.
      const limit = code === 'limit' ? `${serverLimit(detail)}; ` : '';
      const explained = `${limit}${detail}`;
      // VictoriaMetrics repeats the status as its errorType ("422"): said once.
      const type = errorType && errorType !== String(status) ? ` ${errorType}` : '';
      const message = `${where}: HTTP ${status}${type}${explained ? `: ${explained}` : ''}${what}${notFound}`;
      throw new MetricsError(code, redact(message, secrets), {
        status,
        ...(errorType ? { errorType } : {}),
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      });
    }
    if (json === undefined) throw this.notJson(response, text, call);
    return this.parseBody(json, parse, status, call);
  }

  private notJson(response: AxiosResponse<Readable>, head: string, { where, secrets }: Call): MetricsError {
    const type = headerText(response.headers['content-type']) ?? 'no content type';
    return new MetricsError(
      'bad-response',
      redact(`${where}: HTTP ${response.status} body is not JSON (${type}): ${excerpt(head)}`, secrets),
      { status: response.status },
    );
  }

  private parseBody<T>(json: unknown, parse: (json: unknown) => T, status: number, { where, secrets }: Call): T {
    try {
      return parse(json);
    } catch (error) {
      if (error instanceof ResponseFormatError) {
        throw new MetricsError('bad-response', redact(`${where}: unexpected response: ${error.message}`, secrets), {
          status,
        });
      }
      throw error;
    }
  }

  private async requestHeaders(): Promise<{ headers: Record<string, string>; secrets: string[] }> {
    const custom: Record<string, string> = { ...this.options.headers };
    for (const [name, file] of Object.entries(this.options.headersFrom ?? {})) {
      const value = (await readSecret(file, `header ${name}`)).replace(/\r?\n$/, '');
      if (!HEADER_VALUE.test(value))
        throw new MetricsError(
          'credentials',
          `header file ${file} (${name}) holds a line break or characters a header cannot carry`,
        );
      custom[name] = value;
    }
    const secrets = Object.values(custom).filter((v) => v.length > 0);
    const own: Record<string, string> = {
      'User-Agent': `leakguard/${this.options.version}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (this.options.bearerTokenFile) {
      const token = (await readSecret(this.options.bearerTokenFile, 'bearer token')).trim();
      if (!token) throw new MetricsError('credentials', `bearer token file ${this.options.bearerTokenFile} is empty`);
      if (!TOKEN.test(token))
        throw new MetricsError(
          'credentials',
          `bearer token file ${this.options.bearerTokenFile} holds whitespace or non-ASCII characters inside the token`,
        );
      secrets.push(token);
      own['Authorization'] = `Bearer ${token}`;
    }
    if (this.options.basicAuth) {
      const { username, passwordFile } = this.options.basicAuth;
      const password = (await readSecret(passwordFile, 'basic auth password')).replace(/\r?\n$/, '');
      const encoded = Buffer.from(`${username}:${password}`).toString('base64');
      secrets.push(password, encoded);
      own['Authorization'] = `Basic ${encoded}`;
    }
    const ownNames = new Set(Object.keys(own).map((name) => name.toLowerCase()));
    const kept = Object.entries(custom).filter(([name]) => !ownNames.has(name.toLowerCase()));
    return { headers: { ...Object.fromEntries(kept), ...own }, secrets };
  }

  private async httpsAgent(): Promise<HttpsAgent | undefined> {
    const { caFile } = this.options;
    if (!caFile) return undefined;
    const fail = (message: string) => new MetricsError('tls', message);
    const ca = await readSecretFile(caFile, 'CA', { fail, emptyAllowed: true });
    if (this.agent?.ca !== ca) {
      this.agent?.agent.destroy();
      this.agent = { ca, agent: new HttpsAgent({ ca }) };
    }
    return this.agent.agent;
  }
}

/** Prometheus' credentials may be empty files (a header, a password); an empty bearer token is refused by its caller. */
function readSecret(path: string, what: string): Promise<string> {
  return readSecretFile(path, what, {
    fail: (message) => new MetricsError('credentials', message),
    emptyAllowed: true,
  });
}

function systemCodeOf(error: unknown): string | undefined {
  for (
    let current: unknown = error, depth = 0;
    current && depth < 5;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_BAD_REQUEST' && code !== 'ERR_BAD_RESPONSE') return code;
  }
  return undefined;
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'signal';
}

function headerText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A short, single-line excerpt of a non-Prometheus body (an HTML error page from a proxy, say). */
function excerpt(text: string): string {
  const flat = withoutTags(text).replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}…` : flat;
}

/**
 * Each `<…>` replaced by a space, in one pass. `/<[^>]*>/g` rescanned the rest of the body from every
 * unclosed `<`: 300 KB of them took 4 minutes.
 */
function withoutTags(text: string): string {
  let out = '';
  let from = 0;
  for (let open = text.indexOf('<'); open >= 0; open = text.indexOf('<', from)) {
    const close = text.indexOf('>', open);
    if (close < 0) break;
    out += `${text.slice(from, open)} `;
    from = close + 1;
  }
  return out + text.slice(from);
}
