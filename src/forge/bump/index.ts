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

/**
 * `bumped` with the new text, or `already` when the running version is gone and the target is
 * pinned (an earlier run's bump, or someone else's merged upgrade). Throws BumpError otherwise.
 */
export function bumpOrAlready(text: string, req: BumpRequest): { kind: 'bumped'; result: BumpResult } | { kind: 'already' } {
  try {
    return { kind: 'bumped', result: bumpFile(text, req) };
  } catch (err) {
    if (err instanceof BumpError && err.code === 'version-not-found' && pinsVersion(text, req.toVersion, req)) return { kind: 'already' };
    throw err;
  }
}

/** True when the file already pins `version` (a re-run finds its own earlier bump). */
export function pinsVersion(text: string, version: string, req: Pick<BumpRequest, 'fileName' | 'image'> = {}): boolean {
  try {
    return locateAll(text, { fileName: req.fileName, image: req.image, fromVersion: version, toVersion: version }).changes.length > 0;
  } catch {
    return false;
  }
}
