/**
 * The chart-repository reader at the HTTP boundary, for what the real registry in the e2e test does
 * not do: ghcr.io's anonymous Bearer challenge, the distribution token flow with credentials, where
 * credentials go (and do not), and answers that are too slow or not what was asked. The local server
 * rejects any request it does not expect.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChartRepositoryError,
  createChartSource,
  credentialFor,
  readChartCredentials,
  type ChartCredential,
} from '../../src/forge/chart-repository.js';
import { secretFile } from './helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, base: string) => void): Promise<string> {
  let base = '';
  const server = createServer((req, res) => handler(req, res, base));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return base;
}

const PASSWORD = 'CANARY-chart-password-4b1e';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const INDEX = 'apiVersion: v1\nentries:\n  app:\n    - version: 1.0.0\n      appVersion: 2.0.0\n';

describe('chart repositories at the HTTP boundary', () => {
  it('answers an anonymous Bearer challenge (ghcr.io) once per repository, then sends the token', async () => {
    const seen: string[] = [];
    const host = await serve((req, res, base) => {
      seen.push(`${req.url} ${req.headers.authorization ?? '-'}`);
      if (req.url === '/token?service=registry.test&scope=repository%3Aacme%2Fcharts%2Fapp%3Apull')
        return void res.end('{"token":"anon-1"}');
      if (req.url === '/v2/acme/charts/app/tags/list?n=1000' && req.headers.authorization === 'Bearer anon-1')
        return void res.end('{"tags":["1.0.0","1.1.0"]}');
      if (req.url?.startsWith('/v2/') && !req.headers.authorization) {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://${base}/token",service="registry.test",scope="repository:acme/charts/app:pull"`,
        });
        return void res.end();
      }
      res.writeHead(500).end('unexpected');
    });
    const source = createChartSource();
    expect(await source.versions(`oci://${host}/acme/charts`, 'app')).toEqual(['1.0.0', '1.1.0']);
    expect(await source.versions(`oci://${host}/acme/charts`, 'app')).toEqual(['1.0.0', '1.1.0']);
    expect(seen).toEqual([
      '/v2/acme/charts/app/tags/list?n=1000 -',
      expect.stringMatching(/^\/token\?/),
      '/v2/acme/charts/app/tags/list?n=1000 Bearer anon-1',
    ]);
  });

  it('a repository that does not answer in time is unreachable, and says how long it waited', async () => {
    const host = await serve(() => undefined);
    const err = await createChartSource({ timeoutMs: 300 })
      .versions(`http://${host}/charts`, 'app')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChartRepositoryError);
    expect(err).toMatchObject({
      code: 'unreachable',
      message: `http://${host}/charts/index.yaml: no answer within 0.3s`,
    });
  });

  it('an OCI artifact that is not a Helm chart is refused, naming what it is', async () => {
    const host = await serve((req, res) => {
      if (req.url === '/v2/acme/app/manifests/1.0.0')
        return void res.end(
          JSON.stringify({
            config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}` },
          }),
        );
      res.writeHead(500).end('unexpected');
    });
    await expect(createChartSource().appVersion(`oci://${host}/acme`, 'app', '1.0.0')).rejects.toThrow(
      `http://${host}/v2/acme/app/manifests/1.0.0 is not a Helm chart (config application/vnd.oci.image.config.v1+json)`,
    );
  });

  it('an index that is not a Helm index, or a body that is not JSON, is invalid', async () => {
    const host = await serve((req, res) => {
      if (req.url === '/charts/index.yaml') return void res.end('hello: world\n');
      if (req.url === '/v2/acme/app/tags/list?n=1000') return void res.end('<html>');
      res.writeHead(500).end('unexpected');
    });
    await expect(createChartSource().versions(`http://${host}/charts`, 'app')).rejects.toThrow(
      'index.yaml is not a Helm repository index',
    );
    await expect(createChartSource().versions(`oci://${host}/acme`, 'app')).rejects.toThrow(
      'tags/list: the answer is not JSON',
    );
  });
});

describe('credentials per repository URL', () => {
  const creds = (url: string, password = PASSWORD): ChartCredential[] => [
    { url, auth: { kind: 'basic', username: 'robot', password } },
  ];

  it('picks the longest configured prefix on a / boundary; scheme-less OCI (Argo CD) and oci:// are one', () => {
    const all: ChartCredential[] = [
      { url: 'oci://Registry.example.com', auth: { kind: 'bearer', token: 'a' } },
      { url: 'oci://registry.example.com/team-a/', auth: { kind: 'bearer', token: 'b' } },
      { url: 'https://charts.example.com/stable', auth: { kind: 'bearer', token: 'c' } },
    ];
    const token = (url: string) => {
      const found = credentialFor(all, url);
      return found?.auth.kind === 'bearer' ? found.auth.token : null;
    };
    expect(token('oci://registry.example.com/team-a/charts')).toBe('b');
    expect(token('registry.example.com/team-a')).toBe('b');
    expect(token('registry.example.com/team-ab')).toBe('a');
    expect(token('https://charts.example.com/stable/')).toBe('c');
    expect(token('https://charts.example.com/stable-2')).toBeNull();
    expect(token('http://charts.example.com/stable')).toBeNull();
    expect(token('https://evil.example/charts.example.com/stable')).toBeNull();
  });

  it('HTTP index.yaml behind basic auth: read with the credentials; refused ones named by URL, never shown', async () => {
    const seen: string[] = [];
    const host = await serve((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization ?? '-'}`);
      if (req.url === '/private/index.yaml' && req.headers.authorization === basic('robot', PASSWORD))
        return void res.end(INDEX);
      if (req.url === '/private/index.yaml' || req.url === '/open/index.yaml') {
        // A server that echoes what it was sent: the worst case for leaks.
        res.writeHead(401, { 'www-authenticate': 'Basic realm="charts"' });
        return void res.end(`denied ${req.headers.authorization ?? ''}`);
      }
      res.writeHead(500).end('unexpected');
    });
    const source = createChartSource({ credentials: creds(`http://${host}/private`) });
    expect(await source.versions(`http://${host}/private`, 'app')).toEqual(['1.0.0']);
    const open = await source.versions(`http://${host}/open`, 'app').catch((e: unknown) => e);
    expect(open).toMatchObject({
      code: 'unauthorized',
      message: `http://${host}/open/index.yaml: HTTP 401: the repository wants credentials: add it to chartRepositories`,
    });
    // The credentials of /private never went to /open.
    expect(seen).toEqual([`/private/index.yaml ${basic('robot', PASSWORD)}`, '/open/index.yaml -']);

    const wrong = await createChartSource({ credentials: creds(`http://${host}/private`, 'wrong-password') })
      .versions(`http://${host}/private`, 'app')
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ChartRepositoryError);
    expect(wrong).toMatchObject({
      code: 'unauthorized',
      message: `http://${host}/private/index.yaml: HTTP 401: the credentials configured for http://${host}/private (chartRepositories) were refused`,
    });
  });

  it('a redirect to another host does not carry the credentials along', async () => {
    const seenElsewhere: (string | undefined)[] = [];
    const elsewhere = await serve((req, res) => {
      seenElsewhere.push(req.headers.authorization);
      res.end(INDEX);
    });
    const host = await serve((req, res) => {
      if (req.headers.authorization !== basic('robot', PASSWORD)) return void res.writeHead(401).end();
      res.writeHead(302, { location: `http://${elsewhere}/cdn/index.yaml` }).end();
    });
    const source = createChartSource({ credentials: creds(`http://${host}`) });
    expect(await source.versions(`http://${host}/charts`, 'app')).toEqual(['1.0.0']);
    expect(seenElsewhere).toEqual([undefined]);
  });

  it('OCI: 401 Bearer challenge → token service asked with the basic credentials → the token, once per repository', async () => {
    const seen: string[] = [];
    const host = await serve((req, res, base) => {
      seen.push(`${req.url} ${req.headers.authorization ?? '-'}`);
      if (req.url?.startsWith('/auth/token?')) {
        if (req.headers.authorization !== basic('robot', PASSWORD)) return void res.writeHead(401).end('bad password');
        return void res.end('{"access_token":"CANARY-issued-token-77"}');
      }
      if (req.headers.authorization === 'Bearer CANARY-issued-token-77' && req.url === '/v2/acme/app/tags/list?n=1000')
        return void res.end('{"tags":["1.0.0"]}');
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${base}/auth/token",service="${base}",scope="repository:acme/app:pull"`,
      });
      res.end(`{"errors":[{"code":"UNAUTHORIZED","detail":"${req.headers.authorization ?? ''}"}]}`);
    });
    const source = createChartSource({ credentials: creds(`oci://${host}/acme`) });
    expect(await source.versions(`oci://${host}/acme`, 'app')).toEqual(['1.0.0']);
    expect(seen).toEqual([
      '/v2/acme/app/tags/list?n=1000 -',
      `/auth/token?service=${encodeURIComponent(host)}&scope=repository%3Aacme%2Fapp%3Apull ${basic('robot', PASSWORD)}`,
      '/v2/acme/app/tags/list?n=1000 Bearer CANARY-issued-token-77',
    ]);

    const wrong = await createChartSource({ credentials: creds(`oci://${host}/acme`, 'nope') })
      .versions(`${host}/acme`, 'app')
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({
      code: 'unauthorized',
      message: `http://${host}/auth/token: HTTP 401: the registry's token service refused the credentials configured for oci://${host}/acme (chartRepositories)`,
    });
  });

  it('OCI: credentials are not sent to a token service over plain http off this machine', async () => {
    const host = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://auth.example.com/token",service="r"' }).end();
    });
    const err = await createChartSource({ credentials: creds(`oci://${host}`) })
      .versions(`oci://${host}/acme`, 'app')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'unauthorized',
      message: `http://${host}/v2/acme/app/tags/list: the registry's token service http://auth.example.com/token is plain http: the credentials configured for oci://${host} are not sent there`,
    });
  });

  it('a bearer token file is sent as it is; a password file loses only its last newline', async () => {
    const seen: (string | undefined)[] = [];
    const host = await serve((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization === 'Bearer CANARY-static-token') return void res.end(INDEX);
      res.writeHead(403).end();
    });
    const credentials = await readChartCredentials([
      { url: `http://${host}/a`, bearerTokenFile: secretFile('token', 'CANARY-static-token\n') },
      { url: `http://${host}/b`, basicAuth: { username: 'u', passwordFile: secretFile('pw', ' p w \n') } },
    ]);
    expect(credentials.map((c) => c.auth)).toEqual([
      { kind: 'bearer', token: 'CANARY-static-token' },
      { kind: 'basic', username: 'u', password: ' p w ' },
    ]);
    expect(await createChartSource({ credentials }).versions(`http://${host}/a`, 'app')).toEqual(['1.0.0']);
    await expect(readChartCredentials([{ url: 'https://x', bearerTokenFile: '/nonexistent/token' }])).rejects.toThrow(
      'cannot read chart repository https://x token file /nonexistent/token (ENOENT)',
    );
  });
});
