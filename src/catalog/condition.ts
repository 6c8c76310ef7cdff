/**
 * Conditions a leak needs (a sidecar, a flag), judged from the pod leakguard already reads. A
 * condition that cannot be seen is never assumed: the match is then only "possible".
 */
import type { Condition, ConditionCheck } from './schema.js';

/** What the pod shows, as discovery reports it; absent parts are unknown, not empty. */
export interface PodView {
  /** Literal env of the leaking container. */
  env?: Readonly<Record<string, string>>;
  /** Command and args of every container of the pod, by container name. */
  commands?: Readonly<Record<string, readonly string[]>>;
  /** The leaking container's name. */
  container?: string;
}

export type ConditionVerdict = 'none' | 'met' | 'not-met' | 'unchecked';

function judgeCheck(check: ConditionCheck, pod: PodView): ConditionVerdict {
  if ('podRunsCommand' in check) {
    if (!pod.commands) return 'unchecked';
    const word = check.podRunsCommand;
    return Object.values(pod.commands).some((line) => line.some((part) => part.includes(word))) ? 'met' : 'not-met';
  }
  if ('env' in check) {
    if (!pod.env) return 'unchecked';
    const value = pod.env[check.env];
    return value !== undefined && (check.value === undefined || value === check.value) ? 'met' : 'not-met';
  }
  const line = pod.container !== undefined ? pod.commands?.[pod.container] : undefined;
  if (!line) return 'unchecked';
  return line.some((part) => part === check.arg || part.startsWith(`${check.arg}=`)) ? 'met' : 'not-met';
}

export function judgeCondition(condition: Condition | undefined, pod: PodView): ConditionVerdict {
  if (!condition) return 'none';
  return condition.check ? judgeCheck(condition.check, pod) : 'unchecked';
}

/** `the pod runs "argocd-cmp-server"`: the check in words, for `leakguard catalog`. */
export function describeCheck(check: ConditionCheck | undefined): string {
  if (!check) return 'cannot be seen from the pod';
  if ('podRunsCommand' in check) return `checked: a container of the pod runs ${JSON.stringify(check.podRunsCommand)}`;
  if ('env' in check)
    return `checked: the container sets ${check.env}${check.value === undefined ? '' : `=${check.value}`}`;
  return `checked: the container is started with ${check.arg}`;
}
