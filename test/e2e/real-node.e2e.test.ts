/**
 * Proves the harness's real node: a kubelet built from the control plane's own version, registered
 * beside the kwok nodes and tainted for test pods only, runs a hostNetwork pod from a locally
 * imported image through containerd and runc, and Prometheus scrapes that container's working set
 * from the kubelet's own /metrics/cadvisor (the kernel's number, not an emulation).
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlJson, loadE2eEnv, promQuery, waitFor } from './support/index.js';

const MiB = 1024 ** 2;
const env = loadE2eEnv();
const realNode = env.realNode;

describe.skipIf(realNode === undefined)('the real node', () => {
  const node = realNode ?? '';
  const ns = `lg-real-node-${Date.now().toString(36)}`;
  const held = 48 * MiB;

  beforeAll(async () => {
    await kubectl(['create', 'namespace', ns], { env });
  });
  afterAll(async () => {
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found'], { env });
  });

  it('is Ready beside the kwok nodes, runs the control plane’s kubelet version and is tainted for test pods only', async () => {
    const n = await kubectlJson<V1Node>(['get', 'node', node], { env });
    expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const server = (await kubectl(['version', '-o', 'json'], { env })).match(
      /"serverVersion":[^}]*"gitVersion":\s*"([^"]+)"/,
    )?.[1];
    expect(n.status?.nodeInfo?.kubeletVersion).toBe(server);
    expect(n.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/1\./);
    expect(n.spec?.taints).toContainEqual({ key: 'leakguard.test/real-node', value: 'true', effect: 'NoSchedule' });
    expect(n.status?.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
  });

  it('runs a hostNetwork pod whose container’s working set Prometheus scrapes from the kubelet', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'holder', namespace: ns },
      spec: {
        hostNetwork: true,
        nodeSelector: { 'leakguard.test/real-node': 'true' },
        tolerations: [{ key: 'leakguard.test/real-node', operator: 'Exists', effect: 'NoSchedule' }],
        containers: [
          {
            name: 'holder',
            image: 'rook/ceph:v1.14.9',
            imagePullPolicy: 'Never',
            args: ['-initial', `${held / MiB}Mi`, '-rate', '4Mi'],
            env: [{ name: 'ROOK_WATCH_FOR_NODE_FAILURE', value: 'false' }],
            resources: { limits: { memory: '128Mi' } },
          },
        ],
      },
    };
    await kubectl(['apply', '-f', '-'], { env, input: JSON.stringify(pod) });
    const running = await waitFor('the holder pod Running on the real node', async () => {
      const p = await kubectlJson<V1Pod>(['get', 'pod', 'holder', '-n', ns], { env });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    expect(running.spec?.nodeName).toBe(node);
    // The API server reaches the kubelet for logs; the workaround in the environment stops the leak.
    expect(await kubectl(['logs', 'holder', '-n', ns], { env })).toContain(
      `environment: holding ${held} bytes, not leaking`,
    );

    const series = await waitFor(
      'the holder container’s working set in Prometheus',
      async () => {
        const found = await promQuery(
          `container_memory_working_set_bytes{namespace="${ns}",pod="holder",container="holder"}`,
          { env },
        );
        return found.length === 1 && found[0]!.sample.v >= held ? found[0] : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 5_000 },
    );
    expect(series.metric).toMatchObject({
      job: 'kubelet',
      metrics_path: '/metrics/cadvisor',
      node,
      image: 'docker.io/rook/ceph:v1.14.9',
    });
    // The kernel's number: what the program touched plus its runtime, well below the limit.
    expect(series.sample.v).toBeLessThan(held + 32 * MiB);
  });
});
