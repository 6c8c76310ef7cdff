/** The one place a watched target is matched against the catalogue: the plan, Slack and the PR quote the same matches. */
import { matchKnownIssues, type Catalog, type KnownIssueMatch, type PodView } from '../catalog/index.js';
import type { TargetFacts } from '../model/workload.js';

/** What the catalogue's condition checks may read: only what discovery already reported. */
export function podViewOf(facts: Pick<TargetFacts, 'env' | 'podCommands' | 'container'>): PodView {
  return { env: facts.env, container: facts.container, ...(facts.podCommands ? { commands: facts.podCommands } : {}) };
}

/** Entries matching this target's image, version, container and pod; `ids` restricts to a profile's list. */
export function knownIssuesFor(catalog: Catalog, facts: Pick<TargetFacts, 'image' | 'version' | 'env' | 'podCommands' | 'container'>, ids: readonly string[] = []): KnownIssueMatch[] {
  return matchKnownIssues(catalog, facts.image, { version: facts.version, ids, container: facts.container, pod: podViewOf(facts) });
}
