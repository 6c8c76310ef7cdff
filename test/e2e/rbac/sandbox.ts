/**
 * Sandboxes for tests that mutate: a fresh namespace holding a copy of the Rook fixture (same
 * Deployment, ServiceAccount and ConfigMap as `fixtures/rook-ceph.yaml`) and the profile Roles
 * from this folder, so leakguard's ServiceAccount has exactly the rights the chart gives it there.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { fixturePath, kubectl, type E2eEnv } from '../support/index.js';
import { leakguardNamespaceYaml, profileRolesYaml } from './manifests.js';

export interface SandboxOptions {
  /** Extra labels on the Deployment (e.g. Flux's). */
  deploymentLabels?: Record<string, string>;
  /** Extra manifests (YAML) applied after the fixture, e.g. a PodDisruptionBudget. */
  extra?: string;
}

type Doc = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

/** The Rook fixture's objects, moved to `namespace`. */
export function rookFixtureIn(namespace: string, options: SandboxOptions = {}): string {
  const docs = parseAllDocuments(readFileSync(fixturePath('rook-ceph.yaml'), 'utf8'))
    .map((d) => d.toJS() as Doc)
    .filter((d) => d.kind !== 'Namespace')
    .map((d) => {
      const labels =
        d.kind === 'Deployment' ? { ...d.metadata.labels, ...options.deploymentLabels } : d.metadata.labels;
      return { ...d, metadata: { ...d.metadata, namespace, ...(labels ? { labels } : {}) } };
    });
  return [
    stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }),
    ...docs.map((d) => stringify(d)),
  ].join('---\n');
}

/**
 * Server-side apply: e2e files run side by side, and on a new cluster two of them may create these
 * objects at the same moment (a client-side apply then fails with AlreadyExists; this one updates).
 */
export async function applyLeakguardRbac(env: E2eEnv): Promise<void> {
  await kubectl(['apply', '--server-side', '-f', '-'], { env, input: leakguardNamespaceYaml() });
}

/** Creates the sandbox and waits until its operator Deployment has rolled out. */
export async function createSandbox(env: E2eEnv, namespace: string, options: SandboxOptions = {}): Promise<void> {
  await kubectl(['apply', '-f', '-'], { env, input: rookFixtureIn(namespace, options) });
  await kubectl(['apply', '-f', '-'], { env, input: profileRolesYaml(namespace) });
  if (options.extra) await kubectl(['apply', '-n', namespace, '-f', '-'], { env, input: options.extra });
  await kubectl(['rollout', 'status', 'deployment/rook-ceph-operator', '-n', namespace, '--timeout=240s'], {
    env,
    timeoutMs: 250_000,
  });
}

/** Namespaces are deleted in the background; the next run uses new names. */
export async function deleteSandboxes(env: E2eEnv, namespaces: string[]): Promise<void> {
  if (namespaces.length > 0)
    await kubectl(['delete', 'namespace', '--wait=false', '--ignore-not-found', ...namespaces], { env });
}
