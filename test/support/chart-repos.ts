/**
 * Real chart repositories on 127.0.0.1 for the chart-release tests: the CNCF distribution registry
 * (Debian's `docker-registry`, installed by `npm run setup`) with charts `helm push`ed into it, and a
 * static HTTP repository whose index.yaml `helm repo index` wrote. Charts are packaged by real helm
 * from Chart.yaml files that name their appVersion.
 */
import { execFile as execFileCallback } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { freePort, requireCommands, startServer, type RunningServer } from './prometheus.js';

const execFile = promisify(execFileCallback);

export interface ChartRelease {
  name: string;
  version: string;
  appVersion: string;
}

/** Packages each release with `helm package` into `out`; returns the .tgz paths. */
export async function packageCharts(helm: string, releases: readonly ChartRelease[], work: string): Promise<string[]> {
  const out = join(work, 'packages');
  mkdirSync(out, { recursive: true });
  const packages: string[] = [];
  for (const r of releases) {
    const dir = join(work, 'src', `${r.name}-${r.version}`, r.name);
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(
      join(dir, 'Chart.yaml'),
      `apiVersion: v2\nname: ${r.name}\nversion: ${r.version}\nappVersion: ${r.appVersion}\ndescription: ${r.name} ${r.version} ships ${r.appVersion}\n`,
    );
    writeFileSync(join(dir, 'values.yaml'), `image:\n  tag: ${r.appVersion}\n`);
    writeFileSync(
      join(dir, 'templates', 'configmap.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}}\ndata: {tag: {{ .Values.image.tag | quote }}}\n',
    );
    await execFile(helm, ['package', dir, '--destination', out], { env: helmEnv(work) });
    packages.push(join(out, `${r.name}-${r.version}.tgz`));
  }
  return packages;
}

/** helm's homes under `work`, so a test never reads or writes the user's. */
function helmEnv(work: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HELM_CACHE_HOME: join(work, 'helm/cache'),
    HELM_CONFIG_HOME: join(work, 'helm/config'),
    HELM_DATA_HOME: join(work, 'helm/data'),
  };
}

export interface Registry {
  /** `127.0.0.1:PORT` */
  host: string;
  stop(): Promise<void>;
}

/** A registry user: htpasswd auth (bcrypt, written by `htpasswd` from apache2-utils). */
export interface RegistryUser {
  username: string;
  password: string;
}

/**
 * The distribution registry (`docker-registry serve`), plain HTTP on 127.0.0.1, storage in a
 * temporary directory; with `user`, only that user may pull or push (`auth: htpasswd`).
 */
export async function startRegistry(user?: RegistryUser): Promise<Registry> {
  requireCommands('docker-registry', ['docker-registry', ...(user ? ['htpasswd'] : [])]);
  const dir = mkdtempSync(join(tmpdir(), 'leakguard-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  let auth = '';
  if (user) {
    const file = join(dir, 'htpasswd');
    await execFile('htpasswd', ['-Bbc', file, user.username, user.password]);
    auth = `auth:\n  htpasswd: {realm: leakguard-test, path: ${file}}\n`;
  }
  writeFileSync(
    config,
    `version: 0.1\nlog: {level: error}\nstorage:\n  filesystem: {rootdirectory: ${join(dir, 'data')}}\n` +
      `http:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  // With auth on, /v2/ answers 401: the root path answers 200 either way.
  const server: RunningServer = await startServer(
    'docker-registry',
    ['serve', config],
    `http://127.0.0.1:${port}/`,
    dir,
  );
  return { host: `127.0.0.1:${port}`, stop: server.stop };
}

/** `helm push` each package to `oci://<host>/<path>` over plain HTTP (after `helm registry login` with `user`). */
export async function pushCharts(
  helm: string,
  packages: readonly string[],
  ref: string,
  work: string,
  user?: RegistryUser,
): Promise<void> {
  const env = helmEnv(work);
  if (user) {
    const host = ref.replace(/^oci:\/\//, '').split('/')[0]!;
    const args = ['registry', 'login', host, '--insecure', '--username', user.username, '--password-stdin'];
    await new Promise<void>((resolve, reject) => {
      const child = execFileCallback(helm, args, { env }, (error) => (error ? reject(error) : resolve()));
      child.stdin?.end(user.password);
    });
  }
  for (const pkg of packages) await execFile(helm, ['push', pkg, ref, '--plain-http'], { env });
}

export interface StaticRepo {
  /** `http://127.0.0.1:PORT/charts` */
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * Serves `dir` at /charts after `helm repo index` wrote its index.yaml with the served URL; with
 * `user`, only to requests carrying that user's basic auth (401 with a Basic challenge otherwise).
 */
export async function startStaticRepo(
  helm: string,
  packagesDir: string,
  work: string,
  user?: RegistryUser,
): Promise<StaticRepo> {
  const requests: string[] = [];
  const expected = user ? `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` : undefined;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    if (expected && req.headers.authorization !== expected) {
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="charts"' }).end();
    }
    const rel = normalize(path.replace(/^\/charts\//, ''));
    if (!path.startsWith('/charts/') || rel.startsWith('..')) return void res.writeHead(404).end();
    try {
      const body = readFileSync(join(packagesDir, rel));
      res
        .writeHead(200, {
          'content-type': rel.endsWith('.yaml') ? 'application/yaml' : 'application/gzip',
          'content-length': body.length,
        })
        .end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/charts`;
  await execFile(helm, ['repo', 'index', packagesDir, '--url', url], { env: helmEnv(work) });
  return { url, requests, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
