/** The upgrade-pr rung: bumps the operator in the GitOps repo through the Forge, with a PR body that explains why. */
import { parseImageRef } from '../catalog/image.js';
import type { ActionOutcome } from '../model/action.js';
import type { HistoryEntry, WorkloadState } from '../model/state.js';
import type { PlanAction } from '../policy/types.js';
import type { TargetEvidence } from '../report/evidence.js';
import { upgradeRungText } from '../report/run-text.js';
import {
  fixStatusOf,
  previewFailed,
  refreshedPrBody,
  upgradePreviewText,
  upgradePrBody,
  upgradePrFacts,
  upgradePrTitle,
} from '../report/upgrade-pr.js';
import type { Forge, UpgradePrRequest } from './types.js';

/** Opens or updates the upgrade PR for an action; returns the Event outcome. */
export type UpgradeExecutor = (
  action: PlanAction,
  evidence: TargetEvidence | undefined,
  history: readonly HistoryEntry[],
) => Promise<ActionOutcome>;

/** Dry-run: what the upgrade PR step would do (read-only calls); `ok` is false when the real run would fail. */
export type UpgradePreviewer = (
  action: PlanAction,
  evidence: TargetEvidence | undefined,
  history: readonly HistoryEntry[],
) => Promise<{ ok: boolean; text: string }>;

/** Re-writes the status of leakguard's open PR for a workload whose incident changed phase; a message when it could not. */
export type UpgradePrRefresher = (profile: string, state: WorkloadState) => Promise<string | null>;

/** The upgrade rung: opens the PR when acting, says what it would do in dry-run (read-only calls). */
export interface UpgradeRung {
  execute: UpgradeExecutor;
  preview: UpgradePreviewer;
  refresh: UpgradePrRefresher;
}

/** A profile's GitOps repo as its `upgrade` section names it, with the graph its PR links and its verification window. */
export interface UpgradeTarget extends Pick<UpgradePrRequest, 'repo' | 'file' | 'baseBranch' | 'chart'> {
  alsoBump: readonly string[];
  trustedAuthors: readonly string[];
  graphUrl: string;
  verifyWindowSeconds: number;
}

/** A profile's upgrade target by name; undefined when it has no GitOps repo (src/config/policy.ts). */
export type UpgradeTargets = (profile: string) => UpgradeTarget | undefined;

/**
 * The forge is made on first use (`load`): a missing or unreadable credential fails the upgrade rung
 * with a clear message, and never stops a run from restarting a leaking operator. A failed start is
 * retried next time.
 */
export function lazyUpgradeRung(load: () => Promise<Forge>, targets: UpgradeTargets): UpgradeRung {
  let forge: Promise<Forge> | null = null;
  const started = async (): Promise<Forge> => {
    forge ??= load();
    try {
      return await forge;
    } catch (error) {
      forge = null;
      throw error;
    }
  };
  const message = (error: unknown) => (error as Error).message;
  return {
    execute: (...args) =>
      started()
        .then((f) => upgradeWith(f, targets)(...args))
        .catch((e): ActionOutcome => ({ kind: 'failed', message: message(e) })),
    preview: (...args) =>
      started()
        .then((f) => previewWith(f, targets)(...args))
        .catch((e) => previewFailed(message(e))),
    refresh: (...args) =>
      started()
        .then((f) => refreshWith(f, targets)(...args))
        .catch(message),
  };
}

/** Without a forge (no `github` configured) the upgrade rung fails, saying so. */
export const noForge: UpgradeExecutor = async () => ({ kind: 'failed', message: upgradeRungText.noForge });

/** The PR leakguard would ensure for this action, or why there is none. */
function upgradeRequest(
  targets: UpgradeTargets,
  action: PlanAction,
  evidence: TargetEvidence | undefined,
  history: readonly HistoryEntry[],
): UpgradePrRequest | { error: string } {
  const target = targets(action.profile);
  if (!target) return { error: upgradeRungText.noUpgradeRepo(action.profile) };
  const facts = upgradePrFacts(action, evidence, history, target.graphUrl);
  if (!facts) return { error: upgradeRungText.noFixedVersion };
  const { upgrade } = facts;
  const chart = target.chart ?? upgrade.chart;
  const image = evidence ? parseImageRef(evidence.image).repository : undefined;
  return {
    repo: target.repo,
    file: target.file,
    baseBranch: target.baseBranch,
    profile: action.profile,
    fromVersion: upgrade.fromVersion,
    toVersion: upgrade.toVersion,
    title: upgradePrTitle(facts),
    body: (found) => upgradePrBody(facts, found.alsoPinned),
    ...(image ? { image } : {}),
    ...(chart ? { chart } : {}),
    ...(target.alsoBump.length > 0 ? { alsoBump: target.alsoBump } : {}),
    ...(upgrade.components ? { moveTogether: upgrade.components } : {}),
    ...(upgrade.ruleId ? { rule: upgrade.ruleId } : {}),
    trustedAuthors: target.trustedAuthors,
  };
}

/** Separate from construction so tests can pass a Forge pointed at a local server. */
export function upgradeWith(forge: Forge, targets: UpgradeTargets): UpgradeExecutor {
  return async (action, evidence, history): Promise<ActionOutcome> => {
    const request = upgradeRequest(targets, action, evidence, history);
    if ('error' in request) return { kind: 'failed', message: request.error };
    const result = await forge.ensureUpgradePullRequest(request);
    switch (result.outcome) {
      case 'opened':
      case 'updated':
      case 'linked':
        return { kind: 'pr', result: result.outcome, url: result.url };
      case 'up-to-date':
        return { kind: 'pr', result: 'up-to-date' };
      case 'deferred':
        return { kind: 'deferred', message: result.error.message };
      case 'failed':
        return { kind: 'failed', message: result.error.message, code: result.error.code };
    }
  };
}

/**
 * The incident's phase changed (rolled out, verified, ineffective, workaround removed): its open PR's
 * status section says so. Never opens a PR: a merged or closed one is left as it is.
 */
export function refreshWith(forge: Forge, targets: UpgradeTargets): UpgradePrRefresher {
  return async (name, state) => {
    const target = targets(name);
    if (!target || !forge.refreshUpgradePullRequest) return null;
    const status = fixStatusOf(state, target.verifyWindowSeconds);
    if (!status) return null;
    const ref = { repo: target.repo, baseBranch: target.baseBranch, profile: name, toVersion: status.toVersion };
    const result = await forge.refreshUpgradePullRequest(ref, (body) => refreshedPrBody(body, status));
    return result.outcome === 'failed' || result.outcome === 'deferred'
      ? upgradeRungText.statusNotRefreshed(name, result.error.message)
      : null;
  };
}

/** Dry-run: what the PR step would do, from read-only calls; `ok` is false when the real run would fail. */
export function previewWith(forge: Forge, targets: UpgradeTargets): UpgradePreviewer {
  return async (action, evidence, history) => {
    const request = upgradeRequest(targets, action, evidence, history);
    if ('error' in request) return previewFailed(request.error);
    return upgradePreviewText(
      forge.previewUpgradePullRequest ? await forge.previewUpgradePullRequest(request) : null,
      request,
    );
  };
}
