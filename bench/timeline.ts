/**
 * A run's timeline for the run benchmark (`--timeline`): marks with the wall time since the run began,
 * this process's CPU (all its threads), the run's peak RSS so far, its V8 heap, and — when found — the
 * Prometheus process's CPU, so that one can read when Prometheus evaluates, when bytes arrive, when
 * node parses and judges, and what is left after the last byte. Diagnostics only: nothing is asserted.
 */
import { subscribe } from 'node:diagnostics_channel';
import { readdirSync, readFileSync } from 'node:fs';
import { peakRssBytes } from './peak-rss.js';

export interface Mark {
  label: string;
  atMs: number;
  cpuMs: number;
  /** Prometheus' CPU since the run began (ms), null when its process was not found. */
  promCpuMs: number | null;
  peakRssBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
}

/** CPU ms of a process from /proc/<pid>/stat (utime + stime, in clock ticks of 10 ms). */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The process listening on the URL's port with Prometheus' flag, if this machine runs it. */
function prometheusPid(url: string): number | null {
  const port = new URL(url).port;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (command.some((a) => a === `--web.listen-address=127.0.0.1:${port}`)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

export class Timeline {
  readonly marks: Mark[] = [];
  private readonly startedMs = performance.now();
  private readonly cpuStart = process.cpuUsage();
  private readonly promPid: number | null;
  private readonly promStart: number | null;

  constructor(prometheusUrl: string) {
    this.promPid = prometheusPid(prometheusUrl);
    this.promStart = this.promPid === null ? null : processCpuMs(this.promPid);
    // Response headers arrive once Prometheus has evaluated the query (it writes the answer after).
    subscribe('http.client.response.finish', (message) => {
      const { request } = message as { request: { path: string } };
      if (request.path.includes('/api/v1/query_range')) this.mark('range answer: headers in');
    });
  }

  mark(label: string): void {
    const { user, system } = process.cpuUsage(this.cpuStart);
    const prom = this.promPid === null ? null : processCpuMs(this.promPid);
    this.marks.push({
      label,
      atMs: performance.now() - this.startedMs,
      cpuMs: (user + system) / 1000,
      promCpuMs: prom === null || this.promStart === null ? null : prom - this.promStart,
      peakRssBytes: peakRssBytes(),
      rssBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
    });
  }
}

/**
 * The marks as lines: time, own CPU, Prometheus' CPU, peak RSS, heap; each with what changed since the
 * line before. A stretch of calls to one cluster method (an Event per workload, say) is one line.
 */
export function timelineLines(marks: readonly Mark[]): string[] {
  const mb = (b: number): string => `${(b / 1e6).toFixed(0)} MB`;
  const call = (m: Mark): string | null => /^(cluster \w+) (called|returned)$/.exec(m.label)?.[1] ?? null;
  const merged: { mark: Mark; label: string }[] = [];
  let calls = 0;
  for (const m of marks) {
    const last = merged.at(-1);
    if (last && call(m) !== null && call(m) === call(last.mark)) {
      calls += m.label.endsWith('called') ? 1 : 0;
      merged[merged.length - 1] = { mark: m, label: `${call(m)} x${calls}` };
    } else {
      calls = m.label.endsWith('called') ? 1 : 0;
      merged.push({ mark: m, label: m.label });
    }
  }
  let last: Mark | undefined;
  return merged.map(({ mark: m, label }) => {
    const d = (f: (x: Mark) => number): number => f(m) - (last ? f(last) : 0);
    const prom = m.promCpuMs === null ? 'prom ?' : `prom +${d((x) => x.promCpuMs ?? 0).toFixed(0)}`;
    const line =
      `${m.atMs.toFixed(0).padStart(6)} ms (+${d((x) => x.atMs)
        .toFixed(0)
        .padStart(5)})` +
      `  cpu +${d((x) => x.cpuMs)
        .toFixed(0)
        .padStart(5)}  ${prom.padEnd(10)}` +
      `  peak ${mb(m.peakRssBytes).padStart(6)}  rss ${mb(m.rssBytes).padStart(6)}  heap ${mb(m.heapUsedBytes).padStart(6)}` +
      `  ${label}`;
    last = m;
    return line;
  });
}
