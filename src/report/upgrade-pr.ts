/**
 * The upgrade PR's words (title, body) and the dry-run sentence of what the PR step would do: the
 * real run's and the demo's, from the same plain data.
 */
import { stripV } from '../catalog/version.js';
import type { SampleSeries } from '../detect/columns.js';
import type { HistoryEntry, UpgradeTrack, WorkloadState } from '../model/state.js';
import type { ActionDetails, PlanAction } from '../policy/types.js';
import type { TargetEvidence } from './evidence.js';
import type { HeapReport } from './heap-text.js';
import { historyRecords } from './incident-text.js';
import {
  prBody,
  prTitle,
  statusSection,
  withStatus,
  type PinnedElsewhere,
  type PrBodyInput,
  type PrStatus,
} from './pr-body.js';

/** Everything the upgrade PR says, as plain data. */
export interface UpgradePrFacts {
  profile: string;
  target: PrBodyInput['target'];
  upgrade: NonNullable<ActionDetails['upgrade']>;
  /** The known issue's title (its explanation as the plan quotes it). */
  issueTitle: string;
  verdict: PrBodyInput['verdict'];
  limitBytes: number | null;
  memory?: SampleSeries;
  /** The incident's actions across runs, with their real times and outcomes (the state's history). */
  history: readonly HistoryEntry[];
  graphUrl?: string;
  heap?: HeapReport;
  /** Where the incident is when the PR is opened or refreshed. */
  status?: PrStatus;
}

/** What the PR's status section is made of: the incident's durable state. */
export interface PrStatusInput {
  toVersion: string;
  /** The upgrade followed since it was proposed; null before the proposal is recorded (the run that opens the PR). */
  track: UpgradeTrack | null;
  history: readonly HistoryEntry[];
  /** When leakguard's workaround in place was applied (the state's `workaroundAppliedAt`). */
  workaroundSince: number | null;
  verifyWindowSeconds: number;
  earlierHops?: readonly { from: string; to: string }[];
}

/** The incident's phase for the PR, from the state: the workaround, the rollout, the verification, the hop. */
export function prStatusOf(input: PrStatusInput): PrStatus {
  const { track, history } = input;
  const applied = history.findLast((h) => h.kind === 'workaround' && h.outcome === 'workaround-applied');
  const removed = applied ? history.find((h) => h.outcome === 'workaround-reverted' && h.at >= applied.at) : undefined;
  const since = input.workaroundSince ?? applied?.at ?? null;
  const workaround =
    since === null ? null : { what: applied?.detail ?? 'the workaround', since, removedAt: removed?.at ?? null };
  const earlier = track?.earlierHops ?? input.earlierHops ?? [];
  const hop = { index: earlier.length + 1, of: earlier.length + 1, earlier };
  const base = { toVersion: input.toVersion, workaround, hop };
  if (!track?.rolledOutAt) return { ...base, phase: 'proposed' };
  const rolledOut = {
    version: track.rolledOutVersion ?? track.toVersion,
    at: track.rolledOutAt,
    verifyUntil: track.rolledOutAt + input.verifyWindowSeconds,
  };
  if (track.verifiedAt) return { ...base, phase: 'verified', rolledOut, judgedAt: track.verifiedAt };
  if (track.ineffectiveAt) return { ...base, phase: 'ineffective', rolledOut, judgedAt: track.ineffectiveAt };
  return { ...base, phase: 'rolled-out', rolledOut };
}

/** Where the incident's upgrade stands (the PR's status section, Slack's rollout fields); null before one is proposed. */
export function fixStatusOf(state: WorkloadState, verifyWindowSeconds: number): PrStatus | null {
  const track = state.upgrade;
  if (!track) return null;
  return prStatusOf({
    toVersion: track.toVersion,
    track,
    history: state.history ?? [],
    workaroundSince: state.workaroundAppliedAt,
    verifyWindowSeconds,
  });
}

/** The open PR's body with its status section re-written (the rest, evidence included, as it was opened). */
export function refreshedPrBody(body: string, status: PrStatus): string {
  return withStatus(body, statusSection(status));
}

/** The upgrade PR's facts for a plan's upgrade-pr action; null when the plan knows no fixed version. */
export function upgradePrFacts(
  action: PlanAction,
  evidence: TargetEvidence | undefined,
  history: readonly HistoryEntry[],
  graphUrl?: string,
): UpgradePrFacts | null {
  const upgrade = action.details.upgrade;
  if (!upgrade) return null;
  const { verdict } = action.details;
  return {
    profile: action.profile,
    target: {
      namespace: action.workload.namespace,
      workload: action.workload.name,
      container: action.container ?? evidence?.container ?? '',
    },
    upgrade,
    issueTitle: action.details.knownIssues[0] ?? upgrade.issueId,
    verdict: evidence?.verdict ?? {
      slope: null,
      hoursToLimit: verdict.hoursToLimit,
      reasons: [verdict.headline],
      currentBytes: null,
    },
    limitBytes: evidence?.limitBytes ?? null,
    ...(evidence ? { memory: evidence.samples } : {}),
    history,
    ...(graphUrl ? { graphUrl } : {}),
    ...(evidence?.heap ? { heap: evidence.heap } : {}),
    status: prStatusOf({
      toVersion: upgrade.toVersion,
      track: null,
      history,
      workaroundSince: null,
      verifyWindowSeconds: 0,
      ...(upgrade.earlierHops ? { earlierHops: upgrade.earlierHops } : {}),
    }),
  };
}

