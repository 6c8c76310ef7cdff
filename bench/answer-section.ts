/**
 * Section 7 of `npm run bench`: the memory one Prometheus answer costs, whatever its shape. A local
 * server plays Prometheus and serves (a) 1,500 short-lived series (an hour each) over a 7-day window
 * at a 1-minute step — columns sized by window/step would cost 10,081 points a series — and (b) an
 * answer far over `prometheus.maxResponseBytes`, which must be cut off, not read.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { bundleOptions } from '../scripts/bundle-options.mjs';
import { mb, type Row } from './report.js';
import { shippedRuntime } from './shipped.js';
import { lastJson, spawnCapture } from './spawn.js';

const CHILD = '.tmp-bench/answer-child.mjs';
const MAX_RSS_BYTES = 150 * 2 ** 20;

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
    const values = Array.from({ length: points }, (_, k) => `[${stop - (points - 1 - k) * 60},"${100_000_000 + k * 1000}"]`).join(',');
    parts.push(`{"metric":{"namespace":"ops","pod":"job-${i}","container":"c"},"values":[${values}]}`);
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

async function measure(body: string, days: number): Promise<ChildResult> {
  const { server, url } = await serve(body);
  try {
    const shipped = shippedRuntime();
    const spawned = await spawnCapture(process.execPath, [...shipped.nodeFlags, CHILD, '--url', url, '--days', String(days), '--step', '60'], { ...process.env, ...shipped.env });
    return lastJson<ChildResult>('answer child', spawned);
  } finally {
    server.close();
  }
}

export async function answerSection(): Promise<Row[]> {
  await build({ ...bundleOptions, entryPoints: ['bench/answer-child.ts'], outfile: CHILD });
  const shortLived = shortLivedAnswer(1500, 60, 7);
  const a = await measure(shortLived, 7);
  console.log(`1,500 short-lived series, 7 d at 1 m: ${(shortLived.length / 1024).toFixed(0)} KB of JSON, ${a.series} series, ${a.samples} samples, peak RSS ${mb(a.peakRssBytes)}${a.error ? `, error: ${a.error}` : ''}`);
  // ~200 MB of JSON: 4,000 series × 2,000 points.
  const huge = shortLivedAnswer(4000, 2000, 7);
  const b = await measure(huge, 7);
  console.log(`${(huge.length / 2 ** 20).toFixed(0)} MB answer: ${b.error ?? 'read whole (!)'}; peak RSS ${mb(b.peakRssBytes)}`);
  return [
    { figure: 'peak RSS, 1,500 short-lived series over 7 d at 1 m', measured: mb(a.peakRssBytes), target: '≤ 150 MB', ok: a.error === null && a.peakRssBytes <= MAX_RSS_BYTES },
    { figure: `peak RSS, a ${(huge.length / 2 ** 20).toFixed(0)} MB answer (cut at maxResponseBytes)`, measured: mb(b.peakRssBytes), target: '≤ 150 MB, refused', ok: b.error !== null && /maxResponseBytes|maxSeries/.test(b.error) && b.peakRssBytes <= MAX_RSS_BYTES },
  ];
}
