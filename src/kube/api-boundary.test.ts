/**
 * The adapter at the HTTP boundary, against a local server that answers like the API server for
 * exactly the requests expected and rejects anything else. What the real control plane cannot
 * easily show is tested here: request counts for 1,000 pods, and retry behaviour on 429/5xx/403.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from './call.js';
import { createKubeCluster } from './cluster.js';

type Handler = (
  req: IncomingMessage,
  url: URL,
) => { status: number; body: unknown; headers?: Record<string, string> } | undefined;

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function fakeApiServer(handler: Handler) {
  const requests: string[] = [];
  const unexpected: string[] = [];
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}`);
    const answer = handler(req, url);
    if (!answer) unexpected.push(`${req.method} ${url.pathname}${url.search}`);
    const { status, body, headers } = answer ?? {
      status: 418,
      body: { kind: 'Status', code: 418, message: 'unexpected request' },
    };
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'canary-token-do-not-log' }],
    contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
    currentContext: 'c',
  });
  return { kubeConfig, requests, unexpected };
}

const sleeps: number[] = [];
const fakeClock: Clock = {
  monotonicMs: () => sleeps.reduce((a, b) => a + b, 0),
  sleep: async (ms) => {
    sleeps.push(ms);
  },
};
const logger = pino({ level: 'silent' });

const ns = 'rook-ceph';
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'rook-ceph-operator', namespace: ns, uid: 'dep-uid', generation: 1, resourceVersion: '10' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'rook-ceph-operator' } },
    template: { spec: { containers: [{ name: 'rook-ceph-operator', image: 'rook/ceph:v1.14.9' }] } },
  },
  status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
};
const replicaSet = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: 'rook-ceph-operator-abc',
    namespace: ns,
    uid: 'rs-uid',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'rook-ceph-operator', uid: 'dep-uid', controller: true },
    ],
  },
};
const pod = (i: number) => ({
  metadata: {
    name: `rook-ceph-operator-abc-${String(i).padStart(4, '0')}`,
    namespace: ns,
    uid: `pod-${i}`,
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rook-ceph-operator-abc', uid: 'rs-uid', controller: true },
    ],
  },
  spec: {
    containers: [
      { name: 'rook-ceph-operator', image: 'rook/ceph:v1.14.9', resources: { limits: { memory: '512Mi' } } },
    ],
  },
  status: {
    startTime: '2026-11-26T08:00:00Z',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'rook-ceph-operator', restartCount: 3 }],
  },
});

describe('discovery request count', () => {
  it('lists 1,000 pods in one call and reads each distinct owner once', async () => {
    const evicted = { ...pod(1000), status: { phase: 'Failed', reason: 'Evicted' } };
    const api = await fakeApiServer((req, url) => {
      if (req.method !== 'GET') return undefined;
      if (
        url.pathname === `/api/v1/namespaces/${ns}/pods` &&
        url.searchParams.get('labelSelector') === 'app=rook-ceph-operator'
      ) {
        return {
          status: 200,
          body: {
            apiVersion: 'v1',
            kind: 'PodList',
            metadata: {},
            items: [...Array.from({ length: 1000 }, (_, i) => pod(i)), evicted],
          },
        };
      }
      if (url.pathname === `/apis/apps/v1/namespaces/${ns}/replicasets/rook-ceph-operator-abc`)
        return { status: 200, body: replicaSet };
      if (url.pathname === `/apis/apps/v1/namespaces/${ns}/deployments/rook-ceph-operator`)
        return { status: 200, body: deployment };
      return undefined;
    });
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    const found = await cluster.discoverTargets({
      name: 'rook',
      namespace: ns,
      selector: 'app=rook-ceph-operator',
      container: 'rook-ceph-operator',
    });

    expect(api.unexpected).toEqual([]);
    if (found.outcome === 'failed') throw new Error(found.error.message);
    expect(found.targets).toHaveLength(1000);
    expect(api.requests.sort()).toEqual([
      `GET /api/v1/namespaces/${ns}/pods`,
      `GET /apis/apps/v1/namespaces/${ns}/deployments/rook-ceph-operator`,
      `GET /apis/apps/v1/namespaces/${ns}/replicasets/rook-ceph-operator-abc`,
    ]);
    expect(found.targets[0]).toMatchObject({
      workload: { kind: 'Deployment', name: 'rook-ceph-operator', uid: 'dep-uid' },
      version: '1.14.9',
      limitBytes: 512 * 2 ** 20,
      restartCount: 3,
      pod: { startTime: Date.parse('2026-11-26T08:00:00Z') / 1000, ready: true, controlled: true, terminating: false },
      gitopsOwner: null,
      rollingOut: false,
    });
  });
});

/** One page of `items` as the API server pages a list: `limit` from the query, `continue` an offset here. */
function listPage(url: URL, kind: string, items: readonly unknown[]) {
  const from = Number(url.searchParams.get('continue') ?? '0');
  const limit = Number(url.searchParams.get('limit') ?? items.length);
  const page = items.slice(from, from + limit);
  const next = from + page.length < items.length ? String(from + page.length) : undefined;
  return { status: 200, body: { kind, apiVersion: 'v1', metadata: next ? { continue: next } : {}, items: page } };
}

