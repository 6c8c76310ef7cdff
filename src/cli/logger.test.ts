// The CLI's logger: no credential gets through, wherever it sits (a field, a field's field, headers, an
// error's request config, a child's bindings), and everything else is written as it was logged.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, logDestination } from './logger.js';

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

describe('the log lines written in batches (logDestination)', () => {
  function inTempDir(use: (file: string) => Promise<void>): () => Promise<void> {
    return async () => {
      const dir = mkdtempSync(join(tmpdir(), 'leakguard-log-'));
      try {
        await use(join(dir, 'log'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
  }
  const loggedLines = (file: string) =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { i: number; msg: string; time: string });

  it(
    'writes a burst of lines whole and in order once the code that logged them waits',
    inTempDir(async (file) => {
      const logger = createLogger('info', logDestination(file)).child({ profile: 'fleet' });
      const startedMs = Date.now();
      // More than one batch holds (64 Ki characters), as a run's line per target is.
      for (let i = 0; i < 3000; i++) logger.info({ i }, `target ${i}`);
      const burstEndMs = Date.now();
      while (Date.now() === burstEndMs) await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info({ i: 3000 }, 'later');
      await new Promise((resolve) => setImmediate(resolve));
      const lines = loggedLines(file);
      expect(lines.map((l) => l.i)).toEqual(Array.from({ length: 3001 }, (_, i) => i));
      expect(lines[2999]).toMatchObject({ profile: 'fleet', msg: 'target 2999' });
      // Each line stamped with the time it was logged (ISO 8601, to the millisecond).
      const times = lines.map((l) => Date.parse(l.time));
      expect(lines.every((l) => l.time === new Date(Date.parse(l.time)).toISOString())).toBe(true);
      expect(times[0]).toBeGreaterThanOrEqual(startedMs);
      expect(times[2999]).toBeLessThanOrEqual(burstEndMs);
      expect(times[3000]).toBeGreaterThan(burstEndMs);
      expect(times[3000]).toBeLessThanOrEqual(Date.now());
    }),
  );

  it(
    'writes the lines it holds when the process exits right after logging them',
    inTempDir(async (file) => {
      const script = [
        `import { createLogger, logDestination } from ${JSON.stringify(join(import.meta.dirname, 'logger.ts'))};`,
        `const logger = createLogger('info', logDestination(${JSON.stringify(file)}));`,
        `for (let i = 0; i < 3; i++) logger.error({ i }, 'last words');`,
        'process.exit(3);',
      ].join('\n');
      const run = promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
      await expect(run).rejects.toMatchObject({ code: 3 });
      expect(loggedLines(file)).toMatchObject([0, 1, 2].map((i) => ({ i, msg: 'last words' })));
    }),
  );
});
