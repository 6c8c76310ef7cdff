// Real metrics servers for tests: Debian's Prometheus, history backfilled with promtool before start, and
// the process and install helpers the other servers (VictoriaMetrics, Thanos) share.
import { execFile as execFileCallback, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCallback);

function hasCommands(commands: readonly string[]): boolean {
  try {
    execFileSync('sh', ['-c', commands.map((c) => `command -v ${c}`).join(' && ')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `npm run setup` installs the servers; tests only check, and say what to run when one is missing. */
export function requireCommands(pkg: string, commands: readonly string[]): void {
  if (!hasCommands(commands))
    throw new Error(`${commands.join('/')} not installed: run \`npm run setup\` (installs Debian's ${pkg} package)`);
}

/** Debian's `prometheus` package (prometheus + promtool). */
export function requirePrometheus(): void {
  requireCommands('prometheus', ['prometheus', 'promtool']);
}

/**
 * Time allowed to a beforeAll that starts Prometheus: on a fresh machine the first one installs
 * the Debian package while the other test files wait on the install lock.
 */
export const PROMETHEUS_SETUP_MS = 600_000;

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface RunningPrometheus {
  /** Base URL including the route prefix, e.g. `http://127.0.0.1:41234/prom`. */
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** OpenMetrics text (timestamps in seconds, ending in `# EOF`) backfilled before start; or its pieces, written as they come. */
  openMetrics: string | Iterable<string>;
  /** Serve under a path prefix, as behind Thanos/Mimir-style gateways, e.g. `/prom`. */
  routePrefix?: string;
  /** `global.external_labels`, as an HA replica behind Thanos carries them (`{cluster, replica}`). */
  externalLabels?: Record<string, string>;
  /** More command-line flags, e.g. `--query.max-samples=1000`. */
  flags?: readonly string[];
}

/**
 * Backfills `openMetrics` into a fresh TSDB and starts Prometheus on it. Backfilled blocks are only
 * picked up when the TSDB opens, hence backfill first, start second.
 */
export async function startPrometheus({
  openMetrics,
  routePrefix,
  externalLabels,
  flags = [],
}: StartOptions): Promise<RunningPrometheus> {
  requirePrometheus();
  const dir = await mkdtemp(join(tmpdir(), 'leakguard-prom-'));
  const dataDir = join(dir, 'data');
  await writeHistory(join(dir, 'history.om.txt'), openMetrics);
  await execFile('promtool', [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '--quiet',
    join(dir, 'history.om.txt'),
    dataDir,
  ]);
  const labels = externalLabels ? `  external_labels: ${JSON.stringify(externalLabels)}\n` : '';
  await writeFile(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1m\n${labels}scrape_configs: []\n`);

  const port = await freePort();
  const external = `http://127.0.0.1:${port}${routePrefix ?? ''}`;
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${dataDir}`,
    '--storage.tsdb.retention.time=30d',
    `--web.listen-address=127.0.0.1:${port}`,
    ...(routePrefix ? [`--web.route-prefix=${routePrefix}`, `--web.external-url=${external}`] : []),
    ...flags,
  ];
  const server = await startServer('prometheus', args, `${external}/-/ready`, dir);
  return { url: external, stop: server.stop };
}

/** Writes the history piece by piece, waiting when the file stream's buffer is full. */
async function writeHistory(path: string, text: string | Iterable<string>): Promise<void> {
  if (typeof text === 'string') return writeFile(path, text);
  const out = createWriteStream(path);
  for (const piece of text) if (!out.write(piece)) await once(out, 'drain');
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

export interface RunningServer {
  child: ChildProcess;
  /** Ends the process (SIGTERM, then SIGKILL after 10 s) and removes `dir`. */
  stop(): Promise<void>;
}

/**
 * Spawns a server and waits until `readyUrl` answers 2xx (30 s at most; the server's last stderr
 * lines are in the error). The process is killed if the test process exits first.
 */
export async function startServer(
  command: string,
  args: readonly string[],
  readyUrl: string,
  dir?: string,
): Promise<RunningServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await terminate(child);
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(command, readyUrl, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, stop };
}

async function waitReady(name: string, url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} not ready at ${url} within 30s:\n${log()}`);
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
