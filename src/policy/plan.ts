/**
 * The decision engine: verdicts + facts + state + profile policy + guardrails → an ordered plan.
 * Pure: the same input always gives the same plan, IDs included (time is the `now` passed in).
 *
 * Per workload (all pods a profile matched under one owner): a leftover intent is reconciled first;
 * otherwise a leaking verdict opens or continues an incident, the ladder gives the candidate action,
 * and the workload's guardrails may turn it into a skip. Then, across workloads in order of urgency,
 * the run's budget (max actions, one pod-restarting action per workload) is spent.
 *
 * GitOps: a rollout restart of a Flux/Argo CD-owned workload is allowed (the restartedAt pod-template
 * annotation is not in Git; Flux's server-side apply and Argo CD's diff leave fields they do not
 * manage alone), but a workaround is never patched live, since its env var would be reverted.
 */
import { summarizeVerdict } from './describe.js';
import { floorToHour, incidentBefore, incidentIdFor } from './ids.js';
import { knownIssuesFor, standInFacts } from './known-issues.js';
import {
  buildSkip,
  ineffectiveRevertReason,
  resolveWorkaround,
  revertAction,
  walkLadder,
  type Incident,
} from './ladder.js';
import { followUpgrade, proposeUpgrade } from './fix.js';
import {
  blockedByCooldown,
  blockedByDailyCap,
  blockedByKillSwitch,
  blockedByRunBudget,
  blockedByWindow,
  blockedByWorkloadHealth,
  hasOpenIncident,
  hasQuietIncident,
  isJudged,
  isLeaking,
  isLiveAction,
  nextRung,
  type Block,
} from './predicates.js';
import type {
  Plan,
  PlanAction,
  PlanInput,
  PlanItem,
  PlanNotice,
  PlanSubject,
  PlanTarget,
  ProfilePolicy,
} from './types.js';
import type { WorkloadState } from '../model/state.js';
import type { WorkloadRef } from '../model/workload.js';
import { workloadKey } from '../model/workload.js';

interface WorkloadGroup {
  /** `profile|Kind/namespace/name`: the tie-breaker that makes the plan's order total. */
  key: string;
  profile: ProfilePolicy;
  workload: WorkloadRef;
  targets: PlanTarget[];
  state: WorkloadState;
}

/** One workload's decisions before the run-level budget is applied. */
interface Assessment {
  group: WorkloadGroup;
  items: PlanItem[];
  candidates: { action: PlanAction; incident: Incident }[];
  /** Said after the actions: the upgrade advised with the workaround just applied. */
  after?: PlanItem[];
  reconcile: PlanNotice | null;
  urgency: number[];
}

/** Code-unit order, not localeCompare: the plan must not depend on the machine's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Most urgent first: soonest to its limit, then fastest growth. Never leaking targets come last. */
function compareTargets(a: PlanTarget, b: PlanTarget): number {
  const leakOrder = Number(isLeaking(b)) - Number(isLeaking(a));
  const limitOrder = (a.verdict.hoursToLimit ?? Infinity) - (b.verdict.hoursToLimit ?? Infinity);
  const slopeOrder = (b.verdict.slope?.bytesPerHour ?? 0) - (a.verdict.slope?.bytesPerHour ?? 0);
  const nameOrder = compareText(`${a.facts.pod.name}/${a.facts.container}`, `${b.facts.pod.name}/${b.facts.container}`);
  return leakOrder || (Number.isNaN(limitOrder) ? 0 : limitOrder) || slopeOrder || nameOrder;
}

function groupTargets(input: PlanInput): WorkloadGroup[] {
  const profiles = new Map(input.profiles.map((profile) => [profile.name, profile]));
  const groups = new Map<string, WorkloadGroup>();
  for (const target of input.targets) {
    const profile = profiles.get(target.facts.profile);
    if (!profile)
      throw new Error(
        `target ${target.facts.pod.name} names profile ${target.facts.profile}, which the policy does not define`,
      );
    const key = `${profile.name}|${workloadKey(target.facts.workload)}`;
    const group = groups.get(key) ?? {
      key,
      profile,
      workload: target.facts.workload,
      targets: [],
      state: target.state,
    };
    group.targets.push(target);
    groups.set(key, group);
  }
  return [...groups.values()].map((group) => ({ ...group, targets: [...group.targets].sort(compareTargets) }));
}

function subjectOf(group: WorkloadGroup, target: PlanTarget | undefined): PlanSubject {
  return {
    profile: group.profile.name,
    workload: group.workload,
    pod: target ? { name: target.facts.pod.name, uid: target.facts.pod.uid } : null,
    container: target ? target.facts.container : null,
  };
}

