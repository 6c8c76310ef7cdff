/**
 * A local Slack: incoming webhooks under /services/… and the Web API methods leakguard uses
 * (chat.postMessage, chat.update) under /api/. Answers are scripted per test; anything else is
 * recorded as unexpected and answered 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  rawBody: string;
  /** JSON body, or form fields with `blocks` parsed. */
  body: Record<string, unknown>;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Hold the answer this long (for timeouts). */
  delayMs?: number;
}

export class FakeSlack {
  readonly requests: SlackRequest[] = [];
  readonly unexpected: string[] = [];
  private readonly script: ScriptedAnswer[] = [];
  private server: Server | null = null;
  private nextTs = 1_700_000_000;
  url = '';

  constructor(
    readonly webhookPath = '/services/T000/B000/XXXX',
    readonly botToken = 'xoxb-test',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next answers, in order; after them every request succeeds. */
  answer(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const path = req.url ?? '/';
    let body: Record<string, unknown> = {};
    if ((headers['content-type'] ?? '').includes('application/json'))
      body = JSON.parse(rawBody || '{}') as Record<string, unknown>;
    else {
      body = Object.fromEntries(new URLSearchParams(rawBody));
      if (typeof body.blocks === 'string') body.blocks = JSON.parse(body.blocks);
    }
    this.requests.push({ method: req.method ?? '', path, headers, rawBody, body });

    const isWebhook = req.method === 'POST' && path === this.webhookPath;
    const apiMethod = /^\/api\/(chat\.postMessage|chat\.update)$/.exec(path)?.[1];
    if (!isWebhook && !apiMethod) {
      this.unexpected.push(`${req.method} ${path}`);
      res.writeHead(404).end('no_service');
      return;
    }
    const scripted = this.script.shift();
    if (scripted) {
      if (scripted.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
      if (res.destroyed) return;
      const isText = typeof scripted.body === 'string' || scripted.body === undefined;
      res.writeHead(scripted.status, {
        'content-type': isText ? 'text/plain' : 'application/json',
        ...scripted.headers,
      });
      res.end(isText ? String(scripted.body ?? '') : JSON.stringify(scripted.body));
      return;
    }
    if (isWebhook) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (headers.authorization !== `Bearer ${this.botToken}`) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
      return;
    }
    const ts = apiMethod === 'chat.update' ? String(body.ts) : `${this.nextTs++}.000100`;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ok: true, channel: body.channel, ts }));
  }
}
