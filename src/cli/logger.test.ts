// The CLI's logger: no credential gets through, wherever it sits (a field, a field's field, headers, an
// error's request config, a child's bindings), and everything else is written as it was logged.
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

const SECRET = 'CANARY-logger-5d2e';

function capture(make: (sink: Writable) => Logger): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (chunks.push(chunk.toString()), done()) });
  return { logger: make(sink), lines: () => chunks.join('').trim().split('\n') };
}

/** Each record logged at `info`, through the logger and through a child of it. */
function logAll(logger: Logger, records: readonly object[]): void {
  const child = logger.child({ profile: 'rook', binding: { token: SECRET, kept: 'yes "quoted"' } });
  for (const record of records) {
    logger.info(record, 'message with "quotes", a tab\t and é');
    child.warn(record, 'child line');
  }
}

function axiosLikeError(): Error {
  const error = new Error('Request failed with status code 401');
  Object.assign(error, { code: 'ERR_BAD_REQUEST', config: { headers: { Authorization: `Bearer ${SECRET}` } } });
  return error;
}

const records: object[] = [
  { pod: 'rook-ceph-operator-7d9f', verdict: 'leaking', bytesPerHour: 12_345.678 },
  { pod: 'p', verdict: 'healthy', bytesPerHour: null, flag: true, count: 0, ratio: -1.5e-7, big: 2 ** 60 },
  { text: 'line\nbreak "and" \\ backslash \u0001 control \u2028 separator 🙂' },
  { notFinite: Number.NaN, infinite: Number.POSITIVE_INFINITY },
  { token: SECRET, password: SECRET, authorization: SECRET, webhookUrl: SECRET, privateKey: SECRET },
  { prometheus: { token: SECRET, url: 'http://prometheus:9090' }, slack: { webhookUrl: SECRET } },
  { github: { privateKey: SECRET, password: SECRET, authorization: SECRET, Authorization: SECRET } },
  { headers: { authorization: SECRET, Authorization: SECRET, accept: 'application/json' } },
  { request: { headers: { authorization: SECRET, Authorization: SECRET } } },
  { config: { headers: { 'X-Scope-OrgID': SECRET } } },
  { err: axiosLikeError() },
  { error: { config: { headers: { Authorization: SECRET } }, message: 'refused' } },
  { list: ['a', 1, { kept: 'x' }], nested: { deeper: { kept: 'deep' } } },
];

describe('the CLI logger', () => {
  it('redacts every credential path, in fields, nested fields, headers, errors and child bindings', () => {
    const { logger, lines } = capture((sink) => createLogger('info', sink));
    logAll(logger, records);
    const text = lines().join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).toContain('[redacted]');
    const first = JSON.parse(lines()[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ pod: 'rook-ceph-operator-7d9f', verdict: 'leaking', bytesPerHour: 12_345.678 });
    const child = JSON.parse(lines()[1]!) as Record<string, unknown>;
    expect(child).toMatchObject({ profile: 'rook', binding: { token: '[redacted]', kept: 'yes "quoted"' } });
    const err = lines()
      .map((l) => JSON.parse(l) as { err?: Record<string, unknown> })
      .find((l) => l.err)!.err!;
    expect(err).toMatchObject({ message: 'Request failed with status code 401', code: 'ERR_BAD_REQUEST' });
    expect(err['config']).toBe('[redacted]');
  });
});
