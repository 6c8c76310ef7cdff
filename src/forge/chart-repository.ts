/**
 * Chart repositories, read-only: which versions of a chart exist and which app version each ships.
 * HTTP(S) repositories answer from their `index.yaml`; OCI registries from the tag list and, per
 * chart version, the chart's config blob (its Chart.yaml as JSON). Every answer is bounded in size and
 * time and cached for the run. Credentials are per repository URL (or prefix), read from mounted files:
 * basic auth or a bearer token on an HTTP repository; on an OCI registry the answer to its challenge —
 * basic auth (htpasswd), or the distribution token flow (401 `Bearer realm=…` → token service, asked
 * with the basic credentials, or anonymously when none are configured). They go only to the repository
 * they are configured for (and its token service), never over plain HTTP off this machine, and never
 * into a message: every error is redacted with them and with the tokens issued.
 */
import { trimEnd } from '../model/text.js';
import { parse } from 'yaml';
import { z } from 'zod';
import { redact, safeUrl } from '../model/redact.js';
import { chartRepositoryText } from '../report/chart-repository-text.js';
import { readSecretFile } from '../secret/secret-file.js';

export type ChartRepositoryErrorCode = 'unreachable' | 'not-found' | 'too-large' | 'invalid' | 'unauthorized';

/** What the config file's `chartRepositories` entries say (the files are read by readChartCredentials). */
export interface ChartRepositoryAuthConfig {
  url: string;
  bearerTokenFile?: string | undefined;
  basicAuth?: { username: string; passwordFile: string } | undefined;
}

/** Credentials for one repository URL or prefix, as read from their files. */
export interface ChartCredential {
  url: string;
  auth: { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };
}

export class ChartRepositoryError extends Error {
  override readonly name = 'ChartRepositoryError';
  constructor(
    readonly code: ChartRepositoryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the bumpers ask of chart repositories (one per run: answers are cached). */
export interface ChartSource {
  /** Versions of `chart` published in `repo` (`https://…` or `oci://host/path`), as written there. */
  versions(repo: string, chart: string): Promise<string[]>;
  /** The app version chart `version` ships (its Chart.yaml `appVersion`), or null when it names none. */
  appVersion(repo: string, chart: string, version: string): Promise<string | null>;
}

export interface ChartSourceOptions {
  /** Per request. @default 10000 */
  timeoutMs?: number;
  /** Per answer (an index.yaml of a large repository is several MiB). @default 32 MiB */
  maxBytes?: number;
  /** Pages of OCI tags read at most (1000 tags a page). @default 5 */
  maxTagPages?: number;
  /** Registries spoken to over plain HTTP. @default loopback addresses only */
  plainHttp?: (host: string) => boolean;
  /** Per repository URL or prefix (the longest on a `/` boundary applies). @default none: anonymous */
  credentials?: readonly ChartCredential[];
  fetch?: typeof fetch;
}

const isLoopback = (host: string) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host);

const indexSchema = z.object({
  entries: z.record(
    z.string(),
    z.array(z.object({ version: z.string(), appVersion: z.string().optional() }).loose()).nullable(),
  ),
});
const tagsSchema = z.object({ tags: z.array(z.string()).nullable() });
const manifestSchema = z.object({
  config: z.object({ mediaType: z.string(), digest: z.string().regex(/^sha256:[a-f0-9]{64}$/) }),
});
const chartConfigSchema = z.object({
  name: z.string(),
  version: z.string(),
  appVersion: z.union([z.string(), z.number()]).optional(),
});
const tokenSchema = z.union([z.object({ token: z.string() }), z.object({ access_token: z.string() })]);

const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ChartRepositoryError('invalid', chartRepositoryText.notJson(safeUrl(url)));
  }
}

/** `oci://ghcr.io/argoproj/argo-helm` or `ghcr.io/argoproj/argo-helm` (Argo CD writes no scheme) → OCI. */
export function isOciRepository(repo: string): boolean {
  return repo.startsWith('oci://') || !/^[a-z][a-z0-9+.-]*:\/\//i.test(repo);
}

