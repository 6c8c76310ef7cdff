/**
 * Acting as a ServiceAccount: a token from the TokenRequest API (`kubectl create token`) and a
 * client-node KubeConfig that carries only that token, so every request goes through RBAC.
 * Tokens are returned, never logged; errors from here never include them.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { kubectl } from './kubectl.js';
import { loadE2eEnv, type E2eEnv } from './env.js';

export interface TokenOptions {
  /** The API server's minimum is 600. @default 3600 */
  durationSeconds?: number;
  audiences?: string[];
  env?: E2eEnv;
}

export async function tokenFor(namespace: string, serviceAccount: string, options: TokenOptions = {}): Promise<string> {
  const args = ['create', 'token', serviceAccount, '-n', namespace, `--duration=${options.durationSeconds ?? 3600}s`];
  for (const audience of options.audiences ?? []) args.push(`--audience=${audience}`);
  const token = (await kubectl(args, { env: options.env })).trim();
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token))
    throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no JWT`);
  return token;
}

/** The admin kubeconfig (client certificate, system:masters) as a client-node KubeConfig. */
export function adminKubeConfig(env: E2eEnv = loadE2eEnv()): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  return kc;
}

/** Same API server and CA as the admin kubeconfig, authenticated by `token` alone. */
export function kubeConfigForToken(token: string, env: E2eEnv = loadE2eEnv()): KubeConfig {
  const cluster = adminKubeConfig(env).getCurrentCluster();
  if (!cluster) throw new Error(`${env.kubeconfig} has no current cluster`);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'token-user', token }],
    contexts: [{ name: 'token', cluster: cluster.name, user: 'token-user' }],
    currentContext: 'token',
  });
  return kc;
}
