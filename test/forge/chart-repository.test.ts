/**
 * The chart-repository reader at the HTTP boundary, for what the real registry in the e2e test does
 * not do: ghcr.io's anonymous Bearer challenge, and answers that are too slow or not what was asked.
 * The local server rejects any request it does not expect.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartRepositoryError, createChartSource } from '../../src/forge/chart-repository.js';

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, base: string) => void): Promise<string> {
  let base = '';
  server = createServer((req, res) => handler(req, res, base));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return base;
}

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