/** Reads each entry's password or token from its file. Throws SecretFileError naming the file. */
export async function readChartCredentials(configs: readonly ChartRepositoryAuthConfig[]): Promise<ChartCredential[]> {
  const credentials: ChartCredential[] = [];
  for (const c of configs) {
    if (c.basicAuth) {
      const what = chartRepositoryText.passwordFile(c.url);
      const password = (await readSecretFile(c.basicAuth.passwordFile, what)).replace(/\r?\n$/, '');
      credentials.push({ url: c.url, auth: { kind: 'basic', username: c.basicAuth.username, password } });
    } else if (c.bearerTokenFile) {
      const token = (await readSecretFile(c.bearerTokenFile, chartRepositoryText.tokenFile(c.url))).trim();
      credentials.push({ url: c.url, auth: { kind: 'bearer', token } });
    }
  }
  return credentials;
}

/** The values no message may carry: passwords, their basic-auth encoding, tokens. */
export function credentialSecrets(credentials: readonly ChartCredential[]): string[] {
  return credentials.flatMap(({ auth }) =>
    auth.kind === 'bearer' ? [auth.token] : [auth.password, basicValue(auth.username, auth.password)],
  );
}

const basicValue = (username: string, password: string) => Buffer.from(`${username}:${password}`).toString('base64');

function authorization(credential: ChartCredential): string {
  const { auth } = credential;
  return auth.kind === 'bearer' ? `Bearer ${auth.token}` : `Basic ${basicValue(auth.username, auth.password)}`;
}

/**
 * One spelling per repository for matching credentials: `oci://host/path` (Argo CD's scheme-less
 * `host/path` too) or `https://host/path`, host lowercased, no trailing slash.
 */
