import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../test/support/tls.js';
import { apiClientFactory } from './client.js';

let pki: TestPki;
let server: ReturnType<typeof createServer>;
let connections = 0;
const authorizations: (string | undefined)[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  server = createServer({ key: pki.serverKey, cert: pki.serverCert }, (req, res) => {
    authorizations.push(req.headers.authorization);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rook-ceph' } }));
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await pki.remove();
});

function kubeConfig(token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'test', server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caFile: pki.caFile },
    ],
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'sa' }],
    currentContext: 'test',
  });
  return kc;
}

describe('apiClientFactory', () => {
  it("keeps one TLS connection for a run's calls, where client-node alone opens one per call", async () => {
    const plain = kubeConfig('t0').makeApiClient(CoreV1Api);
    connections = 0;
    for (let i = 0; i < 4; i++) await plain.readNamespace({ name: 'rook-ceph' });
    expect(connections).toBe(4);

    const core = apiClientFactory(kubeConfig('t1'))(CoreV1Api);
    connections = 0;
    for (let i = 0; i < 4; i++)
      expect((await core.readNamespace({ name: 'rook-ceph' })).metadata?.name).toBe('rook-ceph');
    expect(connections).toBe(1);
  });

  it('still authenticates every request as the KubeConfig says, and verifies the server against its CA', async () => {
    authorizations.length = 0;
    await apiClientFactory(kubeConfig('sa-token'))(CoreV1Api).readNamespace({ name: 'rook-ceph' });
    expect(authorizations).toEqual(['Bearer sa-token']);
    const untrusted = new KubeConfig();
    untrusted.loadFromOptions({
      clusters: [
        { name: 'x', server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caFile: pki.otherCaFile },
      ],
      users: [{ name: 'sa', token: 't' }],
      contexts: [{ name: 'x', cluster: 'x', user: 'sa' }],
      currentContext: 'x',
    });
    await expect(apiClientFactory(untrusted)(CoreV1Api).readNamespace({ name: 'rook-ceph' })).rejects.toThrow(
      /certificate/i,
    );
  });
});
