/** The one place a watched target is matched against the catalogue: the plan, Slack and the PR quote the same matches. */
import { matchKnownIssues, type Catalog, type KnownIssueMatch, type PodView } from '../catalog/index.js';
import { versionFromImage } from '../catalog/image.js';
import type { WorkloadState } from '../model/state.js';
import type { TargetFacts } from '../model/workload.js';

/** What the catalogue's condition checks may read: only what discovery already reported. */
export function podViewOf(facts: Pick<TargetFacts, 'env' | 'podCommands' | 'container'>): PodView {
  return { env: facts.env, container: facts.container, ...(facts.podCommands ? { commands: facts.podCommands } : {}) };
}

/** Entries matching this target's image, version, container and pod; `ids` restricts to a profile's list. */
export function knownIssuesFor(
  catalog: Catalog,
  facts: Pick<TargetFacts, 'image' | 'version' | 'env' | 'podCommands' | 'container'>,
  ids: readonly string[] = [],
): KnownIssueMatch[] {
  return matchKnownIssues(catalog, facts.image, {
    version: facts.version,
    ids,
    container: facts.container,
    pod: podViewOf(facts),
  });
}

/**
 * The catalogue lists this target's image as affected by a known leak (a certain match within the
 * profile's `knownIssues`): prior evidence the detector may weigh (JudgeInput.knownAffected), never a
 * leak by itself. Every command that judges (run, status, report) asks it the same way, in observeProfile.
 */
export function isKnownAffected(
  catalog: Catalog,
  facts: Pick<TargetFacts, 'image' | 'version' | 'env' | 'podCommands' | 'container'>,
  ids: readonly string[],
): boolean {
  return knownIssuesFor(catalog, facts, ids).some((m) => m.certainty === 'certain');
}

/**
 * A hotfix leakguard set stands in for the version it was built for: the known issue (and its fixed
 * release, for the upgrade rung) is the one of the image it replaced, which Git still pins.
 */
export function standInFacts<F extends Pick<TargetFacts, 'image' | 'version' | 'container'>>(
  facts: F,
  state: Pick<WorkloadState, 'workaroundImage'>,
): F {
  const swap = state.workaroundImage;
  if (!swap || swap.container !== facts.container || swap.hotfix !== facts.image) return facts;
  return { ...facts, image: swap.previous, version: versionFromImage(swap.previous) };
}
