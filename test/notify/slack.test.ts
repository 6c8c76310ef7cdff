import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIncidentMessage, type IncidentMessageInput } from '../../src/report/slack-message.js';
import { createSlackNotifier, SlackBotNotifier, SlackWebhookNotifier } from '../../src/notify/slack.js';
import { captureLogger, closedPort, secretFile } from '../forge/helpers.js';
import { FakeSlack } from './fake-slack.js';

const MiB = 1048576;
const incident: IncidentMessageInput = {
  phase: 'leaking',
  severity: 'critical',
  profile: 'rook-ceph-operator',
  target: { namespace: 'rook-ceph', kind: 'Deployment', name: 'rook-ceph-operator', container: 'rook-ceph-operator' },
  version: '1.14.9',
  verdict: {
    slope: { bytesPerHour: 12.3 * MiB, low: 10 * MiB, high: 14 * MiB },
    hoursToLimit: 18.5,
    currentBytes: 800 * MiB,
    reasons: ['floor grows 12.3 MiB/h (staircase)'],
  },
  limitBytes: 1024 * MiB,
  memoryBytes: Array.from({ length: 200 }, (_, i) => (400 + i) * MiB),
  knownIssue: {
    issueId: 'rook-operator-leak-1.14',
    title: 'Rook operator leak with namespace churn',
    links: ['https://github.com/rook/rook/issues/15499'],
  },
  action: { kind: 'restart', status: 'planned', dryRun: true },
  prUrl: 'https://github.com/acme/gitops/pull/7',
  prometheusGraphUrl: 'https://prom.example/graph?g0.expr=x',
};

type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] };
const allTexts = (blocks: Block[]) =>
  blocks
    .flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text)])
    .filter((t): t is string => t !== undefined);

