import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from './env.js';

export const fixturesDir = join(repoRoot, 'test/e2e/fixtures');

/** Path of a fixture manifest under test/e2e/fixtures, for `kubectl apply -f`. */
export function fixturePath(name: string): string {
  return join(fixturesDir, name);
}

interface ManifestDoc {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

/**
 * A fixture moved into another namespace (its Namespace object renamed, every namespaced object's
 * metadata.namespace rewritten), for tests that need a private copy they may disrupt.
 */
export function fixtureInNamespace(name: string, namespace: string): string {
  const docs = parseAllDocuments(readFileSync(fixturePath(name), 'utf8'))
    .map((d) => d.toJSON() as ManifestDoc | null)
    .filter((d): d is ManifestDoc => d !== null);
  for (const doc of docs) {
    doc.metadata ??= {};
    if (doc.kind === 'Namespace') doc.metadata.name = namespace;
    else doc.metadata.namespace = namespace;
  }
  return docs.map((d) => stringify(d)).join('---\n');
}
