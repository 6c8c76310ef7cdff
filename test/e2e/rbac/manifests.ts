/**
 * The RBAC manifests in this folder, retargeted to other namespaces for tests (the objects are the
 * same as shipped; only `metadata.namespace` changes, and the subjects stay leakguard/leakguard).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

export function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(here, file), 'utf8')).map((doc) => doc.toJS() as Manifest);
}

function toYaml(manifests: Manifest[]): string {
  return manifests.map((m) => stringify(m)).join('---\n');
}

/** leakguard's namespace with its ServiceAccount and Lease Role, as shipped. */
export function leakguardNamespaceYaml(): string {
  return readFileSync(join(here, 'leakguard-namespace.yaml'), 'utf8');
}

/** The per-action Roles and RoleBindings of a profile, in `namespace`. */
export function profileRolesYaml(namespace: string): string {
  return toYaml(readManifests('profile-roles.yaml').map((m) => ({ ...m, metadata: { ...m.metadata, namespace } })));
}

/** The Lease Role and its binding, in `namespace` (so a test can own its Lease without touching leakguard's). */
export function leaseRoleYaml(namespace: string): string {
  const lease = readManifests('leakguard-namespace.yaml').filter((m) => m.kind === 'Role' || m.kind === 'RoleBinding');
  return toYaml(lease.map((m) => ({ ...m, metadata: { ...m.metadata, namespace } })));
}
