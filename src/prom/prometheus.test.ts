// Construction-time checks of PrometheusSource: configuration mistakes surface before any query.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MetricsError } from './errors.js';
import { PrometheusSource, type PrometheusOptions } from './prometheus.js';
import { failure } from '../../test/support/answers.js';

const SECRET = 'CANARY-pw-51d0';
const make = (options: Partial<PrometheusOptions>) => () =>
  new PrometheusSource({ url: 'http://127.0.0.1:9', version: 't', ...options });

describe('PrometheusSource options', () => {
  it.each([
    ['a non-http URL', { url: 'ftp://prom' }, /must be http\(s\)/],
    ['an unparsable URL', { url: 'http://[::1' }, /not a valid URL/],
    ['credentials in the URL', { url: `http://admin:${SECRET}@prom:9090` }, /must not hold credentials/],
    [
      'both bearer and basic auth',
      { bearerTokenFile: '/t', basicAuth: { username: 'u', passwordFile: '/p' } },
      /not both/,
    ],
    ['a zero timeout', { timeoutSeconds: 0 }, /must be positive/],
    [
      'a query timeout equal to the HTTP timeout',
      { timeoutSeconds: 5, queryTimeoutSeconds: 5 },
      /smaller than the HTTP timeout/,
    ],
    ['a header name with a space', { headers: { 'X Scope': 'a' } }, /not a valid header name/],
    [
      'a header value with a newline',
      { headers: { 'X-Api-Key': `${SECRET}\nX-Evil: 1` } },
      /value of X-Api-Key holds characters/,
    ],
  ])('rejects %s, without repeating secrets', (_name, options, message) => {
    let error: unknown;
    try {
      make(options)();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(`${String(error)} ${JSON.stringify(error)} ${inspect(error, { showHidden: true })}`).not.toContain(SECRET);
  });

  it('refuses a token file whose token has inner whitespace, before sending anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakguard-token-'));
    try {
      await writeFile(join(dir, 'token'), `abc ${SECRET}\n`);
      const error = await failure(
        make({ bearerTokenFile: join(dir, 'token') })().queryRange({ query: 'up', start: 0, end: 60, stepSeconds: 60 }),
      );
      expect(error).toBeInstanceOf(MetricsError);
      expect(error).toMatchObject({ code: 'credentials' });
      expect(JSON.stringify(error) + String(error)).not.toContain(SECRET);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a hostile error body', () => {
  it('an error page of 300,000 unclosed "<" is excerpted at once, not rescanned from every "<"', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) =>
      res.writeHead(502, { 'content-type': 'text/html' }).end(`${'<'.repeat(300_000)}x`),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const started = performance.now();
      const error = await failure(
        make({ url: `http://127.0.0.1:${port}` })().queryRange({ query: 'up', start: 0, end: 60, stepSeconds: 60 }),
      );
      expect(performance.now() - started).toBeLessThan(2000);
      expect(error).toMatchObject({ code: 'server', status: 502 });
      expect(error.message).toContain('HTTP 502: <<<');
      expect(error.message.length).toBeLessThan(400);
    } finally {
      server.close();
    }
  });
});