const owned = (kind: string, name: string, uid: string) => [
  { apiVersion: 'apps/v1', kind, name, uid, controller: true },
];

describe('discovery of a fleet: requests grow with kinds, not workloads', () => {
  const deployments = 40;
  const podsEach = 50;
  const depName = (d: number) => `op-${String(d).padStart(2, '0')}`;
  const fleetPod = (name: string, owner: ReturnType<typeof owned>) => ({
    ...pod(0),
    metadata: { name, namespace: ns, uid: `uid-${name}`, ownerReferences: owner },
  });
  const pods = [
    ...Array.from({ length: deployments * podsEach }, (_, i) => {
      const d = Math.floor(i / podsEach);
      return fleetPod(`${depName(d)}-new-${i % podsEach}`, owned('ReplicaSet', `${depName(d)}-new`, `rs-${d}`));
    }),
    ...[0, 1, 2].map((i) => fleetPod(`mon-${i}`, owned('StatefulSet', 'mon', 'mon-uid'))),
    ...[0, 1].map((i) => fleetPod(`canary-abc-${i}`, owned('ReplicaSet', 'canary-abc', 'rs-canary'))),
    fleetPod('gone-abc-0', owned('ReplicaSet', 'gone-abc', 'rs-gone')),
  ];
  const replicaSets = [
    // Each Deployment keeps its previous ReplicaSet (scaled to 0) beside the current one.
    ...Array.from({ length: deployments }, (_, d) =>
      ['old', 'new'].map((age) => ({
        metadata: {
          name: `${depName(d)}-${age}`,
          namespace: ns,
          ownerReferences: owned('Deployment', depName(d), `dep-${d}`),
        },
      })),
    ).flat(),
    { metadata: { name: 'canary-abc', namespace: ns, ownerReferences: owned('Rollout', 'canary', 'ro-uid') } },
    { metadata: { name: 'gone-abc', namespace: ns, ownerReferences: owned('Deployment', 'gone', 'gone-uid') } },
  ];
  const deploymentObject = (d: number) => ({
    ...deployment,
    metadata: {
      ...deployment.metadata,
      name: depName(d),
      uid: `dep-${d}`,
      labels: d === 5 ? { 'kustomize.toolkit.fluxcd.io/name': 'ops' } : {},
    },
    // op-07 is rolling out: half its replicas updated.
    status: d === 7 ? { ...deployment.status, replicas: 2, updatedReplicas: 1 } : deployment.status,
  });

  it('lists 2,006 pods of 40 Deployments in pod pages plus one list of ReplicaSets and one of Deployments', async () => {
    const accepts: Record<string, string> = {};
    const api = await fakeApiServer((req, url) => {
      if (req.method !== 'GET') return undefined;
      if (url.pathname === `/api/v1/namespaces/${ns}/pods`) return listPage(url, 'PodList', pods);
      if (url.pathname === `/apis/apps/v1/namespaces/${ns}/replicasets`) {
        accepts['replicasets'] = req.headers.accept ?? '';
        return listPage(url, 'PartialObjectMetadataList', replicaSets);
      }
      if (url.pathname === `/apis/apps/v1/namespaces/${ns}/deployments`) {
        accepts['deployments'] = req.headers.accept ?? '';
        // Two more Deployments in the namespace than the pods name.
        return listPage(
          url,
          'DeploymentList',
          Array.from({ length: deployments + 2 }, (_, d) => deploymentObject(d)),
        );
      }
      if (url.pathname === `/apis/apps/v1/namespaces/${ns}/statefulsets/mon`)
        return {
          status: 200,
          body: {
            metadata: { name: 'mon', uid: 'mon-uid' },
            spec: { replicas: 3 },
            status: { readyReplicas: 3, updatedReplicas: 3 },
          },
        };
      return undefined;
    });
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    const found = await cluster.discoverTargets({ name: 'fleet', namespace: ns, selector: 'app=operator' });

    expect(api.unexpected).toEqual([]);
    if (found.outcome === 'failed') throw new Error(found.error.message);
    expect(api.requests).toEqual([
      ...Array(9).fill(`GET /api/v1/namespaces/${ns}/pods`),
      `GET /apis/apps/v1/namespaces/${ns}/replicasets`,
      `GET /apis/apps/v1/namespaces/${ns}/deployments`,
      `GET /apis/apps/v1/namespaces/${ns}/statefulsets/mon`,
    ]);
    // ReplicaSets are read for their owner alone; Deployments whole (their status says if they roll out).
    expect(accepts['replicasets']).toMatch(/^application\/json;as=PartialObjectMetadataList/);
    expect(accepts['deployments']).not.toMatch(/PartialObjectMetadata/);

    expect(found.targets).toHaveLength(2005);
    expect(found.warnings).toEqual([
      `pod ${ns}/gone-abc-0: owner Deployment gone: not-found: Deployment gone not found in ${ns}`,
    ]);
    const byPod = new Map(found.targets.map((t) => [t.pod.name, t]));
    expect(byPod.get('op-39-new-49')).toMatchObject({
      workload: { kind: 'Deployment', namespace: ns, name: 'op-39', uid: 'dep-39' },
      rollingOut: false,
      unreadyReplicas: 0,
      gitopsOwner: null,
    });
    expect(byPod.get('op-07-new-0')).toMatchObject({ workload: { name: 'op-07' }, rollingOut: true });
    expect(byPod.get('op-05-new-0')).toMatchObject({ workload: { name: 'op-05' }, gitopsOwner: 'flux' });
    expect(byPod.get('mon-2')).toMatchObject({ workload: { kind: 'StatefulSet', name: 'mon', uid: 'mon-uid' } });
    expect(byPod.get('canary-abc-1')).toMatchObject({
      workload: { kind: 'Pod', name: 'canary-abc-1' },
      foreignOwner: 'Rollout canary',
    });
  });

  it('reads each ReplicaSet by name when the Role does not allow listing them (a Role from an older chart)', async () => {
    const api = await fakeApiServer((req, url) => {
      if (req.method !== 'GET') return undefined;
      if (url.pathname === `/api/v1/namespaces/${ns}/pods`)
        return listPage(url, 'PodList', pods.slice(0, 3 * podsEach));
      if (url.pathname === `/apis/apps/v1/namespaces/${ns}/replicasets`)
        return {
          status: 403,
          body: { kind: 'Status', code: 403, reason: 'Forbidden', message: 'cannot list resource "replicasets"' },
        };
      const rs = /\/replicasets\/(op-\d\d-new)$/.exec(url.pathname)?.[1];
      if (rs) return { status: 200, body: replicaSets.find((r) => r.metadata.name === rs) };
      if (url.pathname === `/apis/apps/v1/namespaces/${ns}/deployments`)
        return listPage(
          url,
          'DeploymentList',
          Array.from({ length: 3 }, (_, d) => deploymentObject(d)),
        );
      return undefined;
    });
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    const found = await cluster.discoverTargets({ name: 'fleet', namespace: ns, selector: 'app=operator' });

    expect(api.unexpected).toEqual([]);
    if (found.outcome === 'failed') throw new Error(found.error.message);
    expect(found.warnings).toEqual([]);
    expect(found.targets).toHaveLength(150);
    expect(new Set(found.targets.map((t) => t.workload.name))).toEqual(new Set(['op-00', 'op-01', 'op-02']));
    expect(api.requests.sort()).toEqual([
      `GET /api/v1/namespaces/${ns}/pods`,
      `GET /apis/apps/v1/namespaces/${ns}/deployments`,
      `GET /apis/apps/v1/namespaces/${ns}/replicasets`,
      ...['op-00', 'op-01', 'op-02'].map((d) => `GET /apis/apps/v1/namespaces/${ns}/replicasets/${d}-new`),
    ]);
  });
});

