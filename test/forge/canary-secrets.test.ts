/**
 * Canary secrets through every error path of forge and notify: whatever is logged, returned, thrown
 * or sent must not contain them, except the Authorization header (token) and the webhook URL itself.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGitHubForge } from '../../src/forge/github.js';
import type { UpgradePrRequest } from '../../src/forge/types.js';
import { buildIncidentMessage } from '../../src/report/slack-message.js';
import { createSlackNotifier } from '../../src/notify/slack.js';
import { FakeSlack } from '../notify/fake-slack.js';
import { FakeGitHub, type InjectedFault } from './fake-github.js';
import { captureLogger, closedPort, rookUpgradeRequest, secretFile } from './helpers.js';

const GITHUB_TOKEN = 'ghp_CANARYgithubTOKEN0123456789abcdefXYZ';
const BOT_TOKEN = 'xoxb-CANARY-bot-token-0123456789-abcdef';
const WEBHOOK_PATH = '/services/T0CANARY/B0CANARY/CANARYwebhookSECRET0123456789';
const { privateKey: APP_KEY } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
/** Every 64-character line of the key body is a canary on its own. */
const KEY_LINES = APP_KEY.split('\n').filter((l) => l.length >= 32 && !l.startsWith('-----'));
const BROKEN_KEY = 'CANARY-broken-private-key-material-0123456789';
const CHART_PASSWORD = 'CANARY-chart-repo-password-5d2a';
const CHART_BASIC = Buffer.from(`robot:${CHART_PASSWORD}`).toString('base64');
const CHART_TOKEN = 'CANARY-chart-repo-token-9e0f';

const FILE = 'rook/helmrelease.yaml';
const HELMRELEASE =
  'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: rook}\nspec:\n  chart:\n    spec:\n      chart: rook-ceph\n      version: v1.14.9\n';
const req = (over: Partial<UpgradePrRequest> = {}): UpgradePrRequest =>
  rookUpgradeRequest(FILE, { title: 't', body: 'b', ...over });

const outputs: string[] = [];
const log = captureLogger();
const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
  vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
    outputs.push(
      args
        .map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a)))
        .join(' '),
    );
  }),
);

function record(value: unknown): void {
  outputs.push(JSON.stringify(value), String((value as { error?: { message?: string } })?.error?.message ?? ''));
}

function canariesIn(text: string, allowWebhook: boolean): string[] {
  const found: string[] = [];
  if (text.includes(GITHUB_TOKEN)) found.push('github token');
  if (text.includes(BOT_TOKEN)) found.push('bot token');
  if (text.includes(BROKEN_KEY)) found.push('broken key');
  if (KEY_LINES.some((l) => text.includes(l))) found.push('app private key');
  if (!allowWebhook && text.includes('CANARYwebhookSECRET')) found.push('webhook url');
  if (text.includes(CHART_PASSWORD) || text.includes(CHART_BASIC)) found.push('chart repository password');
  if (text.includes(CHART_TOKEN)) found.push('chart repository token');
  return found;
}

