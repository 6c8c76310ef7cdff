/** Configuration → the policy's plain inputs (seconds, flags). */
import type { Config, ProfileConfig } from './schema.js';
import type { Guardrails, ProfilePolicy } from '../policy/types.js';
import type { UpgradeTargets } from '../forge/upgrade-rung.js';
import { profileGraphUrl } from '../prom/queries.js';

export function toProfilePolicy(profile: ProfileConfig, config: Config): ProfilePolicy {
  return {
    name: profile.name,
    ladder: profile.ladder,
    restartMode: profile.restartMode,
    ...(profile.workaround
      ? {
          workaround: {
            ...(profile.workaround.env ? { env: profile.workaround.env } : {}),
            ...(profile.workaround.configMap ? { configMap: profile.workaround.configMap } : {}),
          },
        }
      : {}),
    escalateWithinSeconds: config.guardrails.escalateWithin,
    revertWorkaroundIfIneffective: profile.workaround?.revertIfIneffective ?? false,
    knownIssues: profile.knownIssues,
    upgradeWithWorkaround: profile.fix.withWorkaround,
    upgradeRepo: profile.upgrade !== undefined && config.github !== undefined,
    verifyWindowSeconds: profile.fix.verifyWindow ?? config.detection.window,
    flatBelowBytesPerHour: config.detection.minGrowth,
  };
}

/** `dryRun` as the run decided it (flag or config), once; the kill switch as read on the controller or set in config. */
export function toGuardrails(config: Config, run: { dryRun: boolean; killSwitch: boolean }): Guardrails {
  return {
    dryRun: run.dryRun,
    cooldownSeconds: config.guardrails.cooldown,
    maxActionsPerRun: config.guardrails.maxActionsPerRun,
    maxRestartsPerDay: config.guardrails.maxRestartsPerDay,
    windows: config.guardrails.windows,
    killSwitch: run.killSwitch || config.guardrails.killSwitch,
  };
}

/** Each profile's GitOps repo for the upgrade rung, with the graph its PR links and its verification window. */
export function toUpgradeTargets(config: Config): UpgradeTargets {
  return (name) => {
    const profile = config.profiles.find((p) => p.name === name);
    if (!profile?.upgrade) return undefined;
    return {
      ...profile.upgrade,
      graphUrl: graphOf(config, profile),
      verifyWindowSeconds: toProfilePolicy(profile, config).verifyWindowSeconds,
    };
  };
}

/** Each profile's graph over the detection window, the link Slack and the PR show. */
export function toGraphUrls(config: Config): (profile: string) => string | undefined {
  return (name) => {
    const profile = config.profiles.find((p) => p.name === name);
    return profile ? graphOf(config, profile) : undefined;
  };
}

function graphOf(config: Config, profile: ProfileConfig): string {
  return profileGraphUrl(config.prometheus, profile, config.detection.window);
}