describe('state reads', () => {
  it("reads 1,200 Deployments' state in one paged list of their metadata, one get for a kind with one workload", async () => {
    const state = (i: number) =>
      JSON.stringify({
        v: 1,
        incidentId: `inc-${i}`,
        incidentStart: 1,
        lastAction: null,
        lastActionId: null,
        lastActionAt: null,
        actionCount: 0,
        restartTimes: [],
        intent: null,
        workaroundAppliedAt: null,
      });
    const meta = (i: number) => ({
      name: `op-${i}`,
      namespace: ns,
      uid: `uid-${i}`,
      resourceVersion: String(100 + i),
      annotations: i % 2 === 0 ? { 'leakguard.io/state': state(i) } : {},
    });
    const accepts: string[] = [];
    const api = await fakeApiServer((req, url) => {
      if (req.method !== 'GET') return undefined;
      if (url.pathname === `/apis/apps/v1/namespaces/${ns}/deployments`) {
        accepts.push(req.headers.accept ?? '');
        const from = Number(url.searchParams.get('continue') ?? '0');
        const limit = Number(url.searchParams.get('limit'));
        // 1,300 Deployments in the namespace: 100 more than asked about.
        const items = Array.from({ length: Math.min(limit, 1300 - from) }, (_, k) => ({ metadata: meta(from + k) }));
        const next = from + items.length < 1300 ? String(from + items.length) : undefined;
        return {
          status: 200,
          body: {
            kind: 'PartialObjectMetadataList',
            apiVersion: 'meta.k8s.io/v1',
            metadata: next ? { continue: next } : {},
            items,
          },
        };
      }
      if (url.pathname === `/apis/apps/v1/namespaces/${ns}/statefulsets/mon`)
        return { status: 200, body: { metadata: { name: 'mon', uid: 'mon-uid', resourceVersion: '7' } } };
      return undefined;
    });
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    const refs = [
      ...Array.from({ length: 1200 }, (_, i) => ({
        kind: 'Deployment' as const,
        namespace: ns,
        name: `op-${i}`,
        uid: i === 3 ? 'an-older-uid' : `uid-${i}`,
      })),
      { kind: 'Deployment' as const, namespace: ns, name: 'gone', uid: 'gone-uid' },
      { kind: 'StatefulSet' as const, namespace: ns, name: 'mon', uid: 'mon-uid' },
    ];
    const reads = await cluster.readStates(refs);

    expect(api.unexpected).toEqual([]);
    expect(api.requests).toEqual([
      ...Array(3).fill(`GET /apis/apps/v1/namespaces/${ns}/deployments`),
      `GET /apis/apps/v1/namespaces/${ns}/statefulsets/mon`,
    ]);
    expect(accepts.every((a) => a.startsWith('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1'))).toBe(
      true,
    );
    expect(reads.size).toBe(1202);
    expect(reads.get(`Deployment/${ns}/op-0`)).toMatchObject({
      outcome: 'read',
      state: { incidentId: 'inc-0' },
      resourceVersion: '100',
      raw: state(0),
    });
    expect(reads.get(`Deployment/${ns}/op-1199`)).toMatchObject({
      outcome: 'read',
      state: { incidentId: null },
      raw: null,
    });
    expect(reads.get(`Deployment/${ns}/op-3`)).toMatchObject({
      outcome: 'failed',
      error: { code: 'not-found', message: 'Deployment op-3 was recreated (uid changed)' },
    });
    expect(reads.get(`Deployment/${ns}/gone`)).toMatchObject({ outcome: 'failed', error: { code: 'not-found' } });
    expect(reads.get(`StatefulSet/${ns}/mon`)).toMatchObject({ outcome: 'read', resourceVersion: '7', raw: null });
  });

  it('a list refused by RBAC fails the state of every workload it would have read, naming the missing right', async () => {
    const api = await fakeApiServer((req, url) =>
      req.method === 'GET' && url.pathname === `/apis/apps/v1/namespaces/${ns}/deployments`
        ? {
            status: 403,
            body: {
              kind: 'Status',
              code: 403,
              reason: 'Forbidden',
              message:
                'deployments.apps is forbidden: User "system:serviceaccount:leakguard:leakguard" cannot list resource "deployments"',
            },
          }
        : undefined,
    );
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    const reads = await cluster.readStates([
      { kind: 'Deployment', namespace: ns, name: 'a', uid: 'a' },
      { kind: 'Deployment', namespace: ns, name: 'b', uid: 'b' },
    ]);
    expect(api.requests).toHaveLength(1);
    for (const read of reads.values())
      expect(read).toMatchObject({
        outcome: 'failed',
        error: { code: 'forbidden', message: expect.stringContaining('cannot list resource "deployments"') },
      });
  });
});

