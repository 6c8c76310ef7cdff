// A real Thanos Query for tests, in front of Prometheus replicas (Debian's Prometheus, backfilled)
// each with its Thanos sidecar. The `thanos` binary is built from the Go module proxy by
// test/support/build-thanos.sh (CI builds it before the tests; locally, run it once).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startPrometheus, startServer, type RunningPrometheus, type RunningServer } from './prometheus.js';

const BUILD_SCRIPT = join(import.meta.dirname, 'build-thanos.sh');

/** Where build-thanos.sh puts the binary, and whether it is there. */
export function thanosBinary(): { path: string; built: boolean } {
  const path = execFileSync('bash', [BUILD_SCRIPT, '--path'], { encoding: 'utf8' }).trim();
  return { path, built: existsSync(path) };
}

/**
 * Why the Thanos tests cannot run here, or undefined when they can. Under CI a missing binary is an
 * error (the setup must have built it), never a skip.
 */
export function thanosMissing(): string | undefined {
  const { path, built } = thanosBinary();
  if (built) return undefined;
  const message = `thanos is not built (${path}); run test/support/build-thanos.sh once (about 10 min cold on 2 cores) to run the Thanos tests`;
  if (process.env['CI']) throw new Error(`CI: ${message}`);
  return message;
}

export interface Replica {
  /** OpenMetrics history backfilled into this replica's Prometheus. */
  openMetrics: string | Iterable<string>;
  /** Its `external_labels`, e.g. `{cluster: 'prod-eu', replica: 'a'}`. */
  externalLabels: Record<string, string>;
}

export interface RunningReplica {
  prometheus: RunningPrometheus;
  sidecar: RunningServer;
  /** The sidecar's StoreAPI (gRPC) address, as Thanos Query's --endpoint. */
  endpoint: string;
  /** The replica goes down: its sidecar and its Prometheus stop. */
  stop(): Promise<void>;
}

export interface RunningThanos {
  /** Thanos Query's HTTP base URL: the Prometheus API leakguard is given. */
  url: string;
  replicas: RunningReplica[];
  stop(): Promise<void>;
}

/** A replica: Prometheus with its external labels, and a Thanos sidecar serving it over gRPC. */
async function startReplica(thanos: string, { openMetrics, externalLabels }: Replica): Promise<RunningReplica> {
  const prometheus = await startPrometheus({ openMetrics, externalLabels });
  try {
    const [grpc, http] = [await freePort(), await freePort()];
    const sidecar = await startServer(
      thanos,
      [
        'sidecar',
        `--prometheus.url=${prometheus.url}`,
        `--grpc-address=127.0.0.1:${grpc}`,
        `--http-address=127.0.0.1:${http}`,
        '--log.level=warn',
      ],
      `http://127.0.0.1:${http}/-/ready`,
    );
    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      await sidecar.stop();
      await prometheus.stop();
    };
    return { prometheus, sidecar, endpoint: `127.0.0.1:${grpc}`, stop };
  } catch (error) {
    await prometheus.stop();
    throw error;
  }
}

export interface RunningQuery {
  /** Thanos Query's HTTP base URL: the Prometheus API leakguard is given. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Thanos Query over `endpoints` (sidecars' gRPC addresses) with `--query.replica-label=replica`.
 * `strict` endpoints stay in the query set while down, so a store's absence is reported on every
 * answer; others are dropped at Query's next health check and then answered for without a word.
 * Resolves when Query sees `healthy` endpoints. `flags`: more of Query's flags.
 */
export async function startQuery(
  endpoints: readonly string[],
  { strict, healthy = endpoints.length, flags = [] }: { strict: boolean; healthy?: number; flags?: readonly string[] },
): Promise<RunningQuery> {
  const [http, grpc] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${http}`;
  const sd = { endpoints: endpoints.map((address) => ({ address, strict })) };
  const query = await startServer(
    thanosBinary().path,
    [
      'query',
      `--http-address=127.0.0.1:${http}`,
      `--grpc-address=127.0.0.1:${grpc}`,
      '--query.replica-label=replica',
      `--endpoint.sd-config=${JSON.stringify(sd)}`,
      '--log.level=error',
      ...flags,
    ],
    `${url}/-/ready`,
  );
  try {
    await waitForStores(url, healthy);
  } catch (error) {
    await query.stop();
    throw error;
  }
  return { url, stop: query.stop };
}

/** One Prometheus + sidecar per replica, and a strict Thanos Query over their sidecars. */
export async function startThanos(replicas: readonly Replica[]): Promise<RunningThanos> {
  const { path: thanos } = thanosBinary();
  const running: RunningReplica[] = [];
  try {
    for (const replica of await Promise.all(replicas.map((r) => startReplica(thanos, r)))) running.push(replica);
    const query = await startQuery(
      running.map((r) => r.endpoint),
      { strict: true },
    );
    const stop = async (): Promise<void> => {
      await query.stop();
      await Promise.all(running.map((r) => r.stop()));
    };
    return { url: query.url, replicas: running, stop };
  } catch (error) {
    await Promise.all(running.map((r) => r.stop()));
    throw error;
  }
}

/** Thanos Query discovers its endpoints asynchronously: wait until it lists `count` with labels. */
async function waitForStores(url: string, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/api/v1/stores`, { signal: AbortSignal.timeout(1000) });
      last = await response.text();
      const body = JSON.parse(last) as {
        data?: Record<string, { lastError?: string | null; labelSets?: unknown[] }[]>;
      };
      const healthy = Object.values(body.data ?? {})
        .flat()
        .filter((s) => !s.lastError && (s.labelSets?.length ?? 0) > 0);
      if (healthy.length >= count) return;
    } catch {
      // not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Thanos Query at ${url} did not see ${count} healthy stores within 30s: ${last.slice(0, 2000)}`);
}
