/**
 * Walking a profile's ladder from the rung the incident has reached: the first rung that applies to
 * this workload becomes the candidate action; rungs that cannot apply are passed, with the reason.
 */
import { describeUpgradePath, describeWorkaround, issueLinks, ruleText, type KnownIssueMatch } from '../catalog/index.js';
import { actionIdFor } from './ids.js';
import { canRestart, isTemplated } from './predicates.js';
import type { ActionDetails, PlanAction, PlanActionKind, PlanSkip, PlanSubject, PlanTarget, ProfilePolicy, VerdictSummary, WorkaroundSpec, WorkloadState } from './types.js';
import { describeLeak } from './describe.js';

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
  return nonEmpty(profile.workaround) ?? certain.map((match) => nonEmpty(match.issue.workaround)).find((spec) => spec !== null) ?? null;
}

/** The ID of this incident's action at `rung`. */
function actionId(incident: Incident, kind: PlanActionKind, rung: number): string {
  return actionIdFor(incident.profile.name, incident.subject.workload, { start: incident.incidentStart, follows: incident.follows }, kind, rung);
}

export function buildAction(incident: Incident, kind: PlanActionKind, rung: number, disruptive: boolean, reason: string, details: Omit<ActionDetails, 'knownIssues' | 'verdict'>): PlanAction {
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

export function buildSkip(incident: Incident, reason: PlanSkip['reason'], note: string, wanted: PlanActionKind | null, actionId: string | null): PlanSkip {
  return { type: 'skip', ...incident.subject, reason, wanted, actionId, incidentId: incident.incidentId, note };
}

function rungLabel(profile: ProfilePolicy, rung: number): string {
  return `rung ${rung + 1}/${profile.ladder.length} of ${profile.ladder.join(' → ')}`;
}

function foreignOwnerNote(pod: string, owner: string): string {
  return `pod ${pod} is managed by ${owner}, which leakguard does not understand: notify only (restarting or patching it could fight its operator)`;
}

function restartRung(incident: Incident, rung: number, step: LadderStep): PlanAction | null {
  const { primary, profile } = incident;
  if (primary.facts.foreignOwner) {
    step.skips.push(buildSkip(incident, 'foreign-owner', foreignOwnerNote(primary.facts.pod.name, primary.facts.foreignOwner), 'restart', actionId(incident, 'restart', rung)));
    return null;
  }
  const forbidding = incident.matches.find((match) => match.issue.restarts === 'notify-and-pr-only');
  if (forbidding) {
    step.passed.push(`restart: known issue ${forbidding.issue.id} says notify and PR only (no automatic restart)`);
    return null;
  }
  const how = canRestart(primary, profile.restartMode);
  const id = actionId(incident, 'restart', rung);
  if (!how) {
    step.skips.push(buildSkip(incident, 'no-controller', `pod ${primary.facts.pod.name} has no controller: leakguard never evicts or deletes an orphan pod`, 'restart', id));
    return null;
  }
  const why = how.why ? ` (${how.why})` : '';
  return buildAction(incident, 'restart', rung, true, `${describeLeak(incident.verdict)}; ${rungLabel(profile, rung)}${why}`, {
    restart: { mode: how.mode, annotationValue: id },
  });
}

function workaroundRung(incident: Incident, rung: number, step: LadderStep): PlanAction | null {
  const { primary, profile, subject } = incident;
  const spec = resolveWorkaround(profile, incident.matches);
  if (!spec) {
    const hotfix = incident.matches.find((match) => match.issue.workaround?.image?.forVersion === match.version);
    const image = hotfix?.issue.workaround?.image;
    step.passed.push(
      hotfix && image
        ? `workaround: ${hotfix.issue.id} documents the official hotfix image tag ${image.tag} for ${image.forVersion}; leakguard does not override images: set it where the operator takes its image`
        : 'workaround: none configured for the profile or its known issues',
    );
    return null;
  }
  const text = describeWorkaround(spec) ?? 'workaround';
  if (primary.facts.foreignOwner) {
    step.passed.push(`workaround: ${foreignOwnerNote(primary.facts.pod.name, primary.facts.foreignOwner)}`);
    return null;
  }
  const owner = primary.facts.gitopsOwner;
  if (owner) {
    const id = actionId(incident, 'workaround', rung);
    const note = `${subject.workload.kind} ${subject.workload.name} is owned by ${owner}: the workaround (${text}) is not patched live, ${owner} would revert it; commit it to Git, or let the upgrade PR fix the leak`;
    step.skips.push(buildSkip(incident, 'gitops-owned', note, 'workaround', id));
    return null;
  }
  // The env var and the ConfigMap key are alternatives: with the env var already set, the workaround is
  // in place (the ConfigMap cannot be seen from here, and setting it too would change nothing).
  const envInPlace = spec.env !== undefined && Object.entries(spec.env).every(([name, value]) => primary.facts.env[name] === value);
  if (envInPlace) {
    step.passed.push(`workaround: already in place (${text})`);
    return null;
  }
  const env = spec.env && isTemplated(subject.workload) ? spec.env : undefined;
  if (!env && !spec.configMap) {
    step.passed.push(`workaround: a ${subject.workload.kind} has no pod template to patch`);
    return null;
  }
  return buildAction(incident, 'workaround', rung, env !== undefined, `${describeLeak(incident.verdict)}; ${rungLabel(profile, rung)}`, {
    ...(env ? { env } : {}),
    ...(spec.configMap ? { configMap: spec.configMap } : {}),
  });
}

function upgradeRung(incident: Incident, rung: number, step: LadderStep): PlanAction | null {
  const match = incident.matches.find((candidate) => candidate.targetVersion !== null);
  if (!match || !match.targetVersion) {
    const blocked = incident.matches.find((candidate) => candidate.blocked !== null);
    const why = blocked ? `${blocked.issue.id}: ${blocked.blocked ?? ''}` : `no known issue matches ${incident.primary.facts.image}`;
    step.passed.push(`upgrade-pr: ${why}`);
    return null;
  }
  const path = describeUpgradePath(match);
  const { caveat } = match.issue.upgrade;
  return buildAction(incident, 'upgrade-pr', rung, false, `${describeLeak(incident.verdict)}; ${rungLabel(incident.profile, rung)}`, {
    upgrade: {
      issueId: match.issue.id,
      fromVersion: match.version,
      toVersion: match.targetVersion,
      path,
      links: issueLinks(match.issue),
      rule: caveat ? `${ruleText[match.issue.upgrade.rule]}; ${caveat}` : ruleText[match.issue.upgrade.rule],
      notes: match.upgradeNotes,
      checked: match.issue.checked,
      ...(match.issue.chart ? { chart: match.issue.chart } : {}),
    },
  });
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

/** Undo an ineffective workaround leakguard applied: drop its env vars and ConfigMap keys. */
export function revertAction(incident: Incident): PlanAction | null {
  const spec = resolveWorkaround(incident.profile, incident.matches);
  if (!spec) return null;
  const envNames = Object.keys(spec.env ?? {}).filter((name) => name in incident.primary.facts.env);
  if (envNames.length === 0 && !spec.configMap) return null;
  const rung = Math.max(0, incident.profile.ladder.indexOf('workaround'));
  return buildAction(incident, 'revert-workaround', rung, envNames.length > 0, `the workaround (${describeWorkaround(spec)}) did not stop the leak; reverting it`, {
    revert: { envNames, ...(spec.configMap ? { configMap: { name: spec.configMap.name, keys: Object.keys(spec.configMap.data) } } : {}) },
  });
}