describe('retries', () => {
  const deploymentPath = `/apis/apps/v1/namespaces/${ns}/deployments/rook-ceph-operator`;
  const ref = { kind: 'Deployment' as const, namespace: ns, name: 'rook-ceph-operator', uid: 'dep-uid' };

  it('honours Retry-After on 429 and succeeds on the next attempt', async () => {
    sleeps.length = 0;
    let calls = 0;
    const api = await fakeApiServer((req, url) => {
      if (req.method !== 'GET' || url.pathname !== deploymentPath) return undefined;
      calls++;
      if (calls === 1)
        return {
          status: 429,
          body: { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'too many requests' },
          headers: { 'Retry-After': '2' },
        };
      return { status: 200, body: deployment };
    });
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    const read = await cluster.readState(ref);
    expect(read.outcome).toBe('read');
    expect(sleeps).toEqual([2000]);
    expect(calls).toBe(2);
  });

  it('gives up on 5xx after the bounded number of attempts, with backoff between them', async () => {
    sleeps.length = 0;
    const api = await fakeApiServer((req, url) =>
      req.method === 'GET' && url.pathname === deploymentPath
        ? {
            status: 503,
            body: { kind: 'Status', code: 503, reason: 'ServiceUnavailable', message: 'etcd leader changed' },
          }
        : undefined,
    );
    const cluster = createKubeCluster({
      kubeConfig: api.kubeConfig,
      logger,
      identity: 'test',
      clock: fakeClock,
      retry: { maxAttempts: 3 },
    });
    const read = await cluster.readState(ref);
    expect(read).toMatchObject({
      outcome: 'failed',
      error: { code: 'server', status: 503, attempts: 3, message: 'etcd leader changed' },
    });
    expect(api.requests).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('does not wait past the deadline for a long Retry-After', async () => {
    sleeps.length = 0;
    const api = await fakeApiServer((req, url) =>
      req.method === 'GET' && url.pathname === deploymentPath
        ? {
            status: 429,
            body: { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' },
            headers: { 'Retry-After': '600' },
          }
        : undefined,
    );
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    const read = await cluster.readState(ref);
    expect(read).toMatchObject({
      outcome: 'failed',
      error: { code: 'rate-limited', retryAfterSeconds: 600, attempts: 1 },
    });
    expect(sleeps).toEqual([]);
  });

  it('stops at once on 403 and reports it without the token', async () => {
    sleeps.length = 0;
    const api = await fakeApiServer((req, url) =>
      req.method === 'GET' && url.pathname === deploymentPath
        ? {
            status: 403,
            body: {
              kind: 'Status',
              code: 403,
              reason: 'Forbidden',
              message:
                'deployments.apps "rook-ceph-operator" is forbidden: User "system:serviceaccount:leakguard:leakguard" cannot get resource "deployments"',
            },
          }
        : undefined,
    );
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    const result = await cluster.restartWorkload(ref, 'action-1');
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'forbidden', attempts: 1 } });
    expect(api.requests).toHaveLength(1);
    expect(JSON.stringify(result)).not.toContain('canary-token');
  });

  it('turns an eviction refused by a PodDisruptionBudget into "blocked" without retrying or deleting', async () => {
    sleeps.length = 0;
    const podPath = `/api/v1/namespaces/${ns}/pods/rook-ceph-operator-abc-0000`;
    const api = await fakeApiServer((req, url) => {
      if (req.method === 'GET' && url.pathname === podPath) return { status: 200, body: pod(0) };
      if (req.method === 'POST' && url.pathname === `${podPath}/eviction`) {
        return {
          status: 429,
          body: {
            kind: 'Status',
            code: 429,
            reason: 'TooManyRequests',
            message: "Cannot evict pod as it would violate the pod's disruption budget.",
            details: {
              causes: [
                {
                  reason: 'DisruptionBudget',
                  message: 'The disruption budget op needs 1 healthy pods and has 1 currently',
                },
              ],
            },
          },
        };
      }
      return undefined;
    });
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    const result = await cluster.evictPod(
      { namespace: ns, name: 'rook-ceph-operator-abc-0000', uid: 'pod-0' },
      'action-1',
    );
    expect(result).toEqual({
      outcome: 'blocked',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
    });
    expect(api.requests).toEqual([`GET ${podPath}`, `POST ${podPath}/eviction`]);
    expect(api.unexpected).toEqual([]);
  });

  it('re-reads after a 409 on restart and finds a twin run already did this action', async () => {
    let reads = 0;
    const withRestart = (id: string) => ({
      ...deployment,
      metadata: { ...deployment.metadata, resourceVersion: '11' },
      spec: {
        ...deployment.spec,
        template: { ...deployment.spec.template, metadata: { annotations: { 'leakguard.io/restart-id': id } } },
      },
    });
    const api = await fakeApiServer((req, url) => {
      if (url.pathname !== deploymentPath) return undefined;
      if (req.method === 'GET') return { status: 200, body: reads++ === 0 ? deployment : withRestart('action-7') };
      if (req.method === 'PATCH')
        return {
          status: 409,
          body: {
            kind: 'Status',
            code: 409,
            reason: 'Conflict',
            message: 'the object has been modified; please apply your changes to the latest version and try again',
          },
        };
      return undefined;
    });
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    expect(await cluster.restartWorkload(ref, 'action-7')).toEqual({ outcome: 'already-done' });
    expect(api.requests).toEqual([`GET ${deploymentPath}`, `PATCH ${deploymentPath}`, `GET ${deploymentPath}`]);
  });

  it('gives up on a restart that keeps conflicting, after a bounded number of tries', async () => {
    const api = await fakeApiServer((req, url) => {
      if (url.pathname !== deploymentPath) return undefined;
      if (req.method === 'GET') return { status: 200, body: deployment };
      if (req.method === 'PATCH')
        return {
          status: 409,
          body: { kind: 'Status', code: 409, reason: 'Conflict', message: 'the object has been modified' },
        };
      return undefined;
    });
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'test', clock: fakeClock });
    sleeps.length = 0;
    expect(await cluster.restartWorkload(ref, 'action-8')).toMatchObject({
      outcome: 'failed',
      error: { code: 'conflict', message: 'restart of rook-ceph-operator kept conflicting after 5 retries' },
    });
    expect(api.requests.filter((r) => r.startsWith('PATCH'))).toHaveLength(6);
    // Backing off between tries lets a controller rewriting the status settle; 1.55 s in all.
    expect(sleeps).toEqual([50, 100, 200, 400, 800]);
  });
});

