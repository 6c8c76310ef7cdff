/**
 * One GET to a pod's port through the API server's pod proxy
 * (`/api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy{path}`, RBAC `pods/proxy` get), bounded in size
 * and time: the answer is read until `maxBytes` and no longer, and the whole exchange is abandoned at
 * `timeoutMs`. Binary-safe (client-node's typed proxy call decodes the body as text), authenticated
 * exactly as every other call (KubeConfig.applyToHTTPSOptions). Never retried: the caller is about to
 * restart the pod and must not wait.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeErrorFromResponse } from './errors.js';
import type { Failed, PodRef } from './types.js';

export interface PodProxyRequest {
  pod: PodRef;
  port: number;
  /** Absolute path on the pod, e.g. `/debug/pprof/heap`. */
  path: string;
  maxBytes: number;
  timeoutMs: number;
}

export type PodProxyResult =
  | { outcome: 'fetched'; bytes: Buffer; ms: number }
  /** The answer was longer than `maxBytes`; reading stopped there. */
  | { outcome: 'too-large'; limitBytes: number }
  | Failed;

/** Only this much of an error answer is read, for the API Status message in it. */
const errorBodyBytes = 8 * 1024;

export function podProxyPath(pod: PodRef, port: number, path: string): string {
  const enc = encodeURIComponent;
  return `/api/v1/namespaces/${enc(pod.namespace)}/pods/${enc(`${pod.name}:${port}`)}/proxy${path}`;
}

export async function fetchThroughPodProxy(kubeConfig: KubeConfig, request: PodProxyRequest): Promise<PodProxyResult> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster)
    return { outcome: 'failed', error: { code: 'unknown', message: 'no current cluster in the kubeconfig' } };
  const base = new URL(cluster.server);
  const options: https.RequestOptions = {
    method: 'GET',
    protocol: base.protocol,
    hostname: base.hostname.replace(/^\[|\]$/g, ''),
    port: base.port || (base.protocol === 'https:' ? 443 : 80),
    path: `${base.pathname.replace(/\/$/, '')}${podProxyPath(request.pod, request.port, request.path)}`,
    headers: { Accept: '*/*', 'Accept-Encoding': 'identity' },
  };
  try {
    await kubeConfig.applyToHTTPSOptions(options);
  } catch {
    return {
      outcome: 'failed',
      error: { code: 'unauthorized', message: 'could not authenticate with the kubeconfig' },
    };
  }
  const started = performance.now();
  return new Promise<PodProxyResult>((resolve) => {
    let settled = false;
    const settle = (result: PodProxyResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const get = base.protocol === 'https:' ? https.request : http.request;
    const req = get(options, (res) => {
      const status = res.statusCode ?? 0;
      const ok = status === 200;
      const limit = ok ? request.maxBytes : errorBodyBytes;
      const declared = Number(res.headers['content-length']);
      if (ok && Number.isFinite(declared) && declared > limit)
        return settle({ outcome: 'too-large', limitBytes: limit });
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          if (ok) return settle({ outcome: 'too-large', limitBytes: limit });
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (ok) return settle({ outcome: 'fetched', bytes: body, ms: Math.round(performance.now() - started) });
        const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        settle({ outcome: 'failed', error: kubeErrorFromResponse(status, body.toString('utf8'), headers) });
      });
      res.on('error', () =>
        settle({ outcome: 'failed', error: { code: 'unreachable', message: 'the answer was cut off' } }),
      );
    });
    const timer = setTimeout(
      () =>
        settle({
          outcome: 'failed',
          error: { code: 'timeout', message: `no complete answer within ${request.timeoutMs / 1000} s` },
        }),
      request.timeoutMs,
    );
    req.on('error', (e: NodeJS.ErrnoException) =>
      settle({
        outcome: 'failed',
        error: { code: 'unreachable', message: `API server unreachable${e.code ? ` (${e.code})` : ''}` },
      }),
    );
    req.end();
  });
}
