/** The upgrade-pr rung: bumps the operator in the GitOps repo through the Forge, with a PR body that explains why. */
import type { Logger } from 'pino';
import { parseImageRef } from '../catalog/image.js';
import type { Config } from '../config/schema.js';
import type { Forge, UpgradePrRequest } from '../forge/types.js';
import { profileGraphUrl } from '../prom/queries.js';
import type { PlanAction } from '../policy/types.js';
import type { ActionOutcome } from '../model/action.js';
import type { UpgradeExecutor, UpgradePreviewer } from './act.js';
import type { HistoryEntry, WorkloadState } from '../model/state.js';
import type { TargetEvidence } from '../report/evidence.js';
import { upgradeRungText } from '../report/run-text.js';
import {
  previewFailed,
  fixStatusOf,
  refreshedPrBody,
  upgradePreviewText,
  upgradePrBody,
  upgradePrFacts,
  upgradePrTitle,
} from '../report/upgrade-pr.js';
import { toProfilePolicy } from '../config/policy.js';

/** The upgrade rung: opens the PR when acting, says what it would do in dry-run (read-only calls). */
export interface UpgradeRung {
  execute: UpgradeExecutor;
  preview: UpgradePreviewer;
  refresh: UpgradePrRefresher;
}

/** Re-writes the status of leakguard's open PR for a workload whose incident changed phase; a message when it could not. */
export type UpgradePrRefresher = (profile: string, state: WorkloadState) => Promise<string | null>;

/**
 * The forge is built on first use: a missing or unreadable credential fails the upgrade rung with a
 * clear message, and never stops a run from restarting a leaking operator.
 */
export function createUpgradeRung(config: Config, logger: Logger): UpgradeRung {
  const github = config.github!;
  let forge: Promise<Forge> | null = null;
  // Octokit loads only when a PR is due: most runs never open one. A failed start is retried next time.
  const load = async (): Promise<Forge> => {
    forge ??= import('../forge/github.js').then(({ createGitHubForge }) =>
      createGitHubForge({
        auth: github.app ? { app: github.app } : { tokenFile: github.tokenFile! },
        apiUrl: github.apiUrl,
        logger,
        chartRepositories: config.chartRepositories,
      }),
    );
    try {
      return await forge;
    } catch (error) {
      forge = null;
      throw error;
    }
  };
  return {
    execute: async (action, evidence, history) => {
      try {
        return await upgradeWith(await load(), config)(action, evidence, history);
      } catch (error) {
        return { kind: 'failed', message: (error as Error).message };
      }
    },
    preview: async (action, evidence, history) => {
      try {
        return await previewWith(await load(), config)(action, evidence, history);
      } catch (error) {
        return previewFailed((error as Error).message);
      }
    },
    refresh: async (profile, state) => {
      try {
        return await refreshWith(await load(), config)(profile, state);
      } catch (error) {
        return (error as Error).message;
      }
    },
  };
}

/** The PR leakguard would ensure for this action, or why there is none. */
function upgradeRequest(
  config: Config,
  action: PlanAction,
  evidence: TargetEvidence | undefined,
  history: readonly HistoryEntry[],
): UpgradePrRequest | { error: string } {
  const profile = config.profiles.find((p) => p.name === action.profile);
  if (!profile?.upgrade) return { error: upgradeRungText.noUpgradeRepo(action.profile) };
  const facts = upgradePrFacts(
    action,
    evidence,
    history,
    profileGraphUrl(config.prometheus, profile, config.detection.window),
  );
  if (!facts) return { error: upgradeRungText.noFixedVersion };
  const { upgrade } = facts;
  const chart = profile.upgrade.chart ?? upgrade.chart;
  const image = evidence ? parseImageRef(evidence.image).repository : undefined;
  return {
    repo: profile.upgrade.repo,
    file: profile.upgrade.file,
    baseBranch: profile.upgrade.baseBranch,
    profile: action.profile,
    fromVersion: upgrade.fromVersion,
    toVersion: upgrade.toVersion,
    title: upgradePrTitle(facts),
    body: (found) => upgradePrBody(facts, found.alsoPinned),
    ...(image ? { image } : {}),
    ...(chart ? { chart } : {}),
    ...(profile.upgrade.alsoBump.length > 0 ? { alsoBump: profile.upgrade.alsoBump } : {}),
    ...(upgrade.components ? { moveTogether: upgrade.components } : {}),
    ...(upgrade.ruleId ? { rule: upgrade.ruleId } : {}),
    trustedAuthors: profile.upgrade.trustedAuthors,
  };
}

/** Separate from construction so tests can pass a Forge pointed at a local server. */
export function upgradeWith(forge: Forge, config: Config): UpgradeExecutor {
  return async (action, evidence, history): Promise<ActionOutcome> => {
    const request = upgradeRequest(config, action, evidence, history);
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
export function refreshWith(forge: Forge, config: Config): UpgradePrRefresher {
  return async (name, state) => {
    const profile = config.profiles.find((p) => p.name === name);
    if (!profile?.upgrade || !forge.refreshUpgradePullRequest) return null;
    const status = fixStatusOf(state, toProfilePolicy(profile, config).verifyWindowSeconds);
    if (!status) return null;
    const ref = {
      repo: profile.upgrade.repo,
      baseBranch: profile.upgrade.baseBranch,
      profile: name,
      toVersion: status.toVersion,
    };
    const result = await forge.refreshUpgradePullRequest(ref, (body) => refreshedPrBody(body, status));
    return result.outcome === 'failed' || result.outcome === 'deferred'
      ? upgradeRungText.statusNotRefreshed(name, result.error.message)
      : null;
  };
}

/** Dry-run: what the PR step would do, from read-only calls; `ok` is false when the real run would fail. */
export function previewWith(forge: Forge, config: Config): UpgradePreviewer {
  return async (action, evidence, history) => {
    const request = upgradeRequest(config, action, evidence, history);
    if ('error' in request) return previewFailed(request.error);
    return upgradePreviewText(
      forge.previewUpgradePullRequest ? await forge.previewUpgradePullRequest(request) : null,
      request,
    );
  };
}
