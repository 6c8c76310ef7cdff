/**
 * Sentences about an incident's life after detection: a workaround applied whole or not at all, the
 * upgrade proposed with it, the rollout seen, the verification on the new version, the revert. Pure.
 */
import type { AccessCheck } from '../kube/types.js';

/** "patch configmaps rook-ceph/rook-ceph-operator-config" */
export function describeAccess(check: AccessCheck): string {
  return `${check.verb} ${check.resource} ${check.namespace}/${check.name}`;
}

export function workaroundDeniedText(denied: readonly AccessCheck[]): string {
  return `leakguard may not ${denied.map(describeAccess).join(', ')} (its Role does not grant it): nothing was changed, a workaround is applied whole or not at all`;
}

export function accessUncheckedText(message: string): string {
  return `could not check leakguard's rights before the workaround (${message}): nothing was changed`;
}

/** A later part failed after earlier ones were applied: they were undone (or could not be, said plainly). */
export function workaroundRolledBackText(failure: string, undone: readonly string[], stuck: readonly string[]): string {
  const back = undone.length > 0 ? `; undid what was already applied (${undone.join(', ')})` : '';
  const left = stuck.length > 0 ? `; could NOT undo ${stuck.join(', ')}: check it by hand` : ', nothing is left changed';
  return `${failure}${back}${left}`;
}
