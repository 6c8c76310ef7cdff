/**
 * Section 7 of `npm run bench`: the memory one Prometheus answer costs, whatever its shape. A local
 * server plays Prometheus and serves (a) 1,500 short-lived series (an hour each) over a 7-day window
 * at a 1-minute step — columns sized by window/step would cost 10,081 points a series — (b) an
 * answer far over `prometheus.maxResponseBytes`, which must be cut off, not read, and (c) one
 * profile of 1,850 pods observed as a run observes it: a ~62 MiB window answer and a ~30 MiB workload
 * history answer, each within the default caps, which the profile's answers share. The window is
 * more than one answer may hold, so the run asks for it in shards of pods, each answered with its pods.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { bundleOptions } from '../scripts/bundle-options.mjs';
import { FLEET, podName } from './fleet.js';
import type { ProfileChildResult } from './profile-child.js';
import { mb, type Row } from './report.js';
import { shippedRuntime } from './shipped.js';
import { lastJson, spawnCapture } from './spawn.js';

const CHILD = '.tmp-bench/answer-child.mjs';
const PROFILE_CHILD = '.tmp-bench/profile-child.mjs';
const PROFILE_PODS = 1850;
// In the unit the rows print (mb: 10^6 bytes), so "≤ 150 MB" means what it says.
const MAX_RSS_BYTES = 150e6;

interface ChildResult {
  series: number;
  samples: number;
  peakRssBytes: number;
  error: string | null;
}

/** `count` series of `points` one-minute samples each, ending at a random time within the window. */
function shortLivedAnswer(count: number, points: number, days: number): string {
  const end = Math.floor(Date.now() / 1000);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const stop = end - Math.floor((i / count) * days * 86_400);
    const values = Array.from(
      { length: points },
      (_, k) => `[${stop - (points - 1 - k) * 60},"${100_000_000 + k * 1000}"]`,
    ).join(',');
    parts.push(
      `{"metric":{"namespace":"ops","pod":"backup-29394720-${String(i).padStart(5, '0')}-x7k2q","container":"c"},"values":[${values}]}`,
    );
  }
  return `{"status":"success","data":{"resultType":"matrix","result":[${parts.join(',')}]}}`;
}

async function serve(body: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return text;
}

/**
 * The fleet's pods over `points` steps of `stepSeconds` ending at `end`, flat under noise; with `owners`,
 * kube_pod_owner too. With `pods`, only those pods, as Prometheus answers a query that names them.
 */
function profileAnswer(end: number, points: number, stepSeconds: number, owners: boolean, pods?: Set<string>): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < PROFILE_PODS; i++) {
    if (pods && !pods.has(podName(i))) continue;
    const values = Array.from(
      { length: points },
      (_, k) => `[${end - (points - 1 - k) * stepSeconds},"${200_000_000 + ((k * 7919 + i * 104_729) % 3_000_000)}"]`,
    ).join(',');
    parts.push(
      `{"metric":{"namespace":"${FLEET.namespace}","pod":"${podName(i)}","container":"${FLEET.container}"},"values":[${values}]}`,
    );
    if (owners)
      parts.push(
        `{"metric":{"namespace":"${FLEET.namespace}","pod":"${podName(i)}","owner_kind":"ReplicaSet","owner_name":"${podName(i).slice(0, -5)}-5d"},"values":[[${end},"1"]]}`,
      );
  }
  return Buffer.from(`{"status":"success","data":{"resultType":"matrix","result":[${parts.join(',')}]}}`);
}

/** The pods a query names (`pod=~"(?:a|b|…)"`, as a profile read in shards asks), or undefined for all. */
function podsNamed(form: string): Set<string> | undefined {
  const query = new URLSearchParams(form).get('query') ?? '';
  const match = /pod=~"\(\?:([^"]*)\)"/.exec(query);
  return match ? new Set(match[1]!.split('|').map((pod) => pod.replace(/\\(.)/g, '$1'))) : undefined;
}

/**
 * The two answers of one 1,850-pod profile, served to observeProfile in a fresh process. The profile is
 * too large for one answer, so the run reads its window in shards of pods: each shard is answered with
 * its own pods' series (answering each with the whole fleet read the window three times over).
 */
async function measureProfile(): Promise<
  ProfileChildResult & { windowBytes: number; historyBytes: number; windowAnswers: number }