export function upgradePrTitle(facts: UpgradePrFacts): string {
  return prTitle({ target: facts.target, fromVersion: facts.upgrade.fromVersion, toVersion: facts.upgrade.toVersion });
}

/** The message of the commit on leakguard's branch. */
export function upgradeCommitMessage(profile: string, toVersion: string): string {
  return `fix(${profile}): upgrade to ${stripV(toVersion)}\n\nProposed by leakguard: memory leak fixed upstream.`;
}

/** The body, once the forge found what else pins the running version (`alsoPinned`). */
export function upgradePrBody(facts: UpgradePrFacts, alsoPinned?: readonly PinnedElsewhere[]): string {
  const { upgrade } = facts;
  const hotfix = upgrade.hotfix;
  return prBody({
    profile: facts.profile,
    target: facts.target,
    fromVersion: upgrade.fromVersion,
    toVersion: upgrade.toVersion,
    verdict: facts.verdict,
    limitBytes: facts.limitBytes,
    ...(facts.memory ? { memory: facts.memory } : {}),
    knownIssue: {
      issueId: upgrade.issueId,
      title: facts.issueTitle,
      links: upgrade.links,
      upgradePath: [upgrade.fromVersion, upgrade.toVersion],
      ...(upgrade.rule ? { upgradeRule: upgrade.rule } : {}),
      ...(upgrade.notes ? { upgradeNotes: upgrade.notes } : {}),
      ...(upgrade.checked ? { checked: upgrade.checked } : {}),
      ...(hotfix
        ? {
            workaround: `leakguard set container ${hotfix.container}'s image to ${hotfix.hotfix} (it was ${hotfix.previous}); to undo, set it back`,
          }
        : {}),
    },
    actions: historyRecords(facts.history),
    ...(facts.graphUrl ? { prometheusGraphUrl: facts.graphUrl } : {}),
    ...(alsoPinned ? { alsoPinned } : {}),
    ...(facts.heap ? { heapProfile: facts.heap } : {}),
    ...(facts.status ? { status: facts.status } : {}),
  });
}

/** What the forge's read-only look says the PR step would do (src/forge/types.ts UpgradePrPreview). */
export type PrPreview =
  | {
      outcome: 'would-open';
      branch: string;
      changes: readonly { file: string; resource: string; path: string; from: string; to: string }[];
    }
  | { outcome: 'would-update' | 'linked'; url: string; number: number }
  | { outcome: 'up-to-date' }
  | { outcome: 'deferred' | 'failed'; error: { message: string } };

/** The bump the PR step was asked for: where, and to what. */
export interface PrAsked {
  repo: string;
  file: string;
  toVersion: string;
}

/** Dry-run: the PR step in one sentence for the Event; `ok` is false when the real run would fail. */
export function upgradePreviewText(preview: PrPreview | null, asked: PrAsked): { ok: boolean; text: string } {
  if (preview === null)
    return { ok: true, text: `would open or update a PR in ${asked.repo} bumping ${asked.file} to ${asked.toVersion}` };
  switch (preview.outcome) {
    case 'would-open': {
      const changes = preview.changes
        .map((c) => `${c.file} ${c.resource ? `${c.resource} ` : ''}${c.path} ${c.from} → ${c.to}`)
        .join(', ');
      return { ok: true, text: `would open a PR in ${asked.repo} from branch ${preview.branch}: ${changes}` };
    }
    case 'would-update':
      return { ok: true, text: `would refresh PR #${preview.number} (${preview.url}) with this evidence` };
    case 'linked':
      return {
        ok: true,
        text: `PR #${preview.number} (${preview.url}) already proposes this bump; it would be linked, not duplicated`,
      };
    case 'up-to-date':
      return { ok: true, text: `${asked.file} in ${asked.repo} is already at ${asked.toVersion}: no PR needed` };
    case 'deferred':
      return {
        ok: true,
        text: `GitHub asked to wait (${preview.error.message}); a real run would try again next time`,
      };
    case 'failed':
      return previewFailed(preview.error.message);
  }
}

/** Dry-run: the PR step cannot be done as configured. */
export function previewFailed(why: string): { ok: false; text: string } {
  return { ok: false, text: `the real run would fail: ${why}` };
}
