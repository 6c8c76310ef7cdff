/**
 * The kill switch on leakguard's own controller: an annotation on its CronJob (or, in daemon
 * mode, its Deployment), read from the live object at the start of every run, so
 *   kubectl annotate cronjob/leakguard leakguard.io/kill-switch=true
 * stops every change from the next run on — a manual `kubectl create job --from=cronjob/leakguard`
 * included, whose Job does not carry the CronJob's annotations — without a config change or a redeploy.
 */
import type { KubeContext } from './context.js';
import { killSwitchText } from '../report/incident-text.js';
import { describeKubeError } from './errors.js';
import type { ControllerRef, KillSwitchResult, RunLock } from './types.js';

export const killSwitchAnnotation = 'leakguard.io/kill-switch';

/** `true`/`false` as kubectl users write them; anything else is not a switch position. */
export function parseSwitch(value: string): boolean | null {
  if (/^(true|on|yes|1)$/i.test(value.trim())) return true;
  if (/^(false|off|no|0)$/i.test(value.trim())) return false;
  return null;
}

export async function readKillSwitch(ctx: KubeContext, ref: ControllerRef): Promise<KillSwitchResult> {
  const { name, namespace } = ref;
  const read =
    ref.kind === 'CronJob'
      ? await ctx.call(() => ctx.batch.readNamespacedCronJob({ name, namespace }))
      : await ctx.call(() => ctx.apps.readNamespacedDeployment({ name, namespace }));
  if (!read.ok) return { outcome: 'failed', error: read.error };
  const value = read.value.metadata?.annotations?.[killSwitchAnnotation];
  if (value === undefined) return { outcome: 'read', on: false, value: null };
  const on = parseSwitch(value);
  return on === null ? { outcome: 'invalid', value } : { outcome: 'read', on, value };
}

/**
 * The kill switch on leakguard's own controller, for one run. A switch that cannot be read, or reads as
 * neither on nor off, counts as on: when leakguard cannot tell whether it may act, it does not (and the
 * run fails, so that someone looks). Without a controller to read it on, it is on too unless the run may
 * go without one (config `controller: none`, or a dry-run).
 */
export async function killSwitchOn(
  lock: Pick<RunLock, 'readKillSwitch'>,
  controller: ControllerRef | undefined,
  mayGoWithout: boolean,
): Promise<{ on: boolean; failure?: string; warning?: string }> {
  if (!controller) return mayGoWithout ? { on: false } : { on: true, failure: killSwitchText.noController };
  const where = `${controller.kind} ${controller.namespace}/${controller.name}`;
  const read = await lock.readKillSwitch(controller);
  if (read.outcome === 'failed')
    return { on: true, failure: killSwitchText.unreadable(where, describeKubeError(read.error)) };
  if (read.outcome === 'invalid')
    return { on: true, failure: killSwitchText.invalid(where, killSwitchAnnotation, read.value) };
  return read.on ? { on: true, warning: killSwitchText.on(where, killSwitchAnnotation, read.value) } : { on: false };
}