describe('canary secrets never leak', () => {
  let gh: FakeGitHub;
  let slack: FakeSlack;

  beforeAll(async () => {
    gh = await new FakeGitHub('acme', 'gitops').start();
    gh.acceptedToken = GITHUB_TOKEN;
    slack = await new FakeSlack(WEBHOOK_PATH, BOT_TOKEN).start();
  });
  afterAll(async () => {
    await gh.stop();
    await slack.stop();
    consoleSpies.forEach((s) => s.mockRestore());
  });

  const tokenForge = (apiUrl = gh.url) =>
    createGitHubForge({
      auth: { tokenFile: secretFile('token', GITHUB_TOKEN) },
      apiUrl,
      logger: log.logger,
      retryBaseMs: 1,
      timeoutMs: 2000,
    });
  const echo = (status: number, headers: Record<string, string> = {}): Omit<InjectedFault, 'operation'> => ({
    status,
    headers,
    // A hostile or buggy server echoing the credentials back.
    body: { message: `denied for token ${GITHUB_TOKEN}` },
  });

  it('forge: token auth error paths', async () => {
    gh.seedBranch('main', { [FILE]: HELMRELEASE });
    const forge = await tokenForge();
    const faults: InjectedFault[] = [
      { operation: 'pulls/list', ...echo(401) },
      { operation: 'pulls/list', ...echo(403) },
      { operation: 'pulls/list', ...echo(404) },
      { operation: 'pulls/list', ...echo(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '9999999999' }) },
      {
        operation: 'pulls/list',
        ...echo(403, { 'retry-after': '60' }),
        body: { message: `secondary rate limit ${GITHUB_TOKEN}` },
      },
      { operation: 'pulls/list', ...echo(429, { 'retry-after': '60' }) },
      { operation: 'pulls/list', ...echo(500), times: 3 },
      { operation: 'pulls/list', status: 200, body: { unexpected: GITHUB_TOKEN } },
      { operation: 'git/create-ref', ...echo(422) },
      { operation: 'repos/create-or-update-file-contents', ...echo(409) },
      { operation: 'pulls/create', ...echo(422) },
    ];
    for (const fault of faults) {
      gh.inject(fault);
      const result = await forge.ensureUpgradePullRequest(req());
      expect(result.outcome, JSON.stringify(fault)).not.toMatch(/opened|updated/);
      record(result);
      gh.branches.delete('leakguard/rook-ceph-operator-1.15.9');
    }
    record(await forge.ensureUpgradePullRequest(req({ fromVersion: '9.9.9' })));
    record(await forge.ensureUpgradePullRequest(req({ repo: 'not a repo' })));
    record(await (await tokenForge(`http://127.0.0.1:${await closedPort()}`)).ensureUpgradePullRequest(req()));
    const wrong = await createGitHubForge({
      auth: { tokenFile: secretFile('t', `${GITHUB_TOKEN}-wrong`) },
      apiUrl: gh.url,
      logger: log.logger,
    });
    record(await wrong.ensureUpgradePullRequest(req()));
  });

  it('forge: GitHub App error paths', async () => {
    const app = (key: string) =>
      createGitHubForge({
        auth: { app: { appId: 1, installationId: 2, privateKeyFile: secretFile('key.pem', key) } },
        apiUrl: gh.url,
        logger: log.logger,
        retryBaseMs: 1,
      });
    // The token endpoint echoes the key back in its error.
    gh.appTokenMessage = `bad key ${KEY_LINES.slice(1, 3).join('\n')}`;
    gh.appTokenStatus = 401;
    record(await (await app(APP_KEY)).ensureUpgradePullRequest(req()));
    gh.appTokenStatus = 500;
    record(await (await app(APP_KEY)).ensureUpgradePullRequest(req()));
    gh.appTokenStatus = null;
    const broken = await app(BROKEN_KEY).catch((e: unknown) => e);
    expect(String(broken)).toMatch(/key\.pem does not hold a PEM private key/);
    record({ error: { message: String(broken) } });
  });

  it('notify: webhook and bot error paths', async () => {
    const webhook = await createSlackNotifier(
      { webhookUrlFile: secretFile('url', `${slack.url}${WEBHOOK_PATH}`) },
      { logger: log.logger, sleep: async () => undefined, timeoutMs: 300 },
    );
    const bot = await createSlackNotifier(
      { botTokenFile: secretFile('tok', BOT_TOKEN), channel: 'C1', apiUrl: `${slack.url}/api/` },
      { logger: log.logger, sleep: async () => undefined, timeoutMs: 300 },
    );
    const wrongBot = await createSlackNotifier(
      { botTokenFile: secretFile('tok', `${BOT_TOKEN}-x`), channel: 'C1', apiUrl: `${slack.url}/api/` },
      { logger: log.logger },
    );
    const port = await closedPort();
    const closedWebhook = await createSlackNotifier(
      { webhookUrlFile: secretFile('url', `http://127.0.0.1:${port}${WEBHOOK_PATH}`) },
      { logger: log.logger },
    );
    const closedBot = await createSlackNotifier(
      { botTokenFile: secretFile('tok', BOT_TOKEN), channel: 'C1', apiUrl: `http://127.0.0.1:${port}/api/` },
      { logger: log.logger },
    );
    const message = buildIncidentMessage({
      phase: 'leaking',
      severity: 'warning',
      profile: 'p',
      target: { namespace: 'n', kind: 'Deployment', name: 'd', container: 'c' },
      version: '1.14.9',
      verdict: { slope: null, hoursToLimit: null, currentBytes: null, reasons: [] },
      limitBytes: null,
    });
    const answers = [
      { status: 429, headers: { 'retry-after': '600' }, body: `rate_limited ${WEBHOOK_PATH} ${BOT_TOKEN}` },
      { status: 500, body: `error ${WEBHOOK_PATH}` },
      { status: 404, body: 'no_service' },
      { status: 400, body: `invalid_payload ${BOT_TOKEN}` },
      { status: 200, body: 'ok', delayMs: 1000 },
    ];
    for (const n of [webhook, bot]) {
      for (const a of answers) {
        slack.answer(a, a);
        record(await n.notify(message, { threadTs: '1.2' }));
        slack.answer(); // drop leftovers
      }
    }
    record(await wrongBot.notify(message));
    record(await closedWebhook.notify(message));
    record(await closedBot.notify(message));
    // Platform errors with an echoed token.
    slack.answer({ status: 200, body: { ok: false, error: `invalid_auth ${BOT_TOKEN}` } });
    record(await bot.notify(message));
  });

  it('forge: chart repository credentials, refused and accepted, by a repository that echoes them', async () => {
    const chartAuth: (string | undefined)[] = [];
    const index =
      'apiVersion: v1\nentries:\n  argo-cd:\n    - {version: 7.7.8, appVersion: v2.13.1}\n    - {version: 7.7.10, appVersion: v2.13.2}\n';
    const charts: Server = createServer((r, res) => {
      chartAuth.push(r.headers.authorization);
      const ok =
        r.headers.authorization === `Basic ${CHART_BASIC}` || r.headers.authorization === `Bearer ${CHART_TOKEN}`;
      if (!ok) return void res.writeHead(401).end(`denied ${r.headers.authorization ?? ''} at ${r.url ?? ''}`);
      res.end(index);
    });
    await new Promise<void>((resolve) => charts.listen(0, '127.0.0.1', resolve));
    const repoUrl = `http://127.0.0.1:${(charts.address() as AddressInfo).port}/argo`;
    const file = 'argocd/app.yaml';
    gh.seedBranch('main', {
      [file]: `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: argocd\nspec:\n  source:\n    repoURL: ${repoUrl}\n    chart: argo-cd\n    targetRevision: 7.7.8\n`,
    });
    const argo = req({ file, fromVersion: '2.13.1', toVersion: '2.13.2', chart: 'argo-cd', profile: 'argocd' });
    const forgeWith = (chartRepositories: Parameters<typeof createGitHubForge>[0]['chartRepositories']) =>
      createGitHubForge({
        auth: { tokenFile: secretFile('token', GITHUB_TOKEN) },
        apiUrl: gh.url,
        logger: log.logger,
        retryBaseMs: 1,
        chartRepositories,
      });
    try {
      const wrong = await (
        await forgeWith([
          { url: repoUrl, basicAuth: { username: 'robot', passwordFile: secretFile('pw', `${CHART_PASSWORD}-x`) } },
        ])
      ).ensureUpgradePullRequest(argo);
      expect(wrong).toMatchObject({ outcome: 'failed', error: { code: 'not-bumped' } });
      expect(JSON.stringify(wrong)).toMatch(
        /credentials configured for http:\/\/127\.0\.0\.1:\d+\/argo \(chartRepositories\) were refused/,
      );
      record(wrong);
      const wrongToken = await (
        await forgeWith([{ url: repoUrl, bearerTokenFile: secretFile('t', `${CHART_TOKEN}-x\n`) }])
      ).ensureUpgradePullRequest(argo);
      record(wrongToken);
      const opened = await (
        await forgeWith([
          { url: repoUrl, basicAuth: { username: 'robot', passwordFile: secretFile('pw', `${CHART_PASSWORD}\n`) } },
        ])
      ).ensureUpgradePullRequest(argo);
      expect(opened).toMatchObject({ outcome: 'opened' });
      record(opened);
      expect(gh.fileAt('leakguard/argocd-2.13.2', file)).toContain('targetRevision: 7.7.10');
      // The secrets did reach the repository they are for.
      expect(chartAuth).toContain(`Basic ${CHART_BASIC}`);
    } finally {
      charts.closeAllConnections();
      await new Promise<void>((resolve) => charts.close(() => resolve()));
    }
  });

  it('nothing logged, returned or sent carries a canary', () => {
    const logged = log.text();
    expect(logged.length).toBeGreaterThan(1000); // the error paths above did log
    expect(canariesIn(logged, false)).toEqual([]);
    expect(canariesIn(outputs.join('\n'), false)).toEqual([]);
    for (const r of gh.requests) {
      const { authorization: _auth, ...headers } = r.headers;
      expect(canariesIn(`${r.path} ${r.rawBody} ${JSON.stringify(headers)}`, false)).toEqual([]);
    }
    for (const r of slack.requests) {
      const { authorization: _auth, ...headers } = r.headers;
      expect(canariesIn(`${r.rawBody} ${JSON.stringify(headers)}`, false)).toEqual([]);
      expect(canariesIn(r.path, true)).toEqual([]);
    }
    // The secrets did reach the places they must go.
    expect(gh.requests.some((r) => r.headers.authorization === `token ${GITHUB_TOKEN}`)).toBe(true);
    expect(slack.requests.some((r) => r.headers.authorization === `Bearer ${BOT_TOKEN}`)).toBe(true);
    expect(slack.requests.some((r) => r.path === WEBHOOK_PATH)).toBe(true);
  });
});
