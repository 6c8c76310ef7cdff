/**
 * The e2e cluster's coordinates, read from `.leakguard-e2e/env` (written by `npm run cluster:up`).
 * The file is sh-sourceable (`export KEY='value'` lines); this parses exactly that shape.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where cluster:up keeps its state (git-ignored); LEAKGUARD_E2E_STATE overrides. */
export function defaultStateDir(): string {
  return process.env.LEAKGUARD_E2E_STATE ?? join(repoRoot, '.leakguard-e2e');
}

export function defaultEnvFile(): string {
  return join(defaultStateDir(), 'env');
}

const envFileSchema = z.object({
  KUBECONFIG: z.string().min(1),
  PROMETHEUS_URL: z.url(),
  E2E_BIN: z.string().min(1),
  PROMETHEUS_DATA_DIR: z.string().min(1),
  KWOK_CONTROLLER_URL: z.url(),
  LEAKGUARD_E2E_STATE: z.string().min(1),
  LEAKGUARD_E2E_CLUSTER_ID: z.string().min(1),
  LEAKGUARD_E2E_REAL_NODE: z.string().optional(),
});

export interface E2eEnv {
  kubeconfig: string;
  prometheusUrl: string;
  /** Directory holding kubectl, helm, kwokctl, promtool, prometheus, etcd… */
  binDir: string;
  /** The running Prometheus's TSDB directory (for `promtool tsdb create-blocks-from` backfills). */
  prometheusDataDir: string;
  kwokControllerUrl: string;
  stateDir: string;
  /** Changes whenever cluster:up creates a new cluster (not when it reuses one). */
  clusterId: string;
  /** The real node's name (kubelet + containerd); undefined when cluster:up ran with LEAKGUARD_E2E_REAL_NODE=0. */
  realNode: string | undefined;
}

export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)='([^']*)'$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) vars[m[1]] = m[2];
  }
  return vars;
}

export function loadE2eEnv(file = defaultEnvFile()): E2eEnv {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`no e2e cluster: ${file} is missing — run \`npm run cluster:up\` first`);
  }
  const parsed = envFileSchema.safeParse(parseEnvFile(text));
  if (!parsed.success) throw new Error(`${file} is incomplete: ${z.prettifyError(parsed.error)}`);
  const v = parsed.data;
  return {
    kubeconfig: v.KUBECONFIG,
    prometheusUrl: v.PROMETHEUS_URL.replace(/\/$/, ''),
    binDir: v.E2E_BIN,
    prometheusDataDir: v.PROMETHEUS_DATA_DIR,
    kwokControllerUrl: v.KWOK_CONTROLLER_URL.replace(/\/$/, ''),
    stateDir: v.LEAKGUARD_E2E_STATE,
    clusterId: v.LEAKGUARD_E2E_CLUSTER_ID,
    realNode: v.LEAKGUARD_E2E_REAL_NODE || undefined,
  };
}