describe("the run lock with the API server's clock an hour off ours (row 24)", () => {
  const leasePath = '/apis/coordination.k8s.io/v1/namespaces/leakguard/leases/leakguard';
  const request = { namespace: 'leakguard', name: 'leakguard', identity: 'run-b', durationSeconds: 300 };

  /** An API server whose clock is `skewMs` off ours, holding a Lease renewed `renewedAgoS` ago by its own clock. */
  async function skewedLease(skewMs: number, renewedAgoS: number) {
    const serverNow = () => Date.now() + skewMs;
    const renewTime = new Date(serverNow() - renewedAgoS * 1000).toISOString().replace('Z', '000Z');
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'leakguard', namespace: 'leakguard', resourceVersion: '7' },
      spec: {
        holderIdentity: 'run-a',
        leaseDurationSeconds: 300,
        acquireTime: renewTime,
        renewTime,
        leaseTransitions: 0,
      },
    };
    const writes: { renewTime: string; holderIdentity: string }[] = [];
    const api = await fakeApiServer((req, url) => {
      if (url.pathname !== leasePath) return undefined;
      const headers = { date: new Date(serverNow()).toUTCString() };
      if (req.method === 'GET') return { status: 200, body: lease, headers };
      if (req.method === 'PUT') return { status: 200, body: lease, headers };
      return undefined;
    });
    // The handler answers without reading bodies; this listener records what each PUT wrote.
    server!.prependListener('request', (req: IncomingMessage) => {
      if (req.method !== 'PUT') return;
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () =>
        writes.push((JSON.parse(text) as { spec: { renewTime: string; holderIdentity: string } }).spec),
      );
    });
    const cluster = createKubeCluster({ kubeConfig: api.kubeConfig, logger, identity: 'run-b', clock: fakeClock });
    return { api, cluster, writes, serverNow };
  }

  it("a lease renewed 30 s ago by the server's clock is live, though our clock (an hour ahead) says it ended long ago", async () => {
    const { api, cluster, writes } = await skewedLease(-3_600_000, 30);
    const result = await cluster.acquireLease(request);
    expect(result).toMatchObject({ outcome: 'held', holder: 'run-a' });
    // 300 s term + 30 s allowance − 30 s gone, give or take the Date header's one-second resolution.
    const remaining = Number(/^held by run-a for another (\d+)s$/.exec(result.reason)?.[1]);
    expect(remaining).toBeGreaterThanOrEqual(298);
    expect(remaining).toBeLessThanOrEqual(302);
    expect(writes).toEqual([]);
    expect(api.unexpected).toEqual([]);
  });

  it("a lease that ran out 5 min ago by the server's clock is taken over, though our clock (an hour behind) says it is young; the new term is stamped in server time", async () => {
    const { api, cluster, writes, serverNow } = await skewedLease(3_600_000, 600);
    const result = await cluster.acquireLease(request);
    expect(result).toMatchObject({
      outcome: 'acquired',
      holder: 'run-b',
      reason: 'taken over: lease of run-a expired',
    });
    expect(writes).toHaveLength(1);
    expect(writes[0]!.holderIdentity).toBe('run-b');
    expect(Math.abs(Date.parse(writes[0]!.renewTime) - serverNow())).toBeLessThan(5_000);
    expect(api.unexpected).toEqual([]);
  });
});
