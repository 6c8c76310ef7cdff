/**
 * Whether a `leakguard/` branch holds only leakguard's work. Anyone with push access can push to it;
 * leakguard opens, updates or resets it only when every commit it has beyond the base branch was
 * made by leakguard, so its PR carries leakguard's change and a force-reset destroys nobody's work.
 */
import type { Compare } from './github-schema.js';

/**
 * GitHub shows a commit made through the API as authored by the caller, committed by the caller or by
 * `web-flow` (GitHub's signing identity).
 */
function isOurs(commit: Compare['commits'][number], login: string): boolean {
  const me = login.toLowerCase();
  const author = commit.author?.login.toLowerCase();
  const committer = commit.committer?.login.toLowerCase();
  return author === me && (committer === me || committer === 'web-flow');
}

/** Why the branch is not leakguard's alone, or null when it is. */
export function foreignCommitsReason(compare: Compare, login: string, branch: string, base: string): string | null {
  if (compare.ahead_by === 0) return null;
  const foreign = compare.commits.filter((c) => !isOurs(c, login));
  const unseen = compare.ahead_by - compare.commits.length;
  if (foreign.length === 0 && unseen <= 0) return null;
  const shown = foreign
    .slice(0, 3)
    .map((c) => `${c.sha.slice(0, 7)} by ${c.author?.login ?? c.committer?.login ?? 'an unknown author'}`);
  const count = foreign.length + Math.max(0, unseen);
  const which = shown.length > 0 ? ` (${shown.join(', ')}${count > shown.length ? ', …' : ''})` : '';
  return (
    `branch ${branch} holds ${count} commit${count === 1 ? '' : 's'} beyond ${base} not made by leakguard (${login})${which}; ` +
    `leakguard's PR must hold only its own change, so it neither adopts nor resets the branch: ` +
    `delete the branch (or remove those commits) and the next run proposes the upgrade`
  );
}
