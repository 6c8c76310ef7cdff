/**
 * Event reasons and notes: what `kubectl events --for deployment/<name>` tells a human. Pure.
 * Reasons are a stable, documented vocabulary (README "Events reference"); notes quote the detector's
 * reasons and the catalogue's explanation, and never carry secrets (nothing here sees any).
 */
import type { ActionOutcome } from '../model/action.js';
import type { PlanAction, PlanItem, PlanNotice, PlanSkip } from '../policy/types.js';

export const EventReason = {
  LeakSuspected: 'LeakSuspected',
  LeakConfirmed: 'LeakConfirmed',
  LeakResolved: 'LeakResolved',
  RemediationPlanned: 'RemediationPlanned',
  RemediationSkipped: 'RemediationSkipped',
  RemediationFailed: 'RemediationFailed',
  PodRestarted: 'PodRestarted',
  EvictionBlocked: 'EvictionBlocked',
  WorkaroundApplied: 'WorkaroundApplied',
  WorkaroundIneffective: 'WorkaroundIneffective',
  WorkaroundReverted: 'WorkaroundReverted',
  UpgradePROpened: 'UpgradePROpened',
  UpgradePRUpdated: 'UpgradePRUpdated',
  UpgradeRecommended: 'UpgradeRecommended',
  UpgradeRolledOut: 'UpgradeRolledOut',
  UpgradeVerified: 'UpgradeVerified',
  UpgradeIneffective: 'UpgradeIneffective',
  MetricsUnavailable: 'MetricsUnavailable',
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

export interface EventDraft {
  reason: EventReason;
  /** The verb of events.k8s.io/v1 `action`: what leakguard did or would do. */
  action: string;
  type: 'Normal' | 'Warning';
  note: string;
  /** Idempotency key: the same key on the same object is one Event, however many runs see it. */
  key: string;
}

const actionVerb: Record<PlanAction['kind'], string> = {
  restart: 'Restart',
  workaround: 'ApplyWorkaround',
  'revert-workaround': 'RevertWorkaround',
  'upgrade-pr': 'OpenUpgradePR',
};

/** The image an action swaps (or swaps back), without the workload: Slack names that in its own field. */
export function describeImageSwap(action: PlanAction, tense: Tense = 'do'): string | null {
  if (action.kind === 'workaround' && action.details.image) {
    const { container, previous, hotfix } = action.details.image;
    return `${tense === 'do' ? 'change' : 'changed'} container ${container}'s image from ${previous} to ${hotfix}`;
  }
  const back = action.kind === 'revert-workaround' ? action.details.revert?.image : undefined;
  return back ? `put container ${back.container}'s image back from ${back.hotfix} to ${back.previous}` : null;
}

/** "ROOK_WATCH_FOR_NODE_FAILURE (unset), LOG=true": what a revert puts back, never a value from a reference. */
function describeRestore(previous: Readonly<Record<string, string | null | { valueFrom: unknown }>>): string {
  return Object.entries(previous)
    .map(([name, value]) =>
      value === null
        ? `${name} (unset)`
        : typeof value === 'string'
          ? `${name}=${value}`
          : `${name} (from its reference)`,
    )
    .join(', ');
}

/** "deployment rook-ceph/rook-ceph-operator" */
function workloadOf(action: PlanAction): string {
  return `${action.workload.kind.toLowerCase()} ${action.workload.namespace}/${action.workload.name}`;
}

/** `K=V, K2=V2` */
function assignments(data: Record<string, string>): string {
  return Object.entries(data)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

/** The words of one tense: `do` after "would"/"could not"/"failed to", `done` for what was done. */
type Tense = 'do' | 'done';
const verbs = {
  set: { do: 'set', done: 'set' },
  restore: { do: 'restore', done: 'restored' },
  evict: { do: 'evict', done: 'evicted' },
  open: { do: 'open', done: 'opened' },
  revert: { do: 'revert', done: 'reverted' },
} as const;

/**
 * "rollout-restart deployment rook-ceph/rook-ceph-operator" (`do`, after "would", "could not", …) or
 * "restarted deployment rook-ceph/rook-ceph-operator (rollout)" (`done`).
 */
export function describeAction(action: PlanAction, tense: Tense = 'do'): string {
  const target = workloadOf(action);
  const details = action.details;
  switch (action.kind) {
    case 'restart':
      if (details.restart?.mode === 'evict' && action.pod)
        return `${verbs.evict[tense]} pod ${action.pod.name} of ${target}`;
      return tense === 'do' ? `rollout-restart ${target}` : `restarted ${target} (rollout)`;
    case 'workaround': {
      const parts = [
        ...(details.env ? [`${assignments(details.env)} on container ${action.container ?? '?'}`] : []),
        ...(details.configMap ? [`${assignments(details.configMap.data)} in ConfigMap ${details.configMap.name}`] : []),
      ];
      const set = parts.length > 0 ? [`${verbs.set[tense]} ${parts.join(' and ')}`] : [];
      const image = details.image ? [describeImageSwap(action, tense)!] : [];
      return `${[...set, ...image].join(' and ')} (${target})`;
    }
    case 'revert-workaround': {
      const revert = details.revert;
      const parts = [
        ...(revert?.env ? [`${describeRestore(revert.env.previous)} on container ${revert.env.container}`] : []),
        ...(revert?.configMap
          ? [`${describeRestore(revert.configMap.previous)} in ConfigMap ${revert.configMap.name}`]
          : []),
      ];
      const restore = parts.length > 0 ? [`${verbs.restore[tense]} ${parts.join(' and ')}`] : [];
      const image = describeImageSwap(action, tense);
      const all = [...restore, ...(image ? [image] : [])];
      return all.length > 0 ? `${all.join(' and ')} (${target})` : `${verbs.revert[tense]} the workaround on ${target}`;
    }
    case 'upgrade-pr':
      return details.upgrade
        ? `${verbs.open[tense]} an upgrade PR ${details.upgrade.fromVersion} → ${details.upgrade.toVersion} for ${target}`
        : `${verbs.open[tense]} an upgrade PR for ${target}`;
  }
}

/** A note's first sentence starts with a capital: "Restarted …", "Set …". */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * An action as the incident's history keeps it (the upgrade PR lists it): a hotfix image is named once
 * in the PR, in its own workaround line, so its entry here does not repeat the images.
 */
export function describeForHistory(action: PlanAction): string {
  if (action.kind === 'workaround' && action.details.image)
    return `set the hotfix image on container ${action.details.image.container}`;
  return describeAction(action);
}

function withKnownIssues(note: string, knownIssues: readonly string[]): string {
  return knownIssues.length > 0 ? `${note} Known issue: ${knownIssues.join('; ')}` : note;
}

export function noticeEvent(notice: PlanNotice): EventDraft {
  const key = `${notice.kind}:${notice.incidentId ?? 'none'}`;
  const dry = notice.dryRun ? ' [dry-run]' : '';
  switch (notice.kind) {
    case 'leak-suspected':
      return {
        reason: EventReason.LeakSuspected,
        action: 'Detect',
        type: 'Warning',
        key,
        note: withKnownIssues(`${notice.note}${dry}`, notice.knownIssues),
      };
    case 'leak-confirmed':
      return {
        reason: EventReason.LeakConfirmed,
        action: 'Detect',
        type: 'Warning',
        key,
        note: withKnownIssues(`${notice.note}${dry}`, notice.knownIssues),
      };
    case 'leak-resolved':
      return { reason: EventReason.LeakResolved, action: 'Detect', type: 'Normal', key, note: notice.note };
    case 'workaround-ineffective':
      return { reason: EventReason.WorkaroundIneffective, action: 'Verify', type: 'Warning', key, note: notice.note };
    case 'reconcile-intent':
      return {
        reason: EventReason.RemediationPlanned,
        action: 'Reconcile',
        type: 'Normal',
        key: `reconcile:${notice.intent?.actionId ?? key}`,
        note: notice.note,
      };
    case 'upgrade-advised':
      return {
        reason: EventReason.UpgradeRecommended,
        action: 'ProposeUpgrade',
        type: 'Normal',
        key: `${key}:${notice.upgrade?.toVersion ?? ''}`,
        note: `${notice.note}${dry}`,
      };
    case 'upgrade-rolled-out':
      return {
        reason: EventReason.UpgradeRolledOut,
        action: 'Verify',
        type: 'Normal',
        key: `${key}:${notice.rollout?.version ?? ''}`,
        note: `${notice.note}${dry}`,
      };
    case 'upgrade-verified':
      return {
        reason: EventReason.UpgradeVerified,
        action: 'Verify',
        type: 'Normal',
        key,
        note: `${notice.note}${dry}`,
      };
    case 'upgrade-ineffective':
      return {
        reason: EventReason.UpgradeIneffective,
        action: 'Verify',
        type: 'Warning',
        key,
        note: withKnownIssues(`${notice.note}${dry}`, notice.knownIssues),
      };
  }
}

export function skipEvent(skip: PlanSkip): EventDraft {
  const reason = skip.reason === 'dry-run' ? EventReason.RemediationPlanned : EventReason.RemediationSkipped;
  return {
    reason,
    action: 'Skip',
    type: 'Normal',
    key: `skip:${skip.reason}:${skip.actionId ?? skip.incidentId ?? 'none'}`,
    note: skip.note,
  };
}

/** The Event for a dry-run action: what would have been done, and nothing was. */
export function plannedEvent(action: PlanAction): EventDraft {
  return {
    reason: EventReason.RemediationPlanned,
    action: actionVerb[action.kind],
    type: 'Normal',
    key: `planned:${action.id}`,
    note: withKnownIssues(
      `[dry-run] would ${describeAction(action)}: ${action.reason} (action ${action.id})`,
      action.details.knownIssues,
    ),
  };
}

/** How a human undoes an image workaround (the Event and Slack say it once, after what was done). */
export function undoHint(action: PlanAction): string | null {
  if (action.kind !== 'workaround' || !action.details.image) return null;
  return 'To undo: set the image back; leakguard does so itself if the leak goes on and the profile sets workaround.revertIfIneffective.';
}

export function outcomeEvent(action: PlanAction, outcome: ActionOutcome): EventDraft {
  const what = describeAction(action);
  const base = { action: actionVerb[action.kind], key: `done:${action.id}` };
  const because = `${action.reason} (action ${action.id})`;
  switch (outcome.kind) {
    case 'restarted':
    case 'evicted':
    case 'already-done':
      return {
        ...base,
        reason: EventReason.PodRestarted,
        type: 'Normal',
        note: withKnownIssues(
          `${sentence(describeAction(action, 'done'))}${outcome.kind === 'already-done' ? ', by an earlier run of this action' : ''}: ${because}`,
          action.details.knownIssues,
        ),
      };
    case 'eviction-blocked':
      return {
        ...base,
        reason: EventReason.EvictionBlocked,
        type: 'Warning',
        note: `Could not ${what}: a PodDisruptionBudget refused the eviction (${outcome.message}); the pod was not deleted. ${because}`,
      };
    case 'workaround-applied':
    case 'workaround-already-set': {
      const undo = undoHint(action);
      return {
        ...base,
        reason: EventReason.WorkaroundApplied,
        type: 'Normal',
        note: withKnownIssues(
          `${outcome.kind === 'workaround-already-set' ? `Already in place: ${what}` : sentence(describeAction(action, 'done'))}: ${because}.${undo ? ` ${undo}` : ''}`,
          action.details.knownIssues,
        ),
      };
    }
    case 'workaround-reverted':
      return {
        ...base,
        reason: EventReason.WorkaroundReverted,
        type: 'Normal',
        note: `${sentence(describeAction(action, 'done'))}: ${because}`,
      };
    case 'pr': {
      const reason = outcome.result === 'opened' ? EventReason.UpgradePROpened : EventReason.UpgradePRUpdated;
      const upgrade = action.details.upgrade;
      const hop = upgrade ? ` (${upgrade.fromVersion} → ${upgrade.toVersion})` : '';
      const target = workloadOf(action);
      const done = {
        opened: `Opened upgrade PR ${outcome.url ?? ''}${hop} for ${target}`,
        updated: `Updated upgrade PR ${outcome.url ?? ''}${hop} for ${target}`,
        linked: `Linked the existing upgrade PR ${outcome.url ?? ''}${hop} for ${target}`,
        'up-to-date': `No upgrade PR needed for ${target}: the GitOps repository already pins ${upgrade?.toVersion ?? 'the target version'}`,
      }[outcome.result];
      return {
        ...base,
        reason,
        type: 'Normal',
        note: withKnownIssues(`${done}. ${sentence(because)}`, action.details.knownIssues),
      };
    }
    case 'gitops-owned':
      return {
        ...base,
        reason: EventReason.RemediationSkipped,
        type: 'Normal',
        note: `Did not ${what}: ${outcome.owner} manages this workload and would revert a live patch; propose it in Git instead. ${because}`,
      };
    case 'deferred':
      return {
        ...base,
        reason: EventReason.RemediationSkipped,
        type: 'Normal',
        note: `Deferred ${what} to the next run: ${outcome.message}. ${because}`,
      };
    case 'failed':
      return {
        ...base,
        reason: EventReason.RemediationFailed,
        type: 'Warning',
        note: `Failed to ${what}: ${failureText(action, outcome)}. ${because}`,
      };
  }
}

/** Transient failures: the action stays due, so the next run tries it again while the leak lasts. */
const TRANSIENT: ReadonlySet<string> = new Set(['unreachable', 'timeout', 'server', 'rate-limited', 'conflict']);

/** A failed action's message with what to do about it, by the port's error code. */
export function failureText(action: Pick<PlanAction, 'kind'>, outcome: { message: string; code?: string }): string {
  const { message, code } = outcome;
  if (code === 'forbidden') {
    return action.kind === 'upgrade-pr'
      ? `${message} (the GitHub token or App needs write access to the repository's contents and pull requests)`
      : `${message} (leakguard's RBAC does not allow it: list the workload under the chart's rbac.workloads for this profile)`;
  }
  if (code === 'unauthorized') return `${message} (the credentials were refused: check them)`;
  if (code !== undefined && TRANSIENT.has(code)) return `${message} (the next run tries again)`;
  return message;
}

export function metricsUnavailableEvent(profile: string, message: string, windowStart: number): EventDraft {
  return {
    reason: EventReason.MetricsUnavailable,
    action: 'Detect',
    type: 'Warning',
    key: `metrics:${profile}:${Math.floor(windowStart / 3600)}`,
    note: `Memory history for profile ${profile} could not be fetched (${message}); no action was taken.`,
  };
}

export function eventFor(item: PlanItem): EventDraft | null {
  if (item.type === 'notice') return noticeEvent(item);
  if (item.type === 'skip') return skipEvent(item);
  return item.dryRun ? plannedEvent(item) : null;
}

/** What an action came to in a few words: the run summary's detail and the history's outcome. */
export function outcomeText(outcome: ActionOutcome): string {
  if ('message' in outcome) return outcome.message;
  if (outcome.kind === 'pr') return `${outcome.result}${outcome.url ? ` ${outcome.url}` : ''}`;
  return outcome.kind;
}
