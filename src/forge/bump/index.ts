/**
 * File bumpers: change the operator version in a GitOps file and nothing else.
 * Pure: text in, text out, or a typed BumpError.
 */
import { locateAll } from './locate.js';
import { BumpError, type BumpRequest, type BumpResult } from './types.js';
import { stripV } from './version.js';
import { applyEdits } from './yaml-edit.js';

export { BumpError } from './types.js';
export type { BumpChange, BumpErrorCode, BumpRequest, BumpResult, ManifestKind } from './types.js';
export { detectKind } from './locate.js';

/**
 * Bumps every occurrence of `fromVersion` at the places the file's kind keeps versions.
 * Throws BumpError('version-not-found') when there is none, so no PR is opened for a file that
 * does not pin the running version.
 */
export function bumpFile(text: string, req: BumpRequest): BumpResult {
  const located = locateAll(text, req);
  const first = located.changes[0];
  if (!first) {
    const kinds = [...new Set(located.kinds)].join(', ');
    throw new BumpError(
      'version-not-found',
      `${req.fileName ?? 'file'}: version ${stripV(req.fromVersion)} not found at any place a ${kinds} keeps its version`,
    );
  }
  return {
    kind: first.kind,
    content: applyEdits(text, located.edits),
    changes: located.changes,
    dependencies: located.dependencies,
  };
}

/** True when the file already pins `version` (a re-run finds its own earlier bump). */
export function pinsVersion(text: string, version: string, req: Omit<BumpRequest, 'fromVersion' | 'toVersion'> = {}): boolean {
  try {
    return locateAll(text, { ...req, fromVersion: version, toVersion: version }).changes.length > 0;
  } catch {
    return false;
  }
}
