/**
 * A workaround applied whole or not at all, and reverted exactly. Before the first patch every part's
 * right is checked (SelfSubjectAccessReview); the parts go in an order that can be undone (the
 * ConfigMap key first, which restarts nothing, then the pod template); a part that fails undoes the
 * parts already applied. What each part held before is recorded with the action (after each part, on
 * the intent, so a run that dies half-way leaves an exact record), and a revert restores exactly that,
 * only where the value is still the one leakguard set. A part found already in place is not
 * leakguard's: it is not recorded, and so never reverted.
 */
import type { ActionOutcome } from '../model/action.js';
import type { Applied, AppliedWorkaround, ImageSwap } from '../model/state.js';
import type { WorkloadRef } from '../model/workload.js';
import {
  accessUncheckedText,
  workaroundDeniedText,
  workaroundPart,
  workaroundRolledBackText,
  workaroundText,
} from '../report/incident-text.js';
import { describeKubeError } from './errors.js';
import type { AccessCheck, Remediator, WorkaroundResult } from './types.js';

/** A plan's workaround or revert action, as far as carrying it out needs (src/policy/types.ts PlanAction). */
export interface WorkaroundAction {
  workload: WorkloadRef;
  container: string | null;
  details: {
    env?: Readonly<Record<string, string>>;
    configMap?: { name: string; data: Readonly<Record<string, string>> };
    image?: ImageSwap;
    revert?: AppliedWorkaround & { image?: ImageSwap };
  };
}

export interface WorkaroundRun {
  outcome: ActionOutcome;
  /** Exactly what was changed (empty when every part was already in place, or all was undone). */
  applied: Applied;
}

const resources: Record<string, string> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
};

/** The rights every part of the action needs, before any is applied. */
function accessChecks(action: WorkaroundAction, parts: { configMap?: string; template: boolean }): AccessCheck[] {
  const { namespace } = action.workload;
  const checks: AccessCheck[] = [];
  if (parts.configMap) {
    checks.push({ verb: 'get', group: '', resource: 'configmaps', namespace, name: parts.configMap });
    checks.push({ verb: 'patch', group: '', resource: 'configmaps', namespace, name: parts.configMap });
  }
  const resource = resources[action.workload.kind];
  if (parts.template && resource)
    checks.push({ verb: 'patch', group: 'apps', resource, namespace, name: action.workload.name });
  return checks;
}

function failure(result: Exclude<WorkaroundResult, { outcome: 'applied' | 'already-set' }>): string {
  if (result.outcome === 'gitops-owned') return workaroundText.gitopsOwned(result.owner);
  if (result.outcome === 'missing') return result.message;
  return describeKubeError(result.error);
}

async function allowed(cluster: Remediator, checks: AccessCheck[]): Promise<string | null> {
  if (checks.length === 0) return null;
  const access = await cluster.checkAccess(checks);
  if (access.outcome === 'failed') return accessUncheckedText(describeKubeError(access.error));
  return access.denied.length > 0 ? workaroundDeniedText(access.denied) : null;
}

/** Undo applied parts, last first; returns what was undone and what could not be. */
async function undo(
  cluster: Remediator,
  action: WorkaroundAction,
  applied: Applied,
): Promise<{ undone: string[]; stuck: string[] }> {
  const undone: string[] = [];
  const stuck: string[] = [];
  const note = (what: string, result: WorkaroundResult) =>
    (result.outcome === 'applied' || result.outcome === 'already-set' ? undone : stuck).push(what);
  if (applied.image)
    note(
      workaroundPart.image(applied.image.hotfix),
      await cluster.revertImageWorkaround(action.workload, applied.image),
    );
  if (applied.env)
    note(
      workaroundPart.envKeys(Object.keys(applied.env.set)),
      await cluster.revertEnvWorkaround(action.workload, applied.env.container, applied.env.previous, applied.env.set),
    );
  if (applied.configMap)
    note(
      workaroundPart.configMap(applied.configMap.name),
      await cluster.revertConfigMapWorkaround(
        action.workload.namespace,
        applied.configMap.name,
        applied.configMap.previous,
        applied.configMap.set,
      ),
    );
  return { undone, stuck };
}

/**
 * Applies the action's workaround whole or not at all. `progress` saves what is applied so far (on the
 * intent) after each part; when it cannot be saved, what was applied is undone and the action fails.
 */
