/**
 * Builds the Octokit client: token or GitHub App auth read from mounted files, Enterprise base URL,
 * bounded retries for 5xx and no waiting on rate limits (the run defers to the next one instead).
 */
import { createPrivateKey } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import { trimEnd } from '../model/text.js';
import { ConfigError } from '../model/config-error.js';
import { readSecretFile } from '../secret/secret-file.js';

/** Exactly one of `tokenFile` or `app` (the shape of the config file's `github:` section). */
export interface GitHubAuthConfig {
  tokenFile?: string | undefined;
  app?: { appId: string | number; installationId: string | number; privateKeyFile: string } | undefined;
}

export interface GitHubClientOptions {
  auth: GitHubAuthConfig;
  /** API base URL; GitHub Enterprise Server: `https://ghe.example.com/api/v3`. @default https://api.github.com */
  apiUrl?: string;
  logger: Logger;
  /** Retries of a request that failed with 5xx or a transport error. @default 2 */
  retries?: number;
  /** Base of the quadratic retry backoff (1×, 4×, …). @default 1000 */
  retryBaseMs?: number;
  /** Per-request timeout. @default 15000 */
  timeoutMs?: number;
}

export const RestClient = Octokit.plugin(retry, throttling);
export type RestClient = InstanceType<typeof RestClient>;

/** Never retried by the retry plugin: auth, permissions, validation and rate limits (deferred). */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

/** A config error (src/model/config-error.ts): the `github` section or its files. */
export class GitHubConfigError extends ConfigError {
  override readonly name = 'GitHubConfigError';
}

export interface GitHubClient {
  octokit: RestClient;
  /** Values that must never be logged or shown: the token or the App private key. */
  secrets: string[];
  /** The login GitHub shows as the author of leakguard's commits: the token's user, or `<app slug>[bot]`. */
  login: () => Promise<string>;
}

export async function createGitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
  const log = options.logger.child({ component: 'octokit' });
  const timeoutMs = options.timeoutMs ?? 15_000;
  const fetchWithTimeout: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const common = {
    ...(options.apiUrl ? { baseUrl: trimEnd(options.apiUrl, '/') } : {}),
    userAgent: 'leakguard',
    request: { fetch: fetchWithTimeout },
    // Octokit's own messages are plain strings; never pass through objects (they may hold request options).
    log: {
      debug: (msg: unknown) => log.debug(String(msg)),
      info: (msg: unknown) => log.info(String(msg)),
      warn: (msg: unknown) => log.warn(String(msg)),
      error: (msg: unknown) => log.error(String(msg)),
    },
    retry: {
      retries: options.retries ?? 2,
      doNotRetry: DO_NOT_RETRY,
      retryAfterBaseValue: options.retryBaseMs ?? 1000,
    },
    throttle: {
      // Returning false means "do not wait and retry": the error surfaces and the run defers.
      onRateLimit: () => false,
      onSecondaryRateLimit: () => false,
    },
  };
  const { tokenFile, app } = options.auth;
  if ((tokenFile === undefined) === (app === undefined))
    throw new GitHubConfigError('github: expected exactly one of tokenFile or app');
  if (tokenFile !== undefined) {
    const token = (await readSecretFile(tokenFile, 'GitHub token')).trim();
    const octokit = new RestClient({ ...common, auth: token });
    return { octokit, secrets: [token], login: async () => (await octokit.rest.users.getAuthenticated()).data.login };
  }
  if (app === undefined) throw new GitHubConfigError('github: expected exactly one of tokenFile or app');
  const privateKey = await readSecretFile(app.privateKeyFile, 'GitHub App private key');
  try {
    createPrivateKey(privateKey);
  } catch {
    // Say which file is wrong, never what is in it.
    throw new GitHubConfigError(`GitHub App private key file ${app.privateKeyFile} does not hold a PEM private key`);
  }
  const octokit = new RestClient({
    ...common,
    authStrategy: createAppAuth,
    auth: { appId: app.appId, installationId: app.installationId, privateKey },
  });
  // GET /app is answered with the App's JWT (auth-app picks it for that route).
  return {
    octokit,
    secrets: [privateKey],
    login: async () => `${(await octokit.rest.apps.getAuthenticated()).data?.slug ?? 'app'}[bot]`,
  };
}
