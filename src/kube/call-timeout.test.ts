/**
 * A hung API server (#21.3): a local TCP server, on 127.0.0.1 only, that accepts connections and never
 * answers — or answers the headers and then stalls in the body. No call may wait for it past its own
 * timeout or the run's deadline, and none may be sent once the deadline has passed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeCluster } from './cluster.js';

const logger = pino({ level: 'silent' });
const sockets: Socket[] = [];
let server: Server | undefined;

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Accepts and reads requests; answers nothing, or (with `stallInBody`) headers and half a body. */
async function hungApiServer(stallInBody = false) {
  const requests: string[] = [];
  server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (chunk) => {
      const line = chunk.toString('latin1').split('\r\n')[0];
      if (line && /^[A-Z]+ \//.test(line)) requests.push(line);
      if (stallInBody)
        socket.write(
          'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{"kind":"Lease",',
        );
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      { name: 'hung', server: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, skipTLSVerify: true },
    ],
    users: [{ name: 'u', token: 'canary-token-do-not-log' }],
    contexts: [{ name: 'c', cluster: 'hung', user: 'u' }],
    currentContext: 'c',
  });
  return { kubeConfig, requests };
}

const lock = { namespace: 'leakguard', name: 'leakguard', identity: 'run-1', durationSeconds: 600 };

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}

describe('a hung API server', () => {
  it.each([
    ['never answers', false],
    ['stalls in the body', true],
  ])(
    'that %s: the request is aborted after its timeout, not retried, and the run sees why',
    async (_name, stallInBody) => {
      const api = await hungApiServer(stallInBody);
      const cluster = createKubeCluster({
        kubeConfig: api.kubeConfig,
        logger,
        identity: 'run-1',
        retry: { requestTimeoutMs: 300 },
      });
      const { value, ms } = await timed(cluster.acquireLease(lock));
      expect(value).toMatchObject({
        outcome: 'failed',
        reason: 'could not read the lock',
        error: { code: 'timeout', message: 'no answer from the API server within 0.3s', attempts: 1 },
      });
      expect(ms).toBeLessThan(3000);
      expect(api.requests).toEqual(['GET /apis/coordination.k8s.io/v1/namespaces/leakguard/leases/leakguard HTTP/1.1']);
    },
  );

  it('gives up at the run deadline, well before its own timeout', async () => {
    const api = await hungApiServer();
    const deadline = AbortSignal.timeout(300);
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'run-1', signal: deadline });
    const { value, ms } = await timed(
      cluster.readKillSwitch({ kind: 'CronJob', namespace: 'leakguard', name: 'leakguard' }),
    );
    expect(value).toMatchObject({
      outcome: 'failed',
      error: { code: 'timeout', message: 'stopped at the run deadline' },
    });
    expect(ms).toBeLessThan(3000);
    expect(api.requests).toHaveLength(1);
  });

  it('sends nothing once the run deadline has passed', async () => {
    const api = await hungApiServer();
    const cluster = createKubeCluster({
      kubeConfig: api.kubeConfig,
      logger,
      identity: 'run-1',
      signal: AbortSignal.abort(new Error('deadline')),
    });
    const ref = { kind: 'Deployment' as const, namespace: 'rook-ceph', name: 'rook-ceph-operator', uid: 'dep-uid' };
    expect(await cluster.restartWorkload(ref, 'action-1')).toMatchObject({
      outcome: 'failed',
      error: { code: 'timeout', message: 'stopped at the run deadline', attempts: 0 },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(api.requests).toEqual([]);
  });

  it('still gives the run lock back after the deadline, within its own short timeout', async () => {
    const api = await hungApiServer();
    const retry = { afterDeadlineTimeoutMs: 400 };
    const cluster = createKubeCluster({
      kubeConfig: api.kubeConfig,
      logger,
      identity: 'run-1',
      retry,
      signal: AbortSignal.abort(new Error('deadline')),
    });
    const { value, ms } = await timed(cluster.releaseLease(lock));
    expect(value).toMatchObject({
      outcome: 'failed',
      error: { code: 'timeout', message: 'no answer from the API server within 0.4s' },
    });
    expect(ms).toBeGreaterThan(350);
    expect(api.requests).toEqual(['GET /apis/coordination.k8s.io/v1/namespaces/leakguard/leases/leakguard HTTP/1.1']);
  });
});
