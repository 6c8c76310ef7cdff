/**
 * The pod-proxy GET at the HTTP boundary (a TLS server standing in for the API server; the real one is
 * exercised on the real node in test/e2e/real-node-heap.e2e.test.ts): the path, the credentials, the
 * bytes untouched, and the bounds in size and time that keep a restart from waiting on a pod.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../test/support/tls.js';
import { fetchThroughPodProxy } from './pod-proxy.js';

let pki: TestPki;
let server: Server;
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
const seen: { url?: string; authorization?: string }[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  server = createServer({ key: pki.serverKey, cert: pki.serverCert }, (req, res) => {
    seen.push({
      ...(req.url ? { url: req.url } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await pki.remove();
});

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'test', server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caFile: pki.caFile },
    ],
    users: [{ name: 'sa', token: 'sa-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'sa' }],
    currentContext: 'test',
  });
  return kc;
}

const request = {
  pod: { namespace: 'rook-ceph', name: 'rook-ceph-operator-7d9' },
  port: 6060,
  path: '/debug/pprof/heap',
  maxBytes: 64 * 1024,
  timeoutMs: 1_000,
};

describe('fetchThroughPodProxy', () => {
  it('GETs the pod proxy path with the kubeconfig credentials and returns the bytes untouched', async () => {
    const body = randomBytes(40 * 1024);
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    seen.length = 0;
    const result = await fetchThroughPodProxy(kubeConfig(), request);
    expect(result).toMatchObject({ outcome: 'fetched' });
    expect(result.outcome === 'fetched' && Buffer.compare(result.bytes, body)).toBe(0);
    expect(seen).toEqual([
      {
        url: '/api/v1/namespaces/rook-ceph/pods/rook-ceph-operator-7d9%3A6060/proxy/debug/pprof/heap',
        authorization: 'Bearer sa-token',
      },
    ]);
  });

  it('stops reading past maxBytes, whether or not the length is announced', async () => {
    handler = (_req, res) => res.writeHead(200).end(randomBytes(100 * 1024));
    expect(await fetchThroughPodProxy(kubeConfig(), request)).toEqual({ outcome: 'too-large', limitBytes: 64 * 1024 });
    handler = (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 10; i++) res.write(randomBytes(16 * 1024));
      res.end();
    };
    expect(await fetchThroughPodProxy(kubeConfig(), request)).toEqual({ outcome: 'too-large', limitBytes: 64 * 1024 });
  });

  it('gives up at the timeout when the pod never finishes answering', async () => {
    handler = (_req, res) => res.writeHead(200).write('partial');
    const started = performance.now();
    const result = await fetchThroughPodProxy(kubeConfig(), { ...request, timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result).toEqual({
      outcome: 'failed',
      error: { code: 'timeout', message: 'no complete answer within 0.3 s' },
    });
  });

  it("an API Status (the port refused, RBAC) is the error, with the API server's message", async () => {
    const status = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: 'error trying to reach service: dial tcp 10.244.0.7:6060: connect: connection refused',
      reason: 'ServiceUnavailable',
      code: 503,
    };
    handler = (_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify(status));
    expect(await fetchThroughPodProxy(kubeConfig(), request)).toEqual({
      outcome: 'failed',
      error: expect.objectContaining({ code: 'server', status: 503, message: status.message }),
    });
    handler = (_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
    expect(await fetchThroughPodProxy(kubeConfig(), request)).toEqual({
      outcome: 'failed',
      error: expect.objectContaining({ code: 'not-found', status: 404, message: 'HTTP 404' }),
    });
  });
});
