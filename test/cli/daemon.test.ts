/**
 * `leakguard daemon` with a run that hangs (#21.3): the schedule says so on every tick it skips and
 * when the run outlives its deadline, and the real run against a hung API server (a local TCP server
 * on 127.0.0.1 that accepts and never answers) ends at its deadline, reported as failed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runFromConfig, scheduleRuns } from '../../src/cli/commands/daemon.js';
import { parseConfig } from '../../src/config/load.js';
import type { RunSummary } from '../../src/run/index.js';

type Line = { level: number; msg: string; runId?: string; skippedTicks?: number; failures?: string[] };

function capturedLogger() {
  const lines: Line[] = [];
  const logger = pino({ level: 'info' }, { write: (text: string) => void lines.push(JSON.parse(text) as Line) });
  return { logger, lines };
}

const WARN = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('daemon schedule', () => {
  it('reports a run that outlives its deadline, and every tick it makes the schedule skip', async () => {
    const { logger, lines } = capturedLogger();
    let release = () => {};
    const hung = new Promise<RunSummary>(
      (resolve) =>
        (release = () =>
          resolve({
            status: 'ran',
            dryRun: true,
            now: null,
            targets: [],
            actions: [],
            plan: null,
            failures: [],
            warnings: [],
          })),
    );
    let runs = 0;
    const daemon = scheduleRuns({
      schedule: '* * * * * *',
      deadlineSeconds: 1,
      logger,
      run: () => ((runs += 1), hung),
    });
    cleanup.push(
      () => daemon.stop(0),
      () => release(),
    );
    await sleep(5_300);
    expect(runs).toBe(1);
    const warnings = lines.filter((l) => l.level === WARN).map((l) => l.msg);
    expect(warnings).toContain('run has outlived its 1s deadline and is still going; the schedule skips until it ends');
    const skipped = lines.filter((l) => l.msg.endsWith('skipping this tick'));
    expect(skipped.length).toBeGreaterThanOrEqual(3);
    expect(skipped.map((l) => l.skippedTicks)).toEqual(skipped.map((_, i) => i + 1));
    expect(skipped[0]!.msg).toMatch(/^run \w+ still going after \d+s \(deadline 1s\); skipping this tick$/);
    expect(await daemon.stop(100)).toBe('abandoned');
  });

  it('a run against a hung API server ends at its deadline and is reported as failed', async () => {
    const sockets: Socket[] = [];
    let requests = 0;
    const server: Server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', () => (requests += 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () => new Promise((resolve) => server.close(resolve)),
      () => sockets.forEach((s) => s.destroy()),
    );
    const dir = mkdtempSync(join(tmpdir(), 'leakguard-daemon-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const port = (server.address() as AddressInfo).port;
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: hung, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\n` +
        'users: [{name: u, user: {token: canary-token-do-not-log}}]\ncontexts: [{name: c, context: {cluster: hung, user: u, namespace: leakguard}}]\ncurrent-context: c\n',
    );
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = kubeconfig;
    cleanup.push(() => void (saved === undefined ? delete process.env.KUBECONFIG : (process.env.KUBECONFIG = saved)));
    const config = parseConfig(
      'controller: none\ndeadline: 2s\nlock: {duration: 10s}\nprometheus: {url: "http://127.0.0.1:9", timeout: 1s}\nprofiles: [{name: acme, namespace: acme, selector: app=acme}]\n',
    );
    const { logger, lines } = capturedLogger();
    const daemon = scheduleRuns({
      schedule: '* * * * * *',
      deadlineSeconds: config.deadline,
      logger,
      run: runFromConfig(config),
    });
    cleanup.push(() => daemon.stop(0));
    await sleep(4_500);
    const finished = lines.filter((l) => l.msg === 'run finished with failures');
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished[0]!.failures).toEqual([
      'run lock leakguard/leakguard: could not read the lock: timeout: stopped at the run deadline',
    ]);
    expect(requests).toBeGreaterThanOrEqual(1);
    // While it hung, the ticks it made the schedule skip were reported.
    expect(
      lines.some(
        (l) =>
          l.msg.endsWith('skipping this tick') &&
          l.runId === lines.find((f) => f.msg === 'run finished with failures')?.runId,
      ),
    ).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('canary-token-do-not-log');
  });
});