export async function applyWorkaround(
  cluster: Remediator,
  action: WorkaroundAction,
  progress: (applied: Applied) => Promise<boolean>,
): Promise<WorkaroundRun> {
  const { details } = action;
  const env = details.env && action.container ? { ...details.env } : undefined;
  const configMap = details.configMap
    ? { name: details.configMap.name, data: { ...details.configMap.data } }
    : undefined;
  if (!env && !configMap && !details.image)
    return { outcome: { kind: 'failed', message: workaroundText.notConfigured }, applied: {} };
  const denied = await allowed(
    cluster,
    accessChecks(action, {
      ...(configMap ? { configMap: configMap.name } : {}),
      template: env !== undefined || details.image !== undefined,
    }),
  );
  if (denied) return { outcome: { kind: 'failed', message: denied }, applied: {} };

  const applied: Applied = {};
  let changed = false;
  const steps: {
    what: string;
    run: () => Promise<WorkaroundResult>;
    keep: (result: Extract<WorkaroundResult, { outcome: 'applied' }>) => void;
  }[] = [];
  if (configMap) {
    steps.push({
      what: workaroundPart.configMap(configMap.name),
      run: () => cluster.applyConfigMapWorkaround(action.workload.namespace, configMap.name, configMap.data),
      keep: (r) =>
        (applied.configMap = { name: configMap.name, set: configMap.data, previous: stringsOnly(r.previous) }),
    });
  }
  if (env && action.container) {
    const container = action.container;
    steps.push({
      what: workaroundPart.env(container),
      run: () => cluster.applyEnvWorkaround(action.workload, container, env),
      keep: (r) => (applied.env = { container, set: env, previous: r.previous }),
    });
  }
  if (details.image) {
    const swap = details.image;
    steps.push({
      what: workaroundPart.image(swap.hotfix),
      run: () => cluster.applyImageWorkaround(action.workload, swap),
      keep: () => (applied.image = swap),
    });
  }
  for (const step of steps) {
    const result = await step.run();
    if (result.outcome === 'already-set') continue;
    if (result.outcome === 'applied') {
      step.keep(result);
      changed = true;
      if (await progress(applied)) continue;
      const back = await undo(cluster, action, applied);
      return {
        outcome: {
          kind: 'failed',
          message: workaroundRolledBackText(workaroundText.unrecorded, back.undone, back.stuck),
        },
        applied: back.stuck.length > 0 ? applied : {},
      };
    }
    const back = await undo(cluster, action, applied);
    if (result.outcome === 'gitops-owned' && !changed)
      return { outcome: { kind: 'gitops-owned', owner: result.owner }, applied: {} };
    const message = workaroundRolledBackText(
      workaroundText.partFailed(step.what, failure(result)),
      back.undone,
      back.stuck,
    );
    const code = result.outcome === 'failed' ? { code: result.error.code } : {};
    return { outcome: { kind: 'failed', message, ...code }, applied: back.stuck.length > 0 ? applied : {} };
  }
  return { outcome: { kind: changed ? 'workaround-applied' : 'workaround-already-set' }, applied };
}

/** Puts back exactly what the recorded workaround replaced (only where leakguard's value is still there). */
export async function revertWorkaround(cluster: Remediator, action: WorkaroundAction): Promise<ActionOutcome> {
  const revert = action.details.revert;
  if (!revert) return { kind: 'failed', message: workaroundText.nothingToRevert };
  const results: { what: string; result: WorkaroundResult }[] = [];
  // The reverse of the apply order: the pod template first, the ConfigMap key last.
  if (revert.image)
    results.push({
      what: workaroundPart.image(revert.image.previous),
      result: await cluster.revertImageWorkaround(action.workload, revert.image),
    });
  if (revert.env)
    results.push({
      what: workaroundPart.env(revert.env.container),
      result: await cluster.revertEnvWorkaround(
        action.workload,
        revert.env.container,
        revert.env.previous,
        revert.env.set,
      ),
    });
  if (revert.configMap)
    results.push({
      what: workaroundPart.configMap(revert.configMap.name),
      result: await cluster.revertConfigMapWorkaround(
        action.workload.namespace,
        revert.configMap.name,
        revert.configMap.previous,
        revert.configMap.set,
      ),
    });
  for (const { what, result } of results) {
    if (result.outcome === 'gitops-owned') return { kind: 'gitops-owned', owner: result.owner };
    if (result.outcome !== 'applied' && result.outcome !== 'already-set') {
      return {
        kind: 'failed',
        message: workaroundText.partFailed(what, failure(result)),
        ...(result.outcome === 'failed' ? { code: result.error.code } : {}),
      };
    }
  }
  return { kind: 'workaround-reverted' };
}

/** A ConfigMap holds strings only: its previous values are literals or absent. */
function stringsOnly(previous: Record<string, unknown>): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(previous).map(([key, value]) => [key, typeof value === 'string' ? value : null]),
  );
}
