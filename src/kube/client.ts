/**
 * API clients that keep their connections. client-node hands every request a new https.Agent (so a
 * new TLS handshake, ~5-10 ms on loopback, per call); a run over a fleet makes dozens of calls. These
 * clients authenticate exactly as client-node does (KubeConfig.applySecurityAuthentication: token
 * files re-read, exec plugins, client certificates), then swap the fresh agent for one keep-alive
 * agent built from the same options — and build a new one if those options change (a rotated client
 * certificate). Proxy agents are left as they are.
 */
import { Agent } from 'node:https';
import {
  createConfiguration,
  ServerConfiguration,
  type KubeConfig,
  type RequestContext,
  type SecurityAuthentication,
} from '@kubernetes/client-node';
import { requestSignal } from './call.js';

/** The options that decide which server a connection trusts and how it authenticates. */
const identityKeys = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** The identity options as text: client-node re-reads the files each request, so compare contents. */
function identityOf(options: Agent['options']): string {
  const text = (value: unknown): unknown =>
    Buffer.isBuffer(value) ? value.toString('base64') : Array.isArray(value) ? value.map(text) : value;
  return JSON.stringify(identityKeys.map((k) => text(options[k])));
}

class KeepAliveAuthentication implements SecurityAuthentication {
  private agent: Agent | undefined;
  private identity = '';

  constructor(private readonly kubeConfig: KubeConfig) {}

  getName(): string {
    return 'leakguard-keep-alive';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.kubeConfig.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    // Only a plain https.Agent: a proxy agent (a subclass) keeps client-node's behaviour.
    if (!fresh || fresh.constructor !== Agent) return;
    const options = (fresh as Agent).options;
    const identity = identityOf(options);
    if (!this.agent || identity !== this.identity) {
      this.agent?.destroy();
      this.agent = new Agent({ ...options, keepAlive: true, maxSockets: 8 });
      this.identity = identity;
    }
    context.setAgent(this.agent);
  }
}

/** Hands each request the abort signal of the call making it (timeout and run deadline, src/kube/call.ts). */
const abortable = {
  pre: async (context: RequestContext) => {
    const signal = requestSignal.getStore();
    if (signal) context.setSignal(signal);
    return context;
  },
  post: async <T>(response: T) => response,
};

/**
 * `kubeConfig.makeApiClient(type)`, with kept-alive connections shared by every client of this KubeConfig,
 * and every request abortable.
 */
export function apiClientFactory(
  kubeConfig: KubeConfig,
): <T>(type: new (config: ReturnType<typeof createConfiguration>) => T) => T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: new KeepAliveAuthentication(kubeConfig) },
    promiseMiddleware: [abortable],
  });
  return (type) => new type(config);
}
