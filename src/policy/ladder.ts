/**
 * Walking a profile's ladder from the rung the incident has reached: the first rung that applies to
 * this workload becomes the candidate action; rungs that cannot apply are passed, with the reason.
 */
import {
  describeUpgradePath,
  describeWorkaround,
  issueLinks,
  parseImageRef,
  type KnownIssueMatch,
} from '../catalog/index.js';
import { describeRule } from '../catalog/describe.js';
import { actionIdFor } from './ids.js';
import { canRestart, isTemplated } from './predicates.js';
import type {
  ActionDetails,
  PlanAction,
  PlanActionKind,
  PlanSkip,
  PlanSubject,
  PlanWords,
  PlanTarget,
  ProfilePolicy,
  VerdictSummary,
  WorkaroundSpec,
} from './types.js';
import type { ImageSwap, WorkloadState } from '../model/state.js';

/** Everything known about one leaking workload in this run. */
export interface Incident {
  profile: ProfilePolicy;
  state: WorkloadState;
  /** The worst leaking target: the pod an eviction would hit, the container a workaround patches. */
  primary: PlanTarget;
  subject: PlanSubject;
  incidentId: string;
  incidentStart: number;
  /** The workload's incident before this one, named in its IDs (null for its first). */
  follows: string | null;
  matches: KnownIssueMatch[];
  verdict: VerdictSummary;
  dryRun: boolean;
  words: PlanWords;
}

export interface LadderStep {
  candidate: PlanAction | null;
  /** Rungs skipped with a reason the user must see (GitOps ownership, orphan pods). */
  skips: PlanSkip[];
  /** Rungs that did not apply, for the ladder-exhausted note. */
  passed: string[];
}

function nonEmpty(spec: WorkaroundSpec | undefined): WorkaroundSpec | null {
  if (!spec) return null;
  const hasEnv = spec.env !== undefined && Object.keys(spec.env).length > 0;
  const hasConfigMap = spec.configMap !== undefined && Object.keys(spec.configMap.data).length > 0;
  if (!hasEnv && !hasConfigMap) return null;
  return { ...(hasEnv ? { env: spec.env } : {}), ...(hasConfigMap ? { configMap: spec.configMap } : {}) };
}

/**
 * The profile's workaround, else the first certainly matched known issue's: a workaround restarts pods,
 * so an issue whose condition could not be checked does not bring its own.
 */
export function resolveWorkaround(profile: ProfilePolicy, matches: readonly KnownIssueMatch[]): WorkaroundSpec | null {
  const certain = matches.filter((match) => match.certainty === 'certain');
  return (
    nonEmpty(profile.workaround) ??
    certain.map((match) => nonEmpty(match.issue.workaround)).find((spec) => spec !== null) ??
    null
  );
}

/** The ID of this incident's action at `rung`. */
function actionId(incident: Incident, kind: PlanActionKind, rung: number): string {
  return actionIdFor(
    incident.profile.name,
    incident.subject.workload,
    { start: incident.incidentStart, follows: incident.follows },
    kind,
    rung,
  );
}

export function buildAction(
  incident: Incident,
  kind: PlanActionKind,
  rung: number,
  disruptive: boolean,
  reason: string,
  details: Omit<ActionDetails, 'knownIssues' | 'verdict'>,
): PlanAction {
  const { subject, incidentId, incidentStart } = incident;
  return {
    type: 'action',
    ...subject,
    id: actionId(incident, kind, rung),
    kind,
    incidentId,
    incidentStart,
    rung,
    disruptive,
    reason,
    details: { ...details, knownIssues: incident.matches.map((match) => match.explanation), verdict: incident.verdict },
    dryRun: incident.dryRun,
  };
}

export function buildSkip(
  incident: Incident,
  reason: PlanSkip['reason'],
  note: string,
  wanted: PlanActionKind | null,
  actionId: string | null,
): PlanSkip {
  return { type: 'skip', ...incident.subject, reason, wanted, actionId, incidentId: incident.incidentId, note };
}

function restartRung(incident: Incident, rung: number, step: LadderStep): PlanAction | null {
  const { primary, profile, words } = incident;
  if (primary.facts.foreignOwner) {
    step.skips.push(
      buildSkip(
        incident,
        'foreign-owner',
        words.foreignOwner(primary.facts.pod.name, primary.facts.foreignOwner),
        'restart',
        actionId(incident, 'restart', rung),
      ),
    );
    return null;
  }
  const forbidding = incident.matches.find((match) => match.issue.restarts === 'notify-and-pr-only');
  if (forbidding) {
    step.passed.push(words.rungPassed('restart', words.restartForbidden(forbidding.issue.id)));
    return null;
  }
  const how = canRestart(primary, profile.restartMode);
  const id = actionId(incident, 'restart', rung);
  if (!how) {
    step.skips.push(buildSkip(incident, 'no-controller', words.orphanPod(primary.facts.pod.name), 'restart', id));
    return null;
  }
  const why = how.instead ? words.evictInstead(how.instead, primary.facts.workload.kind) : null;
  return buildAction(incident, 'restart', rung, true, words.rungReason(incident.verdict, profile.ladder, rung, why), {
    restart: { mode: how.mode, annotationValue: id },
  });
}