describe('Slack notifier against a local Slack', () => {
  let slack: FakeSlack;
  let log: ReturnType<typeof captureLogger>;
  let sleeps: number[];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };

  beforeEach(async () => {
    slack = await new FakeSlack().start();
    log = captureLogger();
    sleeps = [];
  });
  afterEach(async () => {
    await slack.stop();
    expect(slack.unexpected).toEqual([]);
  });

  const webhook = () =>
    new SlackWebhookNotifier(`${slack.url}${slack.webhookPath}`, { logger: log.logger, sleep, timeoutMs: 2000 });
  const bot = (token = slack.botToken) =>
    new SlackBotNotifier(token, {
      logger: log.logger,
      sleep,
      channel: 'C123',
      apiUrl: `${slack.url}/api/`,
      timeoutMs: 2000,
    });

  it('webhook: Block Kit with header, fields, sparkline, dry-run action, links and a fallback text', async () => {
    const result = await webhook().notify(buildIncidentMessage(incident));
    expect(result).toMatchObject({ outcome: 'sent', attempts: 1, threadTs: null });
    const sent = slack.requests[0]?.body as { text: string; blocks: Block[] };
    expect(sent.text).toContain('[CRITICAL] Leak confirmed: rook-ceph/rook-ceph-operator');
    expect(sent.text).toContain('12.3 MiB/h');
    expect(sent.text).toContain('Would restart');
    expect(sent.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    const texts = allTexts(sent.blocks).join('\n');
    for (const s of [
      '*Slope*\n12.3 MiB/h',
      '*Time to limit*\n18.5 h',
      '*Version*\n1.14.9',
      '*Known issue*\nRook operator leak',
      'dry-run',
    ])
      expect(texts).toContain(s);
    expect(texts).toMatch(/`[▁▂▃▄▅▆▇█]{40}`/);
    expect(texts).toContain('<https://github.com/acme/gitops/pull/7|Upgrade PR>');
    expect(texts).toContain('<https://prom.example/graph?g0.expr=x|Prometheus graph>');
  });

  it('long content is cut at Slack limits (header 150, sections 3000)', async () => {
    const huge = {
      ...incident,
      target: { ...incident.target, name: 'x'.repeat(400) },
      verdict: { ...incident.verdict, reasons: Array.from({ length: 100 }, () => 'r'.repeat(200)) },
    };
    await webhook().notify(buildIncidentMessage(huge));
    const sent = slack.requests[0]?.body as { text: string; blocks: Block[] };
    expect(Array.from(sent.blocks[0]?.text?.text ?? '').length).toBe(150);
    expect(sent.blocks[0]?.text?.text.endsWith('…')).toBe(true);
    const longest = Math.max(...allTexts(sent.blocks).map((t) => Array.from(t).length));
    expect(longest).toBe(3000);
    expect(Array.from(sent.text).length).toBeLessThanOrEqual(3000);
  });

  it('bot token: first message opens the thread, the next replies in it and refreshes the root', async () => {
    const n = bot();
    const first = await n.notify(buildIncidentMessage(incident));
    expect(first).toMatchObject({ outcome: 'sent', ts: '1700000000.000100', threadTs: '1700000000.000100' });
    expect(slack.requests[0]?.path).toBe('/api/chat.postMessage');
    expect(slack.requests[0]?.body.thread_ts).toBeUndefined();
    expect(slack.requests[0]?.headers.authorization).toBe(`Bearer ${slack.botToken}`);
    const threadTs = first.outcome === 'sent' ? first.threadTs : null;
    const second = await n.notify(
      buildIncidentMessage({
        ...incident,
        phase: 'remediated',
        action: { kind: 'restart', status: 'done', dryRun: false },
      }),
      { threadTs },
    );
    expect(second).toMatchObject({ outcome: 'sent', ts: '1700000001.000100', threadTs: '1700000000.000100' });
    expect(slack.requests.map((r) => r.path)).toEqual([
      '/api/chat.postMessage',
      '/api/chat.update',
      '/api/chat.postMessage',
    ]);
    expect(slack.requests[1]?.body).toMatchObject({ channel: 'C123', ts: '1700000000.000100' });
    expect(slack.requests[2]?.body).toMatchObject({ channel: 'C123', thread_ts: '1700000000.000100' });
    expect(String(slack.requests[2]?.body.text)).toContain('Restarted the workload');
  });

  it.each(['webhook', 'bot'] as const)('%s: 429 is retried once after Retry-After', async (kind) => {
    slack.answer({
      status: 429,
      headers: { 'retry-after': '3' },
      body: kind === 'bot' ? { ok: false, error: 'ratelimited' } : 'rate_limited',
    });
    const result = await (kind === 'webhook' ? webhook() : bot()).notify(buildIncidentMessage(incident));
    expect(result).toMatchObject({ outcome: 'sent', attempts: 2 });
    expect(sleeps).toEqual([3000]);
    expect(slack.requests).toHaveLength(2);
  });

  it.each(['webhook', 'bot'] as const)('%s: a Retry-After beyond 30 s is not waited for', async (kind) => {
    slack.answer({
      status: 429,
      headers: { 'retry-after': '120' },
      body: kind === 'bot' ? { ok: false, error: 'ratelimited' } : 'rate_limited',
    });
    const result = await (kind === 'webhook' ? webhook() : bot()).notify(buildIncidentMessage(incident));
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'rate-limited', retryAfterSeconds: 120 } });
    expect(sleeps).toEqual([]);
    expect(slack.requests).toHaveLength(1);
  });

  it.each(['webhook', 'bot'] as const)('%s: 5xx twice → typed failure after one retry', async (kind) => {
    slack.answer({ status: 503, body: 'unavailable' }, { status: 500, body: 'oops' });
    const result = await (kind === 'webhook' ? webhook() : bot()).notify(buildIncidentMessage(incident));
    expect(result).toMatchObject({ outcome: 'failed', attempts: 2, error: { code: 'server', status: 500 } });
    expect(slack.requests).toHaveLength(2);
  });

  it.each(['webhook', 'bot'] as const)('%s: no answer in time → timeout failure, no throw', async (kind) => {
    slack.answer({ status: 200, body: 'ok', delayMs: 1500 });
    const opts = { logger: log.logger, sleep, timeoutMs: 200 };
    const n =
      kind === 'webhook'
        ? new SlackWebhookNotifier(`${slack.url}${slack.webhookPath}`, opts)
        : new SlackBotNotifier(slack.botToken, { ...opts, channel: 'C1', apiUrl: `${slack.url}/api/` });
    const result = await n.notify(buildIncidentMessage(incident));
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'timeout' } });
  });

  it('connection refused → network failure, no throw', async () => {
    const closed = new SlackWebhookNotifier(`http://127.0.0.1:${await closedPort()}/services/T/B/X`, {
      logger: log.logger,
      sleep,
    });
    expect(await closed.notify(buildIncidentMessage(incident))).toMatchObject({
      outcome: 'failed',
      error: { code: 'unreachable', message: 'cannot reach Slack (ECONNREFUSED)' },
    });
  });

  it('bot: invalid token → unauthorized, not retried', async () => {
    const result = await bot('xoxb-wrong').notify(buildIncidentMessage(incident));
    expect(result).toMatchObject({
      outcome: 'failed',
      attempts: 1,
      error: { code: 'unauthorized', message: 'Slack API error: invalid_auth' },
    });
  });

  it('createSlackNotifier reads the webhook URL and token from files', async () => {
    const fromWebhook = await createSlackNotifier(
      { webhookUrlFile: secretFile('url', `${slack.url}${slack.webhookPath}\n`) },
      { logger: log.logger },
    );
    expect(await fromWebhook.notify({ text: 'hi', blocks: [] })).toMatchObject({ outcome: 'sent' });
    const fromBot = await createSlackNotifier(
      { botTokenFile: secretFile('tok', slack.botToken), channel: 'C1', apiUrl: `${slack.url}/api` },
      { logger: log.logger },
    );
    expect(await fromBot.notify({ text: 'hi', blocks: [] })).toMatchObject({
      outcome: 'sent',
      threadTs: '1700000000.000100',
    });
    await expect(createSlackNotifier({ webhookUrlFile: '/nope' }, { logger: log.logger })).rejects.toThrow(
      'cannot read Slack webhook URL file /nope (ENOENT)',
    );
    await expect(createSlackNotifier({}, { logger: log.logger })).rejects.toThrow(
      'expected exactly one of webhookUrlFile or botTokenFile',
    );
    await expect(createSlackNotifier({ botTokenFile: '/x' }, { logger: log.logger })).rejects.toThrow(
      'botTokenFile needs a channel',
    );
  });
});
