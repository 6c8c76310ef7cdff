/**
 * SPEC §11 at the level of a whole run: canary credentials for Prometheus, Slack and GitHub go through
 * their error paths (servers that echo them back), and nothing a user can see — logs, Events, the run
 * summary — contains them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { createLogger } from '../../src/cli/logger.js';
import { parseConfig } from '../../src/config/load.js';
import { createSlackNotifier } from '../../src/notify/slack.js';
import { PrometheusSource } from '../../src/prom/prometheus.js';
import { runOnce } from '../../src/run/index.js';
import { createUpgradeRung } from '../../src/cli/wiring.js';
import { TestCluster } from '../support/test-cluster.js';
import { rookOperatorTarget } from '../support/policy-fixtures.js';

const PROM_TOKEN = 'CANARY-prom-bearer-7f3a9c1e';
const PROM_TENANT = 'CANARY-tenant-41bd';
const GITHUB_TOKEN = 'CANARY-github-token-0c2e8d';
const WEBHOOK_SECRET = 'CANARYwebhook5e1f';
const canaries = [PROM_TOKEN, PROM_TENANT, GITHUB_TOKEN, WEBHOOK_SECRET];
const MiB = 2 ** 20;

/** Answers every request with its own headers and URL echoed back: the worst case for leaks. */
function echoServer(handler: (req: IncomingMessage, res: ServerResponse, echo: string) => void): Promise<Server> {
  const server = createServer((req, res) => handler(req, res, JSON.stringify({ url: req.url, headers: req.headers })));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const port = (s: Server) => (s.address() as AddressInfo).port;

let prometheusUp = false;
const servers: Server[] = [];
let dir = '';

function leakingMatrix(now: number): unknown {
  const values: [number, string][] = [];
  for (let t = now - 86_400; t <= now; t += 300)
    values.push([t, String(400 * MiB + ((t - now + 86_400) / 3600) * 40 * MiB)]);
  return {
    status: 'success',
    data: {
      resultType: 'matrix',
      result: [
        { metric: { namespace: 'rook-ceph', pod: 'rook-ceph-operator-abc', container: 'rook-ceph-operator' }, values },
      ],
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leakguard-canary-'));
  const now = Math.floor(Date.now() / 1000);
  const prometheus = await echoServer((req, res, echo) => {
    if (!prometheusUp || req.headers.authorization !== `Bearer ${PROM_TOKEN}`) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'error', errorType: 'unauthorized', error: `denied ${echo}` }));
      return;
    }
    const body = req.url?.includes('query_range')
      ? leakingMatrix(now)
      : { status: 'success', data: { resultType: 'scalar', result: [now, String(now)] } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  const github = await echoServer((_req, res, echo) =>
    res
      .writeHead(401, { 'content-type': 'application/json' })
      .end(JSON.stringify({ message: `Bad credentials ${echo}` })),
  );
  const slack = await echoServer((_req, res, echo) =>
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`oops ${echo}`),
  );
  servers.push(prometheus, github, slack);
  writeFileSync(join(dir, 'prom-token'), `${PROM_TOKEN}\n`);
  writeFileSync(join(dir, 'github-token'), GITHUB_TOKEN);
  writeFileSync(join(dir, 'webhook'), `http://127.0.0.1:${port(slack)}/services/T0/B0/${WEBHOOK_SECRET}`);
  writeFileSync(
    join(dir, 'config.yaml'),
    `dryRun: false
controller: none
prometheus: {url: "http://127.0.0.1:${port(prometheus)}/prom", bearerTokenFile: ${join(dir, 'prom-token')}, headers: {X-Scope-OrgID: ${PROM_TENANT}}, timeout: 5s}
profiles:
  - name: rook
    namespace: rook-ceph
    selector: app=rook-ceph-operator
    container: rook-ceph-operator
    ladder: [upgrade-pr]
    upgrade: {repo: acme/gitops, file: rook/helmrelease.yaml}
github: {tokenFile: ${join(dir, 'github-token')}, apiUrl: "http://127.0.0.1:${port(github)}"}
notifications:
  slack: {webhookUrlFile: ${join(dir, 'webhook')}}
  metricsFailuresBeforeAlert: 1
`,
  );
});

afterAll(() => servers.forEach((s) => s.close()));

async function runWithCapture() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  const logger = createLogger('trace', sink);
  const config = parseConfig(readFileSync(join(dir, 'config.yaml'), 'utf8'));
  const cluster = new TestCluster([rookOperatorTarget()]);
  const summary = await runOnce({
    config,
    cluster,
    metrics: new PrometheusSource({
      url: config.prometheus.url,
      version: 'test',
      headers: config.prometheus.headers,
      bearerTokenFile: config.prometheus.bearerTokenFile!,
      timeoutSeconds: 5,
    }),
    catalog: buildCatalog(),
    logger,
    identity: { identity: 'canary-run', namespace: 'leakguard' },
    upgrade: createUpgradeRung(config, logger).execute,
    notifier: await createSlackNotifier(config.notifications.slack!, { logger, sleep: async () => {} }),
  });
  return {
    everything: [...lines, JSON.stringify(summary), JSON.stringify(cluster.events)].join('\n'),
    summary,
    cluster,
  };
}

describe('canary secrets never reach logs, Events or the run summary', () => {
  it('Prometheus refusing the token (and echoing it back)', async () => {
    prometheusUp = false;
    const { everything, summary, cluster } = await runWithCapture();
    expect(summary.failures.join('\n')).toMatch(/unauthori[sz]ed|401/i);
    expect(cluster.reasons()).toContain('MetricsUnavailable');
    expect(everything).toMatch(/Slack/); // the outage alert (threshold 1) went through the failing webhook too
    for (const canary of canaries) expect(everything).not.toContain(canary);
  });

  it('GitHub refusing the token and Slack failing, both echoing their secrets', async () => {
    prometheusUp = true;
    const { everything, summary, cluster } = await runWithCapture();
    expect(summary.targets[0]!.verdict.kind).toBe('leaking');
    expect(summary.actions).toEqual([expect.objectContaining({ kind: 'upgrade-pr', outcome: 'failed' })]);
    expect(cluster.reasons()).toContain('RemediationFailed');
    expect(summary.warnings.join('\n')).toMatch(/Slack/);
    for (const canary of canaries) expect(everything).not.toContain(canary);
  });
});
