/**
 * The run's own lines: what `leakguard run` and `status` print as failures (exit 1) and warnings, per
 * profile, per workload and per action. Pure; the errors arrive already described (an adapter's
 * message, never its raw answer).
 */

/** A line about one profile's targets or their memory history. */
export const profileText = {
  podsUnlisted: (profile: string, error: string) => `profile ${profile}: cannot list pods: ${error}`,
  /** A warning the discovery gave (a pod without the container, an owner it could not read). */
  discovery: (profile: string, warning: string) => `profile ${profile}: ${warning}`,
  noPods: (profile: string, selector: string, namespace: string) =>
    `profile ${profile}: selector ${selector} matched no pods in ${namespace}`,
  morePods: (profile: string, pods: number, expected: number) =>
    `profile ${profile}: ${pods} pods matched, ${expected} expected; at most one disruption per workload`,
  prometheusWarning: (profile: string, warning: string) => `profile ${profile}: Prometheus warning: ${warning}`,
  duplicateSeries: (profile: string, series: number, pod: string, container: string) =>
    `profile ${profile}: ${series} series for ${pod}/${container} in one answer (duplicate scrape?); the worst was judged`,
  historyUnavailable: (profile: string, why: string) => `profile ${profile}: memory history unavailable: ${why}`,
  workloadHistoryUnavailable: (profile: string, why: string) =>
    `profile ${profile}: workload history unavailable, judged without it: ${why}`,
  workloadHistoryTooWide: (pods: number, seriesLeft: number) =>
    `not asked for: its ${pods} pods that could learn from it are more series than the ${seriesLeft} ` +
    'prometheus.maxSeries leaves for it',
  podTemplatesUnread: (profile: string, why: string) =>
    `profile ${profile}: ReplicaSets unreadable, so a pod after a rollout restart is judged as a new version, ` +
    `without what its predecessors showed: ${why}`,
};

/** A line about the run as a whole, or one workload's durable state. */
export const runText = {
  /** `error`: the API's answer, when the lock could not be read or written at all. */
  lockFailed: (where: string, reason: string, error?: string) =>
    `run lock ${where}: ${reason}${error === undefined ? '' : `: ${error}`}`,
  /** The Lease holds longer than any leakguard's lock may: edited by hand, or another lock.duration. */
  lockInvalid: (holder: string, seconds: number, durationSeconds: number, namespace: string, name: string) =>
    `${holder} holds it for another ${seconds}s, longer than lock.duration (${durationSeconds}s) allows: ` +
    'the Lease was edited, or another leakguard uses a longer lock.duration; ' +
    `nothing is done until it is fixed (kubectl delete lease -n ${namespace} ${name})`,
  lockHeld: (holder: string, seconds: number | null) => `held by ${holder} for another ${seconds ?? '?'}s`,
  /** `deadPod`: why the holder's pod no longer runs; else its lease expired. */
  lockTakenOver: (holder: string, deadPod: string | null) => `taken over: ${deadPod ?? `lease of ${holder} expired`}`,
  deadlineBeforeActing: 'run deadline reached before acting; nothing was changed',
  stateUnreadable: (workload: string, error: string) => `${workload}: cannot read state: ${error}`,
  stateChanged: (workload: string) => `${workload}: state changed by another writer; this run stopped acting on it`,
  stateUnwritable: (workload: string, error: string) => `${workload}: could not write state: ${error}`,
  /** A Slack message that failed; `workload` absent for a profile's metrics alert. */
  slackFailed: (message: string, workload?: string) =>
    `${workload === undefined ? '' : `${workload}: `}Slack: ${message}`,
};

/** A line about one action of the plan, as the run's failures list it. */
export const actionText = {
  failed: (actionId: string, message: string) => `${actionId}: ${message}`,
  notStarted: (late: string) => `${late}; not started`,
  lateAfterIntent: (late: string) => `${late} once the intent was recorded; not started (the next run reconciles it)`,
  intentUnrecorded: 'could not record the intent on the workload',
  intentUnrecordedNothingDone: 'could not record the intent on the workload, so nothing was done',
  dryRunFailed: (workload: string, kind: string, text: string) => `${workload}: dry-run ${kind}: ${text}`,
  /** The dry-run Event's note with what GitHub answered the read-only preview. */
  withPreview: (note: string, preview: string) => `${note.replace(/\.?$/, '.')} GitHub: ${preview}.`,
};

/** Why a restart cannot be done as planned (the cluster's answer in words, with what to do instead). */
export const restartText = {
  noTemplate: (kind: string, name: string) => `${kind} ${name} has no pod template to restart; evict the pod instead`,
  paused: (name: string) => `Deployment ${name} is paused: a restart would not roll out`,
  noController: (namespace: string, name: string) =>
    `pod ${namespace}/${name} has no controller: nothing would recreate it`,
};

/** The upgrade rung's own failures (the forge's are its messages). */
export const upgradeRungText = {
  noForge: 'no GitHub access configured (github.tokenFile or github.app)',
  noUpgradeRepo: (profile: string) => `profile ${profile} has no upgrade {repo, file}`,
  noFixedVersion: 'no fixed version is known for this operator version',
  statusNotRefreshed: (profile: string, message: string) => `upgrade PR status for ${profile}: ${message}`,
};