function notice(
  subject: PlanSubject,
  kind: PlanNotice['kind'],
  note: string,
  fields: Partial<PlanNotice> & { dryRun: boolean },
): PlanNotice {
  return {
    type: 'notice',
    ...subject,
    kind,
    incidentId: null,
    incidentStart: null,
    note,
    verdict: null,
    knownIssues: [],
    ...fields,
  };
}

/**
 * Whether a leftover workaround intent took effect, as the pods show it: a pod carrying the
 * workaround's env got it from a patched template (a revert: no pod carries it any more). Null when
 * the pods cannot tell (a ConfigMap-only workaround, or none resolved).
 */
function workaroundHappened(group: WorkloadGroup, input: PlanInput, revert: boolean): boolean | null {
  const first = group.targets[0];
  if (!first) return null;
  const swap = group.state.intent?.image;
  if (swap) {
    // An image swap shows in the pods' image: a pod running the hotfix came from the patched template.
    const runsHotfix = (t: PlanTarget) => t.facts.container === swap.container && t.facts.image === swap.hotfix;
    return revert ? !group.targets.some(runsHotfix) : group.targets.some(runsHotfix);
  }
  const matches = knownIssuesFor(input.catalog, first.facts, group.profile.knownIssues);
  const env = resolveWorkaround(group.profile, matches)?.env;
  if (!env) return null;
  const carries = (t: PlanTarget) => Object.entries(env).every(([name, value]) => t.facts.env[name] === value);
  return revert ? !group.targets.some(carries) : group.targets.some(carries);
}

function assessIntent(group: WorkloadGroup, input: PlanInput): Assessment {
  const intent = group.state.intent!;
  const happened = intent.kind === 'workaround' ? workaroundHappened(group, input, intent.revert === true) : null;
  const reconcile = notice(
    subjectOf(group, group.targets[0]),
    'reconcile-intent',
    input.words.interruptedIntent(intent.kind, intent.actionId, intent.at),
    {
      incidentId: group.state.incidentId,
      incidentStart: group.state.incidentStart,
      intent: {
        actionId: intent.actionId,
        kind: intent.kind,
        at: intent.at,
        revert: intent.revert === true,
        mayComplete: false,
        ...(intent.restartMode ? { restartMode: intent.restartMode } : {}),
        ...(intent.pod ? { pod: intent.pod } : {}),
        ...(happened === null ? {} : { happened }),
      },
      dryRun: input.guardrails.dryRun,
    },
  );
  return { group, items: [], candidates: [], reconcile, urgency: [0] };
}

function openIncident(group: WorkloadGroup, leaking: PlanTarget[], input: PlanInput): Incident {
  const { profile, state } = group;
  const primary = leaking[0]!;
  const open = hasOpenIncident(state, profile, input.now);
  // The leaking process's start is stable across runs (unlike the sliding window); rounding to the hour
  // keeps two evaluations of one schedule on the same incident even when only the first wrote state.
  const onset = Math.min(...leaking.map((t) => t.facts.pod.startTime ?? t.verdict.evidence.from));
  const incidentStart = open ? state.incidentStart! : floorToHour(onset);
  // A new incident names the one before it, so it never shares an ID with it (see ids.ts).
  const follows = open ? (state.previousIncidentId ?? null) : incidentBefore(state);
  return {
    profile,
    state,
    primary,
    subject: subjectOf(group, primary),
    incidentId: open
      ? state.incidentId!
      : incidentIdFor(profile.name, group.workload, { start: incidentStart, follows }),
    incidentStart,
    follows,
    matches: knownIssuesFor(input.catalog, standInFacts(primary.facts, state), profile.knownIssues),
    verdict: summarizeVerdict(primary.verdict),
    dryRun: input.guardrails.dryRun,
    words: input.words,
  };
}

/** Workload guardrails, in the order a human would check them. */
function workloadBlock(action: PlanAction, group: WorkloadGroup, input: PlanInput): Block | null {
  const { guardrails, now } = input;
  const live = isLiveAction(action.kind);
  const owner = group.targets[0]?.facts.gitopsOwner;
  return (
    blockedByKillSwitch(guardrails, input.words) ??
    (live ? blockedByWorkloadHealth(group.targets, input.words) : null) ??
    (action.kind === 'revert-workaround' && owner
      ? { reason: 'gitops-owned', note: input.words.gitopsRevert(owner, action.reason) }
      : null) ??
    blockedByCooldown(group.state, guardrails, now, input.words) ??
    (live ? blockedByWindow(guardrails, now, input.words) : null) ??
    (action.disruptive ? blockedByDailyCap(group.state, guardrails, now, input.words) : null)
  );
}