function repositoryKey(url: string): string {
  if (isOciRepository(url)) {
    const rest = trimEnd(url.replace(/^oci:\/\//, ''), '/');
    const slash = rest.indexOf('/');
    return slash < 0
      ? `oci://${rest.toLowerCase()}`
      : `oci://${rest.slice(0, slash).toLowerCase()}${rest.slice(slash)}`;
  }
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${trimEnd(parsed.pathname, '/')}`;
  } catch {
    return url;
  }
}

/** The credential whose URL is the longest prefix of `url` on a `/` boundary, or null. */
export function credentialFor(credentials: readonly ChartCredential[], url: string): ChartCredential | null {
  const key = repositoryKey(url);
  let best: { credential: ChartCredential; length: number } | null = null;
  for (const credential of credentials) {
    const prefix = repositoryKey(credential.url);
    if (key !== prefix && !key.startsWith(`${prefix}/`)) continue;
    if (!best || prefix.length > best.length) best = { credential, length: prefix.length };
  }
  return best?.credential ?? null;
}

/** One chart source per run: every answer is cached, so a run reads each index or tag once. */
export function createChartSource(options: ChartSourceOptions = {}): ChartSource {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const maxTagPages = options.maxTagPages ?? 5;
  const plainHttp = options.plainHttp ?? isLoopback;
  const doFetch = options.fetch ?? fetch;
  const credentials = options.credentials ?? [];
  const cache = new Map<string, Promise<unknown>>();
  const tokens = new Map<string, string>();
  /** Scopes whose registry asked for basic auth: later requests send it at once. */
  const basicScopes = new Set<string>();
  const secrets = () => [...credentialSecrets(credentials), ...tokens.values()];

  const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let hit = cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load();
      cache.set(key, hit);
    }
    return hit;
  };

  async function get(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; text: string; headers: Headers }> {
    let response: Response;
    try {
      response = await doFetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? chartRepositoryText.noAnswerWithin(timeoutMs / 1000)
          : ((error as { cause?: Error }).cause?.message ?? (error as Error).message);
      throw new ChartRepositoryError('unreachable', chartRepositoryText.unreachable(safeUrl(url), reason));
    }
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > maxBytes)
      throw new ChartRepositoryError('too-large', chartRepositoryText.tooLarge(safeUrl(url), maxBytes));
    const chunks: Buffer[] = [];
    let bytes = 0;
    if (response.body) {
      for await (const chunk of response.body) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          await response.body.cancel().catch(() => undefined);
          throw new ChartRepositoryError('too-large', chartRepositoryText.tooLarge(safeUrl(url), maxBytes));
        }
        chunks.push(Buffer.from(chunk));
      }
    }
    return { status: response.status, text: Buffer.concat(chunks).toString('utf8'), headers: response.headers };
  }

  function failed(url: string, status: number, credential: ChartCredential | null = null): ChartRepositoryError {
    if (status === 401 || status === 403) {
      const text = chartRepositoryText.unauthorized(safeUrl(url), status, credential?.url ?? null);
      return new ChartRepositoryError('unauthorized', text);
    }
    const code = status === 404 ? 'not-found' : 'unreachable';
    return new ChartRepositoryError(code, chartRepositoryText.status(safeUrl(url), status));
  }

  async function index(repo: string): Promise<z.infer<typeof indexSchema>> {
    return cached(`index ${repo}`, async () => {
      const url = `${trimEnd(repo, '/')}/index.yaml`;
      const credential = credentialFor(credentials, repo);
      // Like helm, an HTTP repository gets its credentials with the request (fetch drops them on a redirect elsewhere).
      const answer = await get(url, credential ? { authorization: authorization(credential) } : {});
      if (answer.status !== 200) throw failed(url, answer.status, credential);
      let doc: unknown;
      try {
        // failsafe: every scalar stays a string, so appVersion 1.10 is not read as the number 1.1.
        doc = parse(answer.text, { schema: 'failsafe', maxAliasCount: 100 });
      } catch (error) {
        const problem = (error as Error).message.split('\n')[0] ?? '';
        throw new ChartRepositoryError('invalid', chartRepositoryText.notYaml(safeUrl(url), problem));
      }
      const checked = indexSchema.safeParse(doc);
      if (!checked.success) throw new ChartRepositoryError('invalid', chartRepositoryText.notAnIndex(safeUrl(url)));
      return checked.data;
    });
  }

  /** `oci://ghcr.io/argoproj/argo-helm` + `argo-cd` → base URL and repository name in the registry. */
  function ociName(repo: string, chart: string): { base: string; name: string; host: string } {
    const ref = `${trimEnd(repo.replace(/^oci:\/\//, ''), '/')}/${chart}`;
    const slash = ref.indexOf('/');
    const host = ref.slice(0, slash);
    return { base: `${plainHttp(host) ? 'http' : 'https'}://${host}`, name: ref.slice(slash + 1), host };
  }

  /**
   * A GET to the registry that answers its challenge once: `Basic` with the configured credentials,
   * `Bearer realm=…` with a token from the realm (asked with the basic credentials, or anonymously).
   * A configured bearer token is sent as it is. Tokens are kept per repository for the run.
   */
  async function registryGet(
    scope: string,
    url: string,
    accept: string,
  ): Promise<{ status: number; text: string; headers: Headers }> {
    const credential = credentialFor(credentials, `oci://${scope}`);
    const headers: Record<string, string> = { accept };
    const token = tokens.get(scope);
    if (token) headers.authorization = `Bearer ${token}`;
    else if (credential && (credential.auth.kind === 'bearer' || basicScopes.has(scope)))
      headers.authorization = authorization(credential);
    const answer = await get(url, headers);
    const challenge = answer.headers.get('www-authenticate') ?? '';
    if (answer.status !== 401 || headers.authorization) return answer;
    if (/^basic\b/i.test(challenge)) {
      if (credential?.auth.kind !== 'basic') return answer;
      basicScopes.add(scope);
      return registryGet(scope, url, accept);
    }
    if (!/^bearer /i.test(challenge)) return answer;
    const params = Object.fromEntries([...challenge.matchAll(/(?<!\w)(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm || !URL.canParse(params.realm)) return answer;
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    if (params.scope) tokenUrl.searchParams.set('scope', params.scope);
    const asked: Record<string, string> = {};
    if (credential?.auth.kind === 'basic') {
      if (tokenUrl.protocol !== 'https:' && !isLoopback(tokenUrl.host)) {
        const text = chartRepositoryText.plainHttpTokenService(
          safeUrl(url),
          safeUrl(tokenUrl.toString()),
          credential.url,
        );
        throw new ChartRepositoryError('unauthorized', text);
      }
      asked.authorization = authorization(credential);
    }
    const issued = await get(tokenUrl.toString(), asked);
    if (credential && (issued.status === 401 || issued.status === 403)) {
      const text = chartRepositoryText.tokenRefused(safeUrl(tokenUrl.toString()), issued.status, credential.url);
      throw new ChartRepositoryError('unauthorized', text);
    }
    const body = issued.status === 200 ? tokenSchema.safeParse(parseJson(issued.text, tokenUrl.toString())) : null;
    if (!body?.success) return answer;
    tokens.set(scope, 'token' in body.data ? body.data.token : body.data.access_token);
    return registryGet(scope, url, accept);
  }

  async function ociTags(repo: string, chart: string): Promise<string[]> {
    return cached(`tags ${repo} ${chart}`, async () => {
      const { base, name, host } = ociName(repo, chart);
      const scope = `${host}/${name}`;
      const tags: string[] = [];
      let next: string | null = `${base}/v2/${name}/tags/list?n=1000`;
      for (let page = 0; next && page < maxTagPages; page++) {
        const answer = await registryGet(scope, next, 'application/json');
        if (answer.status !== 200) throw failed(next, answer.status, credentialFor(credentials, `oci://${scope}`));
        const checked = tagsSchema.safeParse(parseJson(answer.text, next));
        if (!checked.success) throw new ChartRepositoryError('invalid', chartRepositoryText.notATagList(safeUrl(next)));
        tags.push(...(checked.data.tags ?? []));
        const link = /<([^<>]+)>;\s*rel="next"/.exec(answer.headers.get('link') ?? '')?.[1];
        next = link ? new URL(link, base).toString() : null;
      }
      // Helm writes `+` (build metadata) as `_` in OCI tags.
      return tags.map((t) => t.replaceAll('_', '+'));
    });
  }

  async function ociAppVersion(repo: string, chart: string, version: string): Promise<string | null> {
    return cached(`app ${repo} ${chart} ${version}`, async () => {
      const { base, name, host } = ociName(repo, chart);
      const scope = `${host}/${name}`;
      const manifestUrl = `${base}/v2/${name}/manifests/${version.replaceAll('+', '_')}`;
      const manifest = await registryGet(scope, manifestUrl, MANIFEST_ACCEPT);
      if (manifest.status !== 200)
        throw failed(manifestUrl, manifest.status, credentialFor(credentials, `oci://${scope}`));
      const checked = manifestSchema.safeParse(parseJson(manifest.text, manifestUrl));
      const mediaType = checked.success ? checked.data.config.mediaType : 'none';
      if (!checked.success || mediaType !== HELM_CONFIG) {
        throw new ChartRepositoryError('invalid', chartRepositoryText.notAChart(safeUrl(manifestUrl), mediaType));
      }
      const blobUrl = `${base}/v2/${name}/blobs/${checked.data.config.digest}`;
      const blob = await registryGet(scope, blobUrl, HELM_CONFIG);
      if (blob.status !== 200) throw failed(blobUrl, blob.status);
      const config = chartConfigSchema.safeParse(parseJson(blob.text, blobUrl));
      if (!config.success)
        throw new ChartRepositoryError('invalid', chartRepositoryText.notAChartYaml(safeUrl(blobUrl)));
      return config.data.appVersion === undefined ? null : String(config.data.appVersion);
    });
  }

  /** Every message is redacted with the configured secrets and the tokens issued, whatever a server echoed. */
  async function redacted<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ChartRepositoryError)
        throw new ChartRepositoryError(error.code, redact(error.message, secrets()));
      throw error;
    }
  }

  return {
    versions: (repo, chart) =>
      redacted(async () => {
        if (isOciRepository(repo)) return ociTags(repo, chart);
        const entries = (await index(repo)).entries[chart];
        if (!entries) throw new ChartRepositoryError('not-found', chartRepositoryText.noChart(safeUrl(repo), chart));
        return entries.map((e) => e.version);
      }),
    appVersion: (repo, chart, version) =>
      redacted(async () => {
        if (isOciRepository(repo)) return ociAppVersion(repo, chart, version);
        const entry = (await index(repo)).entries[chart]?.find((e) => e.version === version);
        if (!entry)
          throw new ChartRepositoryError('not-found', chartRepositoryText.noVersion(safeUrl(repo), chart, version));
        return entry.appVersion ?? null;
      }),
  };
}
