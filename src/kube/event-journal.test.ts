/**
 * How often a run writes Events, at the HTTP boundary: a local server that keeps Events as the API
 * server does (create, 409 AlreadyExists, merge patch, list by reportingController) and rejects any
 * other request. The same rule against the real kube-apiserver: test/e2e/kube.e2e.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeCluster } from './cluster.js';
import { eventName, eventRefreshMs, eventWrite } from './events.js';
import type { EventInput } from './types.js';

interface StoredEvent {
  metadata: { name: string; namespace: string; resourceVersion: string };
  reportingController: string;
  eventTime: string;
  series?: { count: number; lastObservedTime: string };
  [field: string]: unknown;
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Events by namespace/name; `listable: false` answers lists with 403, as a Role without `list` would. */
async function fakeEventsApi(options: { listable?: boolean } = {}) {
  const stored = new Map<string, StoredEvent>();
  const requests: string[] = [];
  let version = 100;
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(`${req.method} ${url.pathname.replace('/apis/events.k8s.io/v1/namespaces/', '')}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const status = (code: number, reason: string) => send(code, { kind: 'Status', code, reason, message: reason });
      const match = /^\/apis\/events\.k8s\.io\/v1\/namespaces\/([^/]+)\/events(?:\/([^/]+))?$/.exec(url.pathname);
      if (!match) return status(418, 'unexpected request');
      const [, namespace, name] = match;
      const key = `${namespace}/${name}`;
      if (req.method === 'GET' && !name) {
        if (options.listable === false) return status(403, 'Forbidden');
        if (url.searchParams.get('fieldSelector') !== 'reportingController=leakguard') return status(418, 'selector');
        const items = [...stored.values()].filter((e) => e.metadata.namespace === namespace);
        return send(200, { apiVersion: 'events.k8s.io/v1', kind: 'EventList', metadata: {}, items });
      }
      if (req.method === 'POST' && !name) {
        const event = JSON.parse(text) as StoredEvent;
        const at = `${namespace}/${event.metadata.name}`;
        if (stored.has(at)) return status(409, 'AlreadyExists');
        event.metadata.resourceVersion = String(++version);
        stored.set(at, event);
        return send(201, event);
      }
      const existing = stored.get(key);
      if (!existing) return status(404, 'NotFound');
      if (req.method === 'GET') return send(200, existing);
      if (req.method === 'PATCH') {
        const patch = JSON.parse(text) as { metadata?: { resourceVersion?: string }; series?: StoredEvent['series'] };
        const expected = patch.metadata?.resourceVersion;
        if (expected && expected !== existing.metadata.resourceVersion) return status(409, 'Conflict');
        Object.assign(existing, { series: patch.series });
        existing.metadata.resourceVersion = String(++version);
        return send(200, existing);
      }
      return status(418, 'unexpected request');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      { name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
    ],
    users: [{ name: 'u', token: 'unused' }],
    contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
    currentContext: 'c',
  });
  /** A new run: its own cluster adapter, as each CronJob run builds one. */
  const newRun = () => createKubeCluster({ kubeConfig, logger: pino({ level: 'silent' }), identity: 'run' });
  return { stored, requests, newRun };
}

const decision = (namespace: string, name: string, reason = 'LeakSuspected'): EventInput => ({
  regarding: { kind: 'Deployment', namespace, name, uid: `${name}-uid` },
  reason,
  action: 'Detect',
  note: `${name}: working set grows 24 MiB/h [dry-run]`,
  type: 'Warning',
  key: `leak-suspected:inc-${name}`,
});

describe('eventWrite', () => {
  const seen = (ageMs: number) => ({ count: 1, lastWriteMs: 1_000_000_000 - ageMs, resourceVersion: '1' });
  it.each([
    ['no Event yet', undefined, false, 'create'],
    ['a repeat of a fresh Event', seen(60_000), false, 'none'],
    ['a repeat of an Event 30 minutes old', seen(eventRefreshMs), false, 'count'],
    ['a repeat that counts every time (an action carried out)', seen(60_000), true, 'count'],
  ] as const)('%s: %s', (_, known, countRepeats, write) => {
    expect(eventWrite(known, countRepeats, 1_000_000_000)).toBe(write);
  });
});

describe('Events over runs', () => {
  it("a run repeating the last run's decisions writes no Event: one list per namespace, nothing else", async () => {
    const api = await fakeEventsApi();
    const decisions = [decision('a', 'op-1'), decision('a', 'op-2'), decision('a', 'op-2', 'RemediationPlanned')];
    const first = api.newRun();
    for (const d of [...decisions, decision('b', 'op-3')])
      expect(await first.recordEvent(d)).toMatchObject({ outcome: 'created' });
    expect(api.requests).toEqual([
      'GET a/events',
      'POST a/events',
      'POST a/events',
      'POST a/events',
      'GET b/events',
      'POST b/events',
    ]);

    api.requests.length = 0;
    const second = api.newRun();
    for (const d of [...decisions, decision('b', 'op-3')]) expect((await second.recordEvent(d)).outcome).toBe('exists');
    expect(api.requests).toEqual(['GET a/events', 'GET b/events']);
    expect([...api.stored.values()].every((e) => e.series === undefined)).toBe(true);
  });

  it('a decision that changed is a new Event beside the old one', async () => {
    const api = await fakeEventsApi();
    await api.newRun().recordEvent(decision('a', 'op-1'));
    api.requests.length = 0;
    const changed = { ...decision('a', 'op-1', 'LeakConfirmed'), key: 'leak-confirmed:inc-op-1' };
    expect((await api.newRun().recordEvent(changed)).outcome).toBe('created');
    expect(api.requests).toEqual(['GET a/events', 'POST a/events']);
    expect(api.stored.size).toBe(2);
  });

  it('a repeat whose Event is 30 minutes old is counted into its series, renewing it before it expires', async () => {
    const api = await fakeEventsApi();
    const input = decision('a', 'op-1');
    await api.newRun().recordEvent(input);
    const event = api.stored.get(`a/${eventName(input)}`)!;
    event.eventTime = new Date(Date.now() - eventRefreshMs - 60_000).toISOString();
    api.requests.length = 0;

    expect(await api.newRun().recordEvent(input)).toMatchObject({ outcome: 'counted', count: 2 });
    expect(api.requests).toEqual(['GET a/events', `PATCH a/events/${eventName(input)}`]);
    expect(Date.now() - Date.parse(event.series!.lastObservedTime)).toBeLessThan(60_000);
    // Counted, it is fresh again: the next run leaves it alone.
    api.requests.length = 0;
    expect((await api.newRun().recordEvent(input)).outcome).toBe('exists');
    expect(api.requests).toEqual(['GET a/events']);
  });

  it('an action carried out again under its ID counts up its Event every time, from the list (no read)', async () => {
    const api = await fakeEventsApi();
    const done = { ...decision('a', 'op-1', 'PodRestarted'), key: 'done:restart-1', countRepeats: true };
    await api.newRun().recordEvent(done);
    api.requests.length = 0;
    const run = api.newRun();
    expect(await run.recordEvent(done)).toMatchObject({ outcome: 'counted', count: 2 });
    expect(await run.recordEvent(done)).toMatchObject({ outcome: 'counted', count: 3 });
    expect(api.requests).toEqual(['GET a/events', ...Array(2).fill(`PATCH a/events/${eventName(done)}`)]);
  });

  it('an Event changed since the list is re-read before it is counted; one expired since is created again', async () => {
    const api = await fakeEventsApi();
    const done = { ...decision('a', 'op-1', 'PodRestarted'), key: 'done:restart-1', countRepeats: true };
    const gone = { ...decision('a', 'op-2', 'PodRestarted'), key: 'done:restart-2', countRepeats: true };
    await api.newRun().recordEvent(done);
    await api.newRun().recordEvent(gone);
    const run = api.newRun();
    await run.recordEvent(decision('a', 'op-9')); // the run lists the namespace here
    api.stored.get(`a/${eventName(done)}`)!.metadata.resourceVersion = '999';
    api.stored.delete(`a/${eventName(gone)}`);
    api.requests.length = 0;

    expect(await run.recordEvent(done)).toMatchObject({ outcome: 'counted', count: 2 });
    expect(await run.recordEvent(gone)).toMatchObject({ outcome: 'created' });
    expect(api.requests).toEqual([
      `PATCH a/events/${eventName(done)}`,
      `GET a/events/${eventName(done)}`,
      `PATCH a/events/${eventName(done)}`,
      `PATCH a/events/${eventName(gone)}`,
      'POST a/events',
    ]);
  });

  it('without the right to list Events, every Event is created and a conflict means it exists (an older Role)', async () => {
    const api = await fakeEventsApi({ listable: false });
    const input = decision('a', 'op-1');
    expect((await api.newRun().recordEvent(input)).outcome).toBe('created');
    const run = api.newRun();
    expect((await run.recordEvent(input)).outcome).toBe('exists');
    expect((await run.recordEvent(decision('a', 'op-2'))).outcome).toBe('created');
    expect(api.requests).toEqual(['GET a/events', 'POST a/events', 'GET a/events', 'POST a/events', 'POST a/events']);
  });
});