function assessLeak(group: WorkloadGroup, leaking: PlanTarget[], input: PlanInput): Assessment {
  const { state, profile } = group;
  const incident = openIncident(group, leaking, input);
  const open = hasOpenIncident(state, profile, input.now);
  const common = {
    incidentId: incident.incidentId,
    incidentStart: incident.incidentStart,
    verdict: incident.verdict,
    knownIssues: incident.matches.map((m) => m.explanation),
    dryRun: input.guardrails.dryRun,
  };
  const { words } = input;
  const spread = { leaking: leaking.length, of: group.targets.length };
  const items: PlanItem[] = [
    open
      ? notice(
          incident.subject,
          'leak-confirmed',
          words.leakConfirmed(incident.incidentId, state.actionCount, incident.verdict, spread),
          common,
        )
      : notice(
          incident.subject,
          'leak-suspected',
          words.leakSuspected(incident.incidentId, incident.verdict, spread),
          common,
        ),
  ];
  const judgedFrom = incident.primary.verdict.evidence.from;
  // On a new version the upgrade's verification judges the leak (fix.ts), not the workaround's.
  const ineffective =
    state.workaroundAppliedAt !== null && judgedFrom >= state.workaroundAppliedAt && !state.upgrade?.rolledOutAt;
  if (ineffective) {
    items.push(
      notice(
        incident.subject,
        'workaround-ineffective',
        words.workaroundIneffective(incident.verdict.bytesPerHour, state.workaroundAppliedAt!),
        common,
      ),
    );
  }
  const result: Assessment = {
    group,
    items,
    candidates: [],
    reconcile: null,
    urgency: [1, incident.verdict.hoursToLimit ?? Infinity, -(incident.verdict.bytesPerHour ?? 0)],
  };
  if (open && state.actionCount > 0 && state.lastActionAt !== null && judgedFrom < state.lastActionAt) {
    items.push(
      buildSkip(
        incident,
        'awaiting-verification',
        words.awaitingVerification(state.lastAction ?? null, state.lastActionAt),
        null,
        null,
      ),
    );
    return result;
  }
  const fromRung = open ? nextRung(state, profile.ladder) : 0;
  const step = walkLadder(incident, fromRung);
  items.push(...step.skips);
  if (!step.candidate) {
    const note = words.ladderExhausted(profile.ladder, fromRung >= profile.ladder.length, step.passed);
    items.push(buildSkip(incident, 'ladder-exhausted', note, null, null));
  }
  const revert =
    ineffective && profile.revertWorkaroundIfIneffective
      ? revertAction(incident, ineffectiveRevertReason(incident))
      : null;
  for (const action of [step.candidate, revert]) {
    if (!action) continue;
    const block = workloadBlock(action, group, input);
    if (block) items.push(buildSkip(incident, block.reason, block.note, action.kind, action.id));
    else result.candidates.push({ action, incident });
  }
  return result;
}

function assessQuiet(group: WorkloadGroup, judged: PlanTarget[], input: PlanInput): Assessment {
  const subject = subjectOf(group, group.targets[0]);
  const result: Assessment = { group, items: [], candidates: [], reconcile: null, urgency: [2] };
  if (judged.length < group.targets.length) {
    const unjudged = group.targets.find((target) => !isJudged(target))!;
    const why = summarizeVerdict(unjudged.verdict).headline;
    result.items.push({
      type: 'skip',
      ...subject,
      reason: 'stale-data',
      wanted: null,
      actionId: null,
      incidentId: group.state.incidentId,
      note: input.words.noDecision(unjudged.facts.pod.name, why),
    });
  } else if (
    hasQuietIncident(group.state, group.profile, input.now) &&
    // A rise held as suspected is no quiet: the incident stays open until it is called or dies out.
    !group.targets.some((target) => target.verdict.suspected)
  ) {
    result.items.push(
      notice(subject, 'leak-resolved', input.words.leakResolved(group.state.incidentId), {
        incidentId: group.state.incidentId,
        incidentStart: group.state.incidentStart,
        dryRun: input.guardrails.dryRun,
      }),
    );
  }
  return result;
}

/**
 * The incident's fix (fix.ts), after whatever the leak itself called for: the upgrade proposed with
 * leakguard's workaround (in the same run, or the first run after it), then the rollout followed,
 * verified, and the workaround removed.
 */