/**
 * The catalogue's official hotfix image for a certain match: patched into the pod template only for
 * the exact affected tag (`v1.11.0`, not a variant), never over a digest (the hotfix's is unknown),
 * never on another operator's pod (the human is told where to set it instead).
 */
function hotfixRung(incident: Incident, rung: number, step: LadderStep): PlanAction | null {
  const { primary, profile, subject, words } = incident;
  const match = incident.matches.find(
    (candidate) => candidate.certainty === 'certain' && candidate.issue.workaround?.image,
  );
  const hotfix = match?.issue.workaround?.image;
  if (!match || !hotfix) {
    step.passed.push(words.rungPassed('workaround', words.noWorkaround()));
    return null;
  }
  const ref = parseImageRef(primary.facts.image);
  const wanted = `${ref.repository}:${hotfix.tag}`;
  if (ref.tag === hotfix.tag) {
    step.passed.push(words.rungPassed('workaround', words.workaroundInPlace(wanted)));
    return null;
  }
  const id = actionId(incident, 'workaround', rung);
  const owner = primary.facts.foreignOwner;
  if (owner) {
    // The restart rung has already said who owns the pod; say it here only when it has not.
    const said = step.skips.some((skip) => skip.reason === 'foreign-owner');
    const pod = primary.facts.pod.name;
    step.skips.push(
      buildSkip(
        incident,
        'foreign-owner',
        words.hotfixElsewhere(match.issue.id, wanted, hotfix.setIn ?? null, pod, owner, said),
        'workaround',
        id,
      ),
    );
    return null;
  }
  if (ref.digest) {
    step.skips.push(
      buildSkip(incident, 'digest-pinned', words.hotfixOverDigest(primary.facts.image, wanted), 'workaround', id),
    );
    return null;
  }
  if (ref.tag !== hotfix.forVersion && ref.tag !== `v${hotfix.forVersion}`) {
    step.passed.push(
      words.rungPassed('workaround', words.hotfixForOtherTag(hotfix.tag, hotfix.forVersion, ref.tag ?? null)),
    );
    return null;
  }
  if (!isTemplated(subject.workload)) {
    step.passed.push(words.rungPassed('workaround', words.noPodTemplate(subject.workload.kind)));
    return null;
  }
  const gitops = primary.facts.gitopsOwner;
  if (gitops) {
    const { kind, name } = subject.workload;
    const note = words.gitopsWorkaround(kind, name, gitops, { hotfix: wanted });
    step.skips.push(buildSkip(incident, 'gitops-owned', note, 'workaround', id));
    return null;
  }
  const rolls = subject.workload.kind === 'DaemonSet' ? words.daemonSetHotfix() : null;
  return buildAction(
    incident,
    'workaround',
    rung,
    true,
    words.rungReason(incident.verdict, profile.ladder, rung, rolls),
    {
      image: { container: primary.facts.container, previous: primary.facts.image, hotfix: wanted },
    },
  );
}

function workaroundRung(incident: Incident, rung: number, step: LadderStep): PlanAction | null {
  const { primary, profile, subject, words } = incident;
  const spec = resolveWorkaround(profile, incident.matches);
  if (!spec) return hotfixRung(incident, rung, step);
  const text = describeWorkaround(spec) ?? 'workaround';
  if (primary.facts.foreignOwner) {
    step.passed.push(
      words.rungPassed('workaround', words.foreignOwner(primary.facts.pod.name, primary.facts.foreignOwner)),
    );
    return null;
  }
  const owner = primary.facts.gitopsOwner;
  if (owner) {
    const id = actionId(incident, 'workaround', rung);
    const note = words.gitopsWorkaround(subject.workload.kind, subject.workload.name, owner, { workaround: text });
    step.skips.push(buildSkip(incident, 'gitops-owned', note, 'workaround', id));
    return null;
  }
  // The env var and the ConfigMap key are alternatives: with the env var already set, the workaround is
  // in place (the ConfigMap cannot be seen from here, and setting it too would change nothing).
  const envInPlace =
    spec.env !== undefined && Object.entries(spec.env).every(([name, value]) => primary.facts.env[name] === value);
  if (envInPlace) {
    step.passed.push(words.rungPassed('workaround', words.workaroundInPlace(text)));
    return null;
  }
  const env = spec.env && isTemplated(subject.workload) ? spec.env : undefined;
  if (!env && !spec.configMap) {
    step.passed.push(words.rungPassed('workaround', words.noPodTemplate(subject.workload.kind)));
    return null;
  }
  return buildAction(
    incident,
    'workaround',
    rung,
    env !== undefined,
    words.rungReason(incident.verdict, profile.ladder, rung, null),
    {
      ...(env ? { env } : {}),
      ...(spec.configMap ? { configMap: spec.configMap } : {}),
    },
  );
}

