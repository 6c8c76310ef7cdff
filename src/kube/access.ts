/**
 * What this run may do, asked of the API server before a change of several parts (a workaround's
 * ConfigMap key and env var): SelfSubjectAccessReview, which every authenticated identity may create.
 * Asking first is what makes such a change whole or not at all: a part the Role does not grant is found
 * before the first patch, not after it.
 */
import type { KubeContext } from './context.js';
import type { AccessCheck, AccessResult } from './types.js';

export async function checkAccess(ctx: KubeContext, checks: readonly AccessCheck[]): Promise<AccessResult> {
  const denied: AccessCheck[] = [];
  for (const check of checks) {
    const body = {
      spec: {
        resourceAttributes: {
          verb: check.verb,
          group: check.group,
          resource: check.resource,
          namespace: check.namespace,
          name: check.name,
        },
      },
    };
    const review = await ctx.call(() => ctx.authorization.createSelfSubjectAccessReview({ body }));
    if (!review.ok) return { outcome: 'failed', error: review.error };
    if (review.value.status?.allowed !== true) denied.push(check);
  }
  return { outcome: 'checked', denied };
}
