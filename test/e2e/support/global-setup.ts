/**
 * vitest globalSetup for the e2e project: brings the local cluster up once (building any missing
 * binary first) and takes it down at the end with LEAKGUARD_E2E_KEEP unset — but only a cluster that
 * a test run created, and only when no other test run still uses it (runs register themselves in
 * the state directory). A cluster started with `npm run cluster:up` is reused and left running.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultEnvFile, defaultStateDir, parseEnvFile, repoRoot } from './env.js';

function clusterId(): string | undefined {
  try {
    return parseEnvFile(readFileSync(defaultEnvFile(), 'utf8')).LEAKGUARD_E2E_CLUSTER_ID;
  } catch {
    return undefined;
  }
}

function run(script: string): void {
  const result = spawnSync('bash', [join(repoRoot, 'test/e2e/cluster', script)], { stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error(`test/e2e/cluster/${script} failed (exit ${result.status ?? result.signal})`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default function setup(): () => void {
  const state = defaultStateDir();
  const marker = join(state, 'created-by-test-run');
  const runs = join(state, 'test-runs');
  const before = clusterId();
  run('up.sh');
  const id = clusterId();
  if (id !== undefined && id !== before) writeFileSync(marker, id);
  mkdirSync(runs, { recursive: true });
  const me = join(runs, String(process.pid));
  writeFileSync(me, '');

  return () => {
    rmSync(me, { force: true });
    const others = existsSync(runs)
      ? readdirSync(runs)
          .map(Number)
          .filter((pid) => pid !== process.pid && alive(pid))
      : [];
    const createdByTests = existsSync(marker) && readFileSync(marker, 'utf8') === clusterId();
    if (process.env.LEAKGUARD_E2E_KEEP === '1') {
      console.log('[e2e] LEAKGUARD_E2E_KEEP=1: leaving the cluster running (npm run cluster:down stops it)');
    } else if (!createdByTests) {
      console.log('[e2e] leaving the cluster running: it was started with npm run cluster:up');
    } else if (others.length > 0) {
      console.log(`[e2e] leaving the cluster running: test runs ${others.join(', ')} still use it`);
    } else {
      run('down.sh');
    }
  };
}
