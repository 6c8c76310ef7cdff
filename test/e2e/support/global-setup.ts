/**
 * vitest globalSetup for the e2e project: brings the local cluster up once (building any missing
 * binary first), and takes it down at the end — but only a cluster this run created, and not at
 * all with LEAKGUARD_E2E_KEEP=1. A cluster someone started with `npm run cluster:up` is reused and
 * left running for them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultEnvFile, parseEnvFile, repoRoot } from './env.js';

function clusterId(): string | undefined {
  try {
    return parseEnvFile(readFileSync(defaultEnvFile(), 'utf8')).LEAKGUARD_E2E_CLUSTER_ID;
  } catch {
    return undefined;
  }
}

function run(script: string): void {
  const result = spawnSync('bash', [join(repoRoot, 'test/e2e/cluster', script)], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`test/e2e/cluster/${script} failed (exit ${result.status ?? result.signal})`);
}

export default function setup(): () => void {
  const before = clusterId();
  run('up.sh');
  const after = clusterId();
  const createdHere = after !== undefined && after !== before;
  return () => {
    if (!createdHere) {
      console.log('[e2e] leaving the cluster running: this run reused it');
    } else if (process.env.LEAKGUARD_E2E_KEEP === '1') {
      console.log('[e2e] LEAKGUARD_E2E_KEEP=1: leaving the cluster running (npm run cluster:down stops it)');
    } else {
      run('down.sh');
    }
  };
}
