/** Configuration → the policy's plain inputs (seconds, flags). */
import type { Config, ProfileConfig } from '../config/schema.js';
import type { Guardrails, ProfilePolicy } from '../policy/types.js';

export function toProfilePolicy(profile: ProfileConfig, config: Config): ProfilePolicy {
  return {
    name: profile.name,
    ladder: profile.ladder,
    restartMode: profile.restartMode,
    ...(profile.workaround ? { workaround: { ...(profile.workaround.env ? { env: profile.workaround.env } : {}), ...(profile.workaround.configMap ? { configMap: profile.workaround.configMap } : {}) } } : {}),
    escalateWithinSeconds: config.guardrails.escalateWithin,
    revertWorkaroundIfIneffective: profile.workaround?.revertIfIneffective ?? false,
    knownIssues: profile.knownIssues,
    upgradeWithWorkaround: profile.fix.withWorkaround,
    upgradeRepo: profile.upgrade !== undefined && config.github !== undefined,
    verifyWindowSeconds: profile.fix.verifyWindow ?? config.detection.window,
  };
}

export function toGuardrails(config: Config, overrides: { dryRun?: boolean; killSwitch?: boolean }): Guardrails {
  return {
    dryRun: overrides.dryRun ?? config.dryRun,
    cooldownSeconds: config.guardrails.cooldown,
    maxActionsPerRun: config.guardrails.maxActionsPerRun,
    maxRestartsPerDay: config.guardrails.maxRestartsPerDay,
    windows: config.guardrails.windows,
    killSwitch: Boolean(overrides.killSwitch) || config.guardrails.killSwitch,
  };
}