function withFix(result: Assessment, group: WorkloadGroup, leaking: PlanTarget[], input: PlanInput): Assessment {
  const { state, profile } = group;
  const workaround = result.candidates.find((c) => c.action.kind === 'workaround');
  const open = state.incidentId !== null && hasOpenIncident(state, profile, input.now);
  if (!workaround && !open) return result;
  const incident = workaround?.incident ?? openIncident(group, leaking.length > 0 ? leaking : group.targets, input);
  const proposing = result.candidates.some((c) => c.action.kind === 'upgrade-pr');
  const fix: PlanItem[] = [];
  if (state.upgrade) {
    const step = followUpgrade(incident, group.targets, input.catalog, input.now);
    fix.push(...step.notices, ...step.skips, ...step.actions);
  } else if (!proposing && (workaround || state.workaround || state.workaroundImage)) {
    const proposal = proposeUpgrade(incident, input.now, workaround?.action ?? null);
    if (proposal) fix.push(proposal);
  }
  for (const item of fix) {
    if (item.type !== 'action') {
      if (item.type === 'notice' && item.kind === 'upgrade-advised' && workaround)
        result.after = [...(result.after ?? []), item];
      else result.items.push(item);
      continue;
    }
    // A PR changes nothing live: only the kill switch holds it. A revert is held by every live guard.
    const block =
      item.kind === 'upgrade-pr'
        ? blockedByKillSwitch(input.guardrails, input.words)
        : workloadBlock(item, group, input);
    if (block) result.items.push(buildSkip(incident, block.reason, block.note, item.kind, item.id));
    else result.candidates.push({ action: item, incident });
  }
  return result;
}

function assessWorkload(group: WorkloadGroup, input: PlanInput): Assessment {
  if (group.state.intent) return assessIntent(group, input);
  const judged = group.targets.filter(isJudged);
  const leaking = judged.filter(isLeaking);
  const result = leaking.length > 0 ? assessLeak(group, leaking, input) : assessQuiet(group, judged, input);
  return withFix(result, group, leaking, input);
}

function compareAssessments(a: Assessment, b: Assessment): number {
  for (let i = 0; i < Math.max(a.urgency.length, b.urgency.length); i++) {
    const x = a.urgency[i] ?? 0;
    const y = b.urgency[i] ?? 0;
    if (x !== y) return x - y;
  }
  return compareText(a.group.key, b.group.key);
}

/**
 * Whether the actor may still carry out a leftover intent that turns out not to be done. It is held
 * to today's guardrails and budget; an intent older than the cooldown is only confirmed or dropped.
 */
function settleIntent(
  assessment: Assessment,
  input: PlanInput,
  alreadyDisrupted: boolean,
  actionsSoFar: number,
): { action: boolean; disruption: boolean } {
  const { guardrails, now, words } = input;
  const notice = assessment.reconcile!;
  const intent = notice.intent!;
  const live = intent.kind !== 'upgrade-pr';
  const disruptive = assessment.group.state.intent?.disruptive ?? live;
  const block: Block | null =
    blockedByKillSwitch(guardrails, words) ??
    (guardrails.dryRun ? { reason: 'dry-run', note: words.intentInDryRun() } : null) ??
    (now - intent.at > guardrails.cooldownSeconds ? { reason: 'cooldown', note: words.intentTooOld() } : null) ??
    (live
      ? (blockedByWorkloadHealth(assessment.group.targets, words) ?? blockedByWindow(guardrails, now, words))
      : null) ??
    (disruptive && alreadyDisrupted ? { reason: 'already-disrupted', note: words.alreadyRestarting() } : null) ??
    blockedByRunBudget(actionsSoFar, guardrails, words);
  intent.mayComplete = block === null;
  if (block) notice.note += words.intentHeld(block.note);
  return { action: block === null, disruption: block === null && disruptive };
}

/** Builds the plan for one run. */
export function plan(input: PlanInput): Plan {
  const assessments = groupTargets(input)
    .map((group) => assessWorkload(group, input))
    .sort(compareAssessments);
  const { guardrails } = input;
  const disrupted = new Set<string>();
  let actions = 0;
  const items: PlanItem[] = [];
  for (const assessment of assessments) {
    const key = workloadKey(assessment.group.workload);
    if (assessment.reconcile) {
      const counted = settleIntent(assessment, input, disrupted.has(key), actions);
      if (counted.action) actions++;
      if (counted.disruption) disrupted.add(key);
      items.push(assessment.reconcile);
      continue;
    }
    items.push(...assessment.items);
    for (const { action, incident } of assessment.candidates) {
      const block =
        (action.disruptive && disrupted.has(key)
          ? { reason: 'already-disrupted' as const, note: input.words.oneRestartPerRun() }
          : null) ?? (action.together ? null : blockedByRunBudget(actions, guardrails, input.words));
      if (block) {
        items.push(buildSkip(incident, block.reason, block.note, action.kind, action.id));
        continue;
      }
      if (!action.together) actions++;
      if (action.disruptive) disrupted.add(key);
      items.push(action);
    }
    items.push(...(assessment.after ?? []));
  }
  return { now: input.now, dryRun: guardrails.dryRun, items };
}