function upgradeRung(incident: Incident, rung: number, step: LadderStep): PlanAction | null {
  const match = incident.matches.find((candidate) => candidate.targetVersion !== null);
  if (!match || !match.targetVersion) {
    const blocked = incident.matches.find((candidate) => candidate.blocked !== null);
    const { words } = incident;
    const why = blocked
      ? words.upgradeBlocked(blocked.issue.id, blocked.blocked ?? null)
      : words.noKnownIssue(incident.primary.facts.image);
    step.passed.push(words.rungPassed('upgrade-pr', why));
    return null;
  }
  return buildAction(
    incident,
    'upgrade-pr',
    rung,
    false,
    incident.words.rungReason(incident.verdict, incident.profile.ladder, rung, null),
    {
      upgrade: upgradeDetails(
        match,
        match.targetVersion,
        runsHotfix(incident) ? incident.state.workaroundImage! : undefined,
      ),
    },
  );
}

/** The bump a known issue's match proposes, and why: what the upgrade PR (and the demo's) says. */
export function upgradeDetails(
  match: KnownIssueMatch,
  toVersion: string,
  hotfix?: ImageSwap,
): NonNullable<ActionDetails['upgrade']> {
  return {
    issueId: match.issue.id,
    fromVersion: match.version,
    toVersion,
    path: describeUpgradePath(match),
    links: issueLinks(match.issue),
    rule: describeRule(match.issue),
    notes: match.upgradeNotes,
    checked: match.issue.checked,
    ...(match.issue.chart ? { chart: match.issue.chart } : {}),
    ...(match.issue.components.length > 0 ? { components: match.issue.components } : {}),
    ruleId: match.issue.upgrade.rule,
    ...(hotfix ? { hotfix } : {}),
  };
}

/** The pods run the hotfix image leakguard set (recorded in the state). */
function runsHotfix(incident: Incident): boolean {
  const swap = incident.state.workaroundImage;
  return (
    swap !== null &&
    swap !== undefined &&
    swap.container === incident.primary.facts.container &&
    swap.hotfix === incident.primary.facts.image
  );
}

/** The first applicable rung at or after `fromRung`. */
export function walkLadder(incident: Incident, fromRung: number): LadderStep {
  const step: LadderStep = { candidate: null, skips: [], passed: [] };
  const rungs = { restart: restartRung, workaround: workaroundRung, 'upgrade-pr': upgradeRung };
  for (let rung = fromRung; rung < incident.profile.ladder.length && !step.candidate; rung++) {
    const kind = incident.profile.ladder[rung];
    if (kind) step.candidate = rungs[kind](incident, rung, step);
  }
  return step;
}

/**
 * Undo the workaround leakguard applied, exactly: each env var and ConfigMap key back to what it held
 * before (recorded in the state with the action), and the image it replaced with a hotfix (the hotfix
 * tag no longer names the version it stood in for). A workaround found already in place is not
 * leakguard's (nothing recorded), and is never reverted.
 */
export function revertAction(incident: Incident, why: string): PlanAction | null {
  const recorded = incident.state.workaround ?? null;
  const swap = incident.state.workaroundImage;
  // Only while the pods still run the hotfix: an upgrade since has replaced it, and there is nothing to undo.
  const image = swap && runsHotfix(incident) && isTemplated(incident.subject.workload) ? swap : undefined;
  const env = recorded?.env && isTemplated(incident.subject.workload) ? recorded.env : undefined;
  const configMap = recorded?.configMap;
  if (!env && !configMap && !image) return null;
  const rung = Math.max(0, incident.profile.ladder.indexOf('workaround'));
  return buildAction(incident, 'revert-workaround', rung, env !== undefined || image !== undefined, why, {
    revert: { ...(env ? { env } : {}), ...(configMap ? { configMap } : {}), ...(image ? { image } : {}) },
  });
}

/** Why an ineffective workaround is reverted. */
export function ineffectiveRevertReason(incident: Incident): string {
  const spec = resolveWorkaround(incident.profile, incident.matches);
  return incident.words.ineffectiveRevert(runsHotfix(incident), describeWorkaround(spec ?? undefined) ?? 'workaround');
}
