/**
 * The real `helm` binary (built by the e2e harness into its cache, see test/e2e/provision/) and
 * helpers to render the chart and read what it rendered. Used by the e2e suite only: the unit suite
 * never needs Go binaries.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const chartDir = join(repoRoot, 'chart');
export const valuesDir = join(repoRoot, 'test/chart/values');
/** The control plane's version in the harness; `helm template` needs it (the chart wants >=1.27). */
export const kubeVersion = '1.34.4';

/** The harness's binary cache: `.leakguard-e2e/env`'s E2E_BIN, else the path versions.sh computes. */
export function e2eBinDir(): string {
  const envFile = join(process.env.LEAKGUARD_E2E_STATE ?? join(repoRoot, '.leakguard-e2e'), 'env');
  if (existsSync(envFile)) {
    const m = /^export E2E_BIN='([^']*)'$/m.exec(readFileSync(envFile, 'utf8'));
    if (m?.[1]) return m[1];
  }
  return execFileSync('bash', ['-c', 'source test/e2e/provision/versions.sh && printf %s "$LEAKGUARD_E2E_BIN"'], { cwd: repoRoot, encoding: 'utf8' });
}

/** Path of helm, or an Error that says how to get it (tests fail with it rather than pass silently). */
export function helmBinary(): string {
  const helm = join(e2eBinDir(), 'helm');
  if (!existsSync(helm)) {
    const build = '`bash test/e2e/provision/build-binaries.sh k8s` (helm is built with the Kubernetes binaries)';
    throw new Error(`helm is not built: ${helm} is missing — run ${build} or \`npm run cluster:up\``);
  }
  return helm;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function helm(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<HelmResult> {
  const binary = helmBinary();
  return new Promise((resolve) => {
    execFile(binary, args, { env: { ...process.env, ...env }, maxBuffer: 32 * 1024 * 1024, timeout: 180_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * helm against a cluster, with its own cache/config/data homes under `home` so a test never reads or
 * writes the user's; throws with helm's message on failure.
 */
export async function helmInCluster(args: readonly string[], kubeconfig: string, home: string): Promise<string> {
  const result = await helm([...args, '--kubeconfig', kubeconfig], {
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  });
  if (result.code !== 0) throw new Error(`helm ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML is invalid: ${doc.errors[0]!.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Values files under test/chart/values/ (by file name) or absolute paths. */
  values?: string[];
  set?: string[];
}

function templateArgs(options: RenderOptions): string[] {
  const args = ['template', options.release ?? 'lg', chartDir, '--namespace', options.namespace ?? 'leakguard', '--kube-version', kubeVersion];
  for (const file of options.values ?? []) args.push('--values', file.startsWith('/') ? file : join(valuesDir, file));
  for (const s of options.set ?? []) args.push('--set', s);
  return args;
}

/** `helm template`; throws with helm's message when the chart refuses the values. */
export async function render(options: RenderOptions = {}): Promise<Manifest[]> {
  const result = await helm(templateArgs(options));
  if (result.code !== 0) throw new Error(result.stderr.trim() || `helm template exited ${result.code}`);
  return parseManifests(result.stdout);
}

/** `helm template` expected to fail: its error output. */
export async function renderError(options: RenderOptions): Promise<string> {
  const result = await helm(templateArgs(options));
  if (result.code === 0) throw new Error(`helm template accepted ${JSON.stringify(options)}`);
  return result.stderr;
}

export function findOne(manifests: Manifest[], kind: string, name?: string, namespace?: string): Manifest {
  const found = manifests.filter(
    (m) => m.kind === kind && (name === undefined || m.metadata.name === name) && (namespace === undefined || m.metadata.namespace === namespace),
  );
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}${namespace ? ` in ${namespace}` : ''}, found ${found.length}`);
  return found[0]!;
}
