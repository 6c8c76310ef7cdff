/**
 * Proves the e2e harness itself: a real control plane with kwok fake nodes, emulated cAdvisor
 * memory driven by pod annotations, a real Prometheus scraping it, and RBAC on ServiceAccount tokens.
 * Later e2e tests build on exactly these properties.
 */
import {
  ApiException,
  AuthenticationV1Api,
  CoreV1Api,
  type V1NodeList,
  type V1Pod,
  type V1PodList,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureInNamespace,
  kubeConfigForToken,
  kubectl,
  kubectlJson,
  loadE2eEnv,
  scrapedSamples,
  tokenFor,
  waitFor,
  type RangeSeries,
} from './support/index.js';

const MiB = 1024 ** 2;
const rook = {
  namespace: 'rook-ceph',
  selector: 'app=rook-ceph-operator',
  container: 'rook-ceph-operator',
  baseBytes: 300 * MiB,
  growthBytesPerHour: 400 * MiB,
};
const certManager = {
  namespace: 'cert-manager',
  selector: 'app.kubernetes.io/name=cert-manager',
  container: 'cert-manager-controller',
  plateauBytes: 90 * MiB,
  plateauAfterSeconds: 30,
};

const env = loadE2eEnv();

/** The one Running, not-terminating pod matching `selector`. */
async function runningPod(namespace: string, selector: string, notNamed?: string): Promise<V1Pod> {
  return waitFor(`a Running pod ${selector} in ${namespace}`, async () => {
    const pods = await kubectlJson<V1PodList>(['get', 'pods', '-n', namespace, '-l', selector], { env });
    const live = pods.items.filter(
      (p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && p.metadata?.name !== notNamed,
    );
    return live.length === 1 ? live[0] : undefined;
  });
}

const podName = (pod: V1Pod): string => pod.metadata?.name ?? '';
const createdAtSeconds = (pod: V1Pod): number => new Date(pod.metadata?.creationTimestamp ?? 0).getTime() / 1000;

function memorySelector(namespace: string, pod: string, container: string): string {
  return `container_memory_working_set_bytes{namespace="${namespace}",pod="${pod}",container="${container}"}`;
}

/** Scraped working-set samples of one container, once at least `min` satisfy `keep`. */
async function memorySamples(
  namespace: string,
  pod: V1Pod,
  container: string,
  min: number,
  keep = (_t: number) => true,
): Promise<RangeSeries> {
  return waitFor(
    `${min} scraped samples of ${namespace}/${podName(pod)}`,
    async () => {
      const [series, ...extra] = await scrapedSamples(memorySelector(namespace, podName(pod), container), 900, env);
      if (extra.length > 0) throw new Error(`expected one series, got ${extra.length + 1}`);
      if (!series) return undefined;
      const kept = { metric: series.metric, samples: series.samples.filter((s) => keep(s.t)) };
      return kept.samples.length >= min ? kept : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 5_000 },
  );
}

describe('e2e harness', () => {
  it('runs both operators on Ready kwok fake nodes', async () => {
    const nodes = await kubectlJson<V1NodeList>(['get', 'nodes'], { env });
    const fake = nodes.items.filter((n) => n.metadata?.annotations?.['kwok.x-k8s.io/node'] === 'fake');
    expect(fake.length).toBeGreaterThanOrEqual(3);
    for (const node of fake) {
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, node.metadata?.name).toBe('True');
    }
    const fakeNames = fake.map((n) => n.metadata?.name);

    for (const op of [rook, certManager]) {
      const pod = await runningPod(op.namespace, op.selector);
      expect(fakeNames).toContain(pod.spec?.nodeName);
      expect(pod.status?.containerStatuses?.map((c) => [c.name, c.ready])).toEqual([[op.container, true]]);
    }
  });

  it('has Prometheus scrape a rising working set for the leaking operator and a flat one for its neighbour', async () => {
    const pod = await runningPod(rook.namespace, rook.selector);
    const leaking = await memorySamples(rook.namespace, pod, rook.container, 3);
    expect(leaking.metric).toMatchObject({
      job: 'kubelet',
      metrics_path: '/metrics/cadvisor',
      node: pod.spec?.nodeName,
      image: 'rook/ceph:v1.14.9',
    });
    const values = leaking.samples.map((s) => s.v);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] ?? Infinity);
    const first = leaking.samples[0]!;
    const last = leaking.samples.at(-1)!;
    const bytesPerHour = ((last.v - first.v) / (last.t - first.t)) * 3600;
    expect(bytesPerHour).toBeGreaterThan(rook.growthBytesPerHour * 0.9);
    expect(bytesPerHour).toBeLessThan(rook.growthBytesPerHour * 1.1);
    // Growth is measured from the pod's creation, so the level sits on the base plus age × rate.
    const expectedFirst = rook.baseBytes + (rook.growthBytesPerHour * (first.t - createdAtSeconds(pod))) / 3600;
    expect(Math.abs(first.v - expectedFirst)).toBeLessThan(2 * MiB);

    const neighbour = await runningPod(certManager.namespace, certManager.selector);
    const settledAfter = createdAtSeconds(neighbour) + certManager.plateauAfterSeconds + 2;
    const flat = await memorySamples(
      certManager.namespace,
      neighbour,
      certManager.container,
      2,
      (t) => t > settledAfter,
    );
    expect(new Set(flat.samples.map((s) => s.v)).size).toBe(1);
    expect(Math.abs(flat.samples[0]!.v - certManager.plateauBytes)).toBeLessThan(64 * 1024);
  });

  describe('in a private copy of the rook-ceph fixture', () => {
    // Tests below disrupt the operator, so they get their own namespace instead of the shared fixture.
    const ns = `lg-harness-${Date.now().toString(36)}`;
    const copy = { ...rook, namespace: ns };
    beforeAll(async () => {
      await kubectl(['apply', '-f', '-'], { env, input: fixtureInNamespace('rook-ceph.yaml', ns) });
    });
    afterAll(async () => {
      await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found'], { env });
    });

    it('replaces a deleted operator pod, and the new pod’s memory starts again from its base', async () => {
      const old = await runningPod(copy.namespace, copy.selector);
      const oldSeries = await memorySamples(copy.namespace, old, copy.container, 2);
      const oldLast = oldSeries.samples.at(-1)!.v;

      await kubectl(['delete', 'pod', '-n', copy.namespace, podName(old), '--wait=false'], { env });
      const replacement = await runningPod(copy.namespace, copy.selector, podName(old));
      expect(replacement.metadata?.ownerReferences?.map((o) => o.kind)).toEqual(['ReplicaSet']);

      const fresh = await memorySamples(copy.namespace, replacement, copy.container, 1);
      const first = fresh.samples[0]!;
      expect(first.v).toBeLessThan(oldLast);
      expect(first.v).toBeGreaterThanOrEqual(copy.baseBytes);
      const ageAtFirst = first.t - createdAtSeconds(replacement);
      expect(first.v - copy.baseBytes).toBeLessThanOrEqual((copy.growthBytesPerHour * (ageAtFirst + 2)) / 3600);

      // The deleted pod's series goes stale once its target stops exposing it.
      await waitFor(
        `the series of deleted pod ${podName(old)} to go stale`,
        async () => {
          const live = await scrapedSamples(memorySelector(copy.namespace, podName(old), copy.container), 30, env);
          const recent = live.flatMap((s) => s.samples).filter((s) => s.t > Date.now() / 1000 - 20);
          return recent.length === 0 ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 5_000 },
      );
    });

    describe('a ServiceAccount token from the TokenRequest API', () => {
      const sa = { namespace: ns, name: 'leakguard-e2e-pod-reader' };
      const manifest = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${sa.name}, namespace: ${sa.namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${sa.name}, namespace: ${sa.namespace}}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${sa.name}, namespace: ${sa.namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${sa.name}}
subjects:
- {kind: ServiceAccount, name: ${sa.name}, namespace: ${sa.namespace}}
`;
      async function statusOf(call: Promise<unknown>): Promise<number> {
        try {
          await call;
          return 200;
        } catch (e) {
          if (e instanceof ApiException) return e.code;
          throw e;
        }
      }

      it('authenticates as the ServiceAccount and gets exactly what its Role grants', async () => {
        await kubectl(['apply', '-f', '-'], { env, input: manifest });
        const token = await tokenFor(sa.namespace, sa.name, { env });
        const kc = kubeConfigForToken(token, env);

        const review = await kc
          .makeApiClient(AuthenticationV1Api)
          .createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
        expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${sa.namespace}:${sa.name}`);

        const core = kc.makeApiClient(CoreV1Api);
        const pods = await core.listNamespacedPod({ namespace: sa.namespace });
        expect(pods.items.some((p) => p.metadata?.labels?.app === 'rook-ceph-operator')).toBe(true);

        const operatorPod = await runningPod(copy.namespace, copy.selector);
        expect(await statusOf(core.deleteNamespacedPod({ namespace: sa.namespace, name: podName(operatorPod) }))).toBe(
          403,
        );
        expect(await statusOf(core.listNamespacedPod({ namespace: certManager.namespace }))).toBe(403);
        expect(await statusOf(core.listNamespacedSecret({ namespace: sa.namespace }))).toBe(403);
        // The pod survived the forbidden delete.
        expect(podName(await runningPod(copy.namespace, copy.selector))).toBe(podName(operatorPod));

        const forged = kubeConfigForToken(`${token.slice(0, -4)}AAAA`, env).makeApiClient(CoreV1Api);
        expect(await statusOf(forged.listNamespacedPod({ namespace: sa.namespace }))).toBe(401);
      });
    });
  });
});
