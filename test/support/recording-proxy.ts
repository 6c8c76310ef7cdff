// A loopback HTTP(S) proxy in front of a real server: records every request, forwards it, or lets a
// test answer instead (errors, delays, rewritten bodies).
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ProxyReply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/**
 * Decides the reply. `forward(path?)` sends the request on to the upstream (to another path if
 * given, as a gateway rewriting its prefix would) and returns its reply; `closed` fires when the
 * client hangs up (so a deliberately slow reply can stop waiting).
 */
export type ProxyHandler = (
  request: RecordedRequest,
  forward: (path?: string) => Promise<ProxyReply>,
  closed: AbortSignal,
) => Promise<ProxyReply>;

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  /** Replaces the handler; undefined restores plain forwarding. */
  handle(handler: ProxyHandler | undefined): void;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Base URL of the real server, e.g. a RunningPrometheus' url. */
  upstream: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

const forwardAll: ProxyHandler = (_request, forward) => forward();

export async function startRecordingProxy({ upstream, tls }: ProxyOptions): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  let handler: ProxyHandler = forwardAll;

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    void readBody(req).then(async (body) => {
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      let reply: ProxyReply;
      try {
        reply = await handler(
          recorded,
          (path) => forward(upstream, path === undefined ? recorded : { ...recorded, path }),
          closed.signal,
        );
      } catch (error) {
        reply = { status: 599, body: `proxy handler failed: ${String(error)}` };
      }
      if (closed.signal.aborted) return;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body);
    });
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, serve) : createHttpServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('proxy has no address');

  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}`,
    requests,
    handle: (next) => {
      handler = next ?? forwardAll;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function forward(upstream: string, request: RecordedRequest): Promise<ProxyReply> {
  const base = new URL(upstream);
  const headers = { ...request.headers };
  delete headers.host;
  delete headers.connection;
  // Ask for an uncompressed body so that handlers can read and rewrite it.
  delete headers['accept-encoding'];
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: request.method,
        path: `${base.pathname.replace(/\/$/, '')}${request.path}`,
        headers,
      },
      (res) => {
        void readBody(res).then((body) => {
          const contentType = res.headers['content-type'];
          resolve({ status: res.statusCode ?? 502, headers: contentType ? { 'content-type': contentType } : {}, body });
        }, reject);
      },
    );
    out.on('error', reject);
    out.end(request.body);
  });
}

/** Resolves after `ms`, or early when `signal` fires. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
