/** The upgrade-pr rung: bumps the operator in the GitOps repo through the Forge, with a PR body that explains why. */
import type { Logger } from 'pino';
import { parseImageRef } from '../catalog/image.js';
import type { Config } from '../config/schema.js';
import { prBody, prTitle } from '../forge/pr-body.js';
import type { Forge } from '../forge/types.js';
import { promGraphUrl } from '../prom/graph-url.js';
import type { PlanAction } from '../policy/types.js';
import type { ActionOutcome } from '../report/events.js';
import { valuesOf } from '../detect/columns.js';
import type { ActionRecordEntry, TargetEvidence, UpgradeExecutor } from './act.js';
import { profileQuery } from './history.js';

/**
 * The forge is built on first use: a missing or unreadable credential fails the upgrade rung with a
 * clear message, and never stops a run from restarting a leaking operator.
 */
export function createUpgradeExecutor(config: Config, logger: Logger): UpgradeExecutor {
  const github = config.github!;
  let executor: Promise<UpgradeExecutor> | null = null;
  return async (action, evidence, history) => {
    // Octokit loads only when a PR is due: most runs never open one.
    executor ??= import('../forge/github.js').then(({ createGitHubForge }) => createGitHubForge({
      auth: github.app ? { app: github.app } : { tokenFile: github.tokenFile! },
      apiUrl: github.apiUrl,
      logger,
    })).then((forge) => upgradeWith(forge, config));
    try {
      return await (await executor)(action, evidence, history);
    } catch (error) {
      executor = null;
      return { kind: 'failed', message: (error as Error).message };
    }
  };
}

/** Separate from construction so tests can pass a Forge pointed at a local server. */
export function upgradeWith(forge: Forge, config: Config): UpgradeExecutor {
  return async (action: PlanAction, evidence: TargetEvidence | undefined, history: readonly ActionRecordEntry[]): Promise<ActionOutcome> => {
    const profile = config.profiles.find((p) => p.name === action.profile);
    const upgrade = action.details.upgrade;
    if (!profile?.upgrade) return { kind: 'failed', message: `profile ${action.profile} has no upgrade {repo, file}` };
    if (!upgrade) return { kind: 'failed', message: 'no fixed version is known for this operator version' };
    const target = { namespace: action.workload.namespace, workload: action.workload.name, container: action.container ?? evidence?.container ?? '' };
    const body = prBody({
      profile: action.profile,
      target,
      fromVersion: upgrade.fromVersion,
      toVersion: upgrade.toVersion,
      verdict: evidence?.verdict ?? { slope: null, hoursToLimit: action.details.verdict.hoursToLimit, reasons: [action.details.verdict.headline], currentBytes: null },
      limitBytes: evidence?.limitBytes ?? null,
      ...(evidence ? { memoryBytes: valuesOf(evidence.samples) } : {}),
      knownIssue: { issueId: upgrade.issueId, title: action.details.knownIssues[0] ?? upgrade.issueId, links: upgrade.links.map((l) => l.url), upgradePath: upgrade.path.split(/\s*→\s*/) },
      actions: history.filter((a) => a.workload.endsWith(`/${action.workload.namespace}/${action.workload.name}`)).map((a) => ({ at: 0, kind: a.kind, summary: `${a.kind}: ${a.outcome}` })),
      prometheusGraphUrl: promGraphUrl(config.prometheus.url, profileQuery(profile, config.prometheus.step), config.detection.window),
    });
    const image = evidence ? parseImageRef(evidence.image).repository : undefined;
    const result = await forge.ensureUpgradePullRequest({
      repo: profile.upgrade.repo,
      file: profile.upgrade.file,
      baseBranch: profile.upgrade.baseBranch,
      profile: action.profile,
      fromVersion: upgrade.fromVersion,
      toVersion: upgrade.toVersion,
      title: prTitle({ target, fromVersion: upgrade.fromVersion, toVersion: upgrade.toVersion }),
      body,
      ...(image ? { image } : {}),
    });
    switch (result.kind) {
      case 'opened':
      case 'updated':
      case 'linked':
        return { kind: 'pr', result: result.kind, url: result.url };
      case 'up-to-date':
        return { kind: 'pr', result: 'up-to-date' };
      case 'deferred':
        return { kind: 'deferred', message: result.error.message };
      case 'failed':
        return { kind: 'failed', message: result.error.message };
    }
  };
}