> {
  const now = Math.floor(Date.now() / 1000);
  const window = profileAnswer(now, 1400, 60, false);
  const history = profileAnswer(Math.floor(now / 900) * 900, 672, 900, true);
  let windowAnswers = 0;
  const server = createServer((req, res) => {
    void bodyOf(req).then((form) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/api/v1/query')
        res.end(`{"status":"success","data":{"resultType":"scalar","result":[${now},"${now}"]}}`);
      else if (form.includes('kube_pod_owner')) res.end(history);
      else {
        windowAnswers++;
        const pods = podsNamed(form);
        res.end(pods ? profileAnswer(now, 1400, 60, false, pods) : window);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const shipped = shippedRuntime();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const spawned = await spawnCapture(
      process.execPath,
      [
        ...shipped.nodeFlags,
        PROFILE_CHILD,
        '--url',
        url,
        '--pods',
        String(PROFILE_PODS),
        '--pod-start',
        String(now - 7200),
      ],
      { ...process.env, ...shipped.env },
    );
    return {
      ...lastJson<ProfileChildResult>('profile child', spawned),
      windowBytes: window.length,
      historyBytes: history.length,
      windowAnswers,
    };
  } finally {
    server.close();
  }
}

async function measure(body: string, days: number): Promise<ChildResult> {
  const { server, url } = await serve(body);
  try {
    const shipped = shippedRuntime();
    const spawned = await spawnCapture(
      process.execPath,
      [...shipped.nodeFlags, CHILD, '--url', url, '--days', String(days), '--step', '60'],
      { ...process.env, ...shipped.env },
    );
    return lastJson<ChildResult>('answer child', spawned);
  } finally {
    server.close();
  }
}

export async function answerSection(): Promise<Row[]> {
  await build({ ...bundleOptions, entryPoints: ['bench/answer-child.ts'], outfile: CHILD });
  await build({ ...bundleOptions, entryPoints: ['bench/profile-child.ts'], outfile: PROFILE_CHILD });
  const shortLived = shortLivedAnswer(1500, 60, 7);
  const a = await measure(shortLived, 7);
  console.log(
    `1,500 short-lived series, 7 d at 1 m: ${(shortLived.length / 1024).toFixed(0)} KB of JSON, ${a.series} series, ${a.samples} samples, peak RSS ${mb(a.peakRssBytes)}${a.error ? `, error: ${a.error}` : ''}`,
  );
  // ~200 MB of JSON: 4,000 series × 2,000 points.
  const huge = shortLivedAnswer(4000, 2000, 7);
  const b = await measure(huge, 7);
  console.log(
    `${(huge.length / 2 ** 20).toFixed(0)} MB answer: ${b.error ?? 'read whole (!)'}; peak RSS ${mb(b.peakRssBytes)}`,
  );
  const c = await measureProfile();
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const history = c.warnings.find((w) => w.includes('workload history')) ?? 'workload history read';
  console.log(
    `one profile of ${PROFILE_PODS} pods: window ${mib(c.windowBytes)} in ${c.windowAnswers} answer${c.windowAnswers === 1 ? '' : 's'}, workload history answer ${mib(c.historyBytes)}; ${c.judged} judged (${c.samples} samples kept), ${c.problem ?? 'window read'}; ${history}; peak RSS ${mb(c.peakRssBytes)}`,
  );
  return [
    {
      figure: `peak RSS, one profile of ${PROFILE_PODS} pods: ${mib(c.windowBytes)} window (${c.windowAnswers} answers) + ${mib(c.historyBytes)} history answer`,
      measured: mb(c.peakRssBytes),
      target: '≤ 150 MB',
      ok: c.problem === null && c.judged === PROFILE_PODS && c.peakRssBytes <= MAX_RSS_BYTES,
    },
    {
      figure: 'peak RSS, 1,500 short-lived series over 7 d at 1 m',
      measured: mb(a.peakRssBytes),
      target: '≤ 150 MB',
      ok: a.error === null && a.peakRssBytes <= MAX_RSS_BYTES,
    },
    {
      figure: `peak RSS, a ${(huge.length / 2 ** 20).toFixed(0)} MB answer (cut at maxResponseBytes)`,
      measured: mb(b.peakRssBytes),
      target: '≤ 150 MB, refused',
      ok: b.error !== null && /maxResponseBytes|maxSeries/.test(b.error) && b.peakRssBytes <= MAX_RSS_BYTES,
    },
  ];
}
