/**
 * The actor: carries out a plan item by item. Every mutation is framed by state writes (intent before,
 * outcome after) so a run killed in between is reconciled by the next one, and every step is
 * idempotent by its action ID. Nothing here decides; the policy did.
 */
import type { Logger } from 'pino';
import type { Cluster } from '../kube/types.js';
import { StateKeeper } from '../kube/state-keeper.js';
import { recordWorkloadEvent } from '../kube/events.js';
import { reconcileRestart, restartAs } from '../kube/restart.js';
import {
  isDone,
  stateAfter,
  stateWithIntent,
  stateWithProgress,
  withHistory,
  type Outcome,
} from '../policy/state-changes.js';
import { applyWorkaround, revertWorkaround, type WorkaroundRun } from '../kube/workaround-apply.js';
import type { PlanAction, PlanItem } from '../policy/types.js';
import type { WorkloadState } from '../model/state.js';
import type { WorkloadRef } from '../model/workload.js';
import { describeForHistory, eventFor, outcomeEvent, outcomeText, type EventDraft } from '../report/event-text.js';
import type { ActionOutcome } from '../model/action.js';
import type { TargetEvidence } from '../report/evidence.js';
import { actionText } from '../report/run-text.js';
import type { ActionRecordEntry } from '../report/verdict-table.js';
import { workloadKey } from '../model/workload.js';
import type { UpgradeExecutor, UpgradePreviewer } from '../forge/upgrade-rung.js';

export interface ActorDeps {
  cluster: Cluster;
  logger: Logger;
  upgrade: UpgradeExecutor;
  /** Absent without a forge: the dry-run Event then says only what the plan says. */
  previewUpgrade?: UpgradePreviewer;
  now: number;
  evidence: (workload: WorkloadRef) => TargetEvidence | undefined;
  /**
   * Dry-run or the kill switch, decided once for the run (src/run/index.ts): the actor then records
   * Events only, and changes nothing else in the cluster, not even its own bookkeeping on the workloads.
   */
  handsOff: boolean;
  /**
   * Called right before a restart is carried out or, hands off, planned (the heap profile:
   * src/kube/heap-capture.ts); `keep` is false when nothing may be written.
   */
  beforeRestart?: (action: PlanAction, options: { keep: boolean }) => Promise<void>;
  /** Why no action may start now (src/run/deadline.ts), or null while one may; checked before each mutating step. */
  tooLate?: () => string | null;
}

export interface ActReport {
  actions: ActionRecordEntry[];
  /** Per workload key: the outcomes of this run, for notifications. */
  outcomes: Map<string, ActionOutcome[]>;
  failures: string[];
}

export class Actor {
  readonly report: ActReport = { actions: [], outcomes: new Map(), failures: [] };
  /** The workloads' state, read once before the plan (`states.read`), written around each step. */
  readonly states: StateKeeper;

  constructor(private readonly deps: ActorDeps) {
    this.states = new StateKeeper(deps.cluster, (line) => this.report.failures.push(line));
  }

  stateOf(workload: WorkloadRef): WorkloadState | undefined {
    return this.states.stateOf(workload);
  }

  /** Carries out the plan; hands off (dry-run, kill switch), records Events only. */
  async execute(items: readonly PlanItem[]): Promise<void> {
    const { handsOff } = this.deps;
    for (const item of items) {
      const log = this.deps.logger.child({ profile: item.profile, workload: workloadKey(item.workload) });
      if (item.type === 'action' && item.kind === 'restart') await this.deps.beforeRestart?.(item, { keep: !handsOff });
      // In dry-run the upgrade rung still asks GitHub (read-only) what it would do, so the Event can say it.
      const preview = item.type === 'action' && handsOff ? await this.preview(item) : null;
      const draft = eventFor(item);
      if (draft)
        await this.event(item, preview ? { ...draft, note: actionText.withPreview(draft.note, preview.text) } : draft);
      if (item.type === 'action') {
        if (handsOff) {
          this.report.actions.push({
            id: item.id,
            kind: item.kind,
            workload: workloadKey(item.workload),
            dryRun: true,
            outcome: 'planned',
            ...(preview ? { detail: preview.text } : {}),
          });
          if (preview && !preview.ok)
            this.report.failures.push(actionText.dryRunFailed(workloadKey(item.workload), item.kind, preview.text));
          log.info(
            { actionId: item.id, kind: item.kind, ...(preview ? { preview: preview.text } : {}) },
            'dry-run: would act',
          );
        } else {
          await this.act(item, log);
        }
      } else if (item.type === 'notice' && !handsOff) {
        if (item.kind === 'reconcile-intent') await this.reconcile(item, log);
        else await this.saveState(item.workload, (state) => stateAfter(item, state, this.deps.now));
      }
    }
  }

  private async preview(action: PlanAction): Promise<{ ok: boolean; text: string } | null> {
    if (action.kind !== 'upgrade-pr' || !this.deps.previewUpgrade) return null;
    return this.deps.previewUpgrade(
      action,
      this.deps.evidence(action.workload),
      this.stateOf(action.workload)?.history ?? [],
    );
  }

  private async act(action: PlanAction, log: Logger): Promise<void> {
    const late = this.deps.tooLate?.();
    if (late) return this.fail(action, log, actionText.notStarted(late));
    const intent = await this.saveState(action.workload, (state) => stateWithIntent(action, state, this.deps.now));
    if (!intent) {
      this.fail(action, log, actionText.intentUnrecordedNothingDone);
      await this.event(action, outcomeEvent(action, { kind: 'failed', message: actionText.intentUnrecorded }), true);
      return;
    }
    const lateNow = this.deps.tooLate?.();
    if (lateNow) return this.fail(action, log, actionText.lateAfterIntent(lateNow));
    const { outcome, applied } =
      action.kind === 'workaround'
        ? await this.applyWorkaround(action)
        : { outcome: await this.perform(action), applied: undefined };
    await this.event(action, outcomeEvent(action, outcome), true);
    const done: Outcome = isDone(outcome) ? 'done' : 'failed';
    const entry = {
      at: this.deps.now,
      kind: action.kind,
      outcome: outcomeText(outcome),
      detail: describeForHistory(action),
    };
    await this.saveState(action.workload, (state) =>
      withHistory(stateAfter(action, state, this.deps.now, done, applied), entry),
    );
    this.record(action, outcome);
    if (outcome.kind === 'failed' || outcome.kind === 'eviction-blocked') this.fail(action, log, outcomeText(outcome));
    else log.info({ actionId: action.id, kind: action.kind, outcome: outcome.kind }, 'action done');
  }

  /**
   * A previous run recorded an intent and died. What the cluster shows decides: done → counted as
   * done (when it was taken); not done → carried out exactly as recorded if today's guardrails allow,
   * else dropped; the cluster cannot tell → the intent is kept for the next run.
   */
  private async reconcile(item: Extract<PlanItem, { type: 'notice' }>, log: Logger): Promise<void> {
    const intent = item.intent;
    if (!intent) return;
    const outcome: Outcome =
      intent.kind === 'restart'
        ? await reconcileRestart(this.deps.cluster, item.workload, intent, {
            log,
            ...(this.deps.tooLate ? { tooLate: this.deps.tooLate } : {}),
          })
        : intent.happened === true
          ? 'done'
          : 'abandoned';
    if (intent.kind === 'workaround')
      log.info(
        { actionId: intent.actionId, happened: intent.happened ?? 'cannot tell' },
        `the interrupted ${intent.revert ? 'revert' : 'workaround'} ${intent.happened ? 'had happened; counted as done' : 'is dropped'}`,
      );
    await this.saveState(item.workload, (state) => stateAfter(item, state, this.deps.now, outcome));
  }

  /** Whole or not at all; what is applied is saved on the intent part by part (src/kube/workaround-apply.ts). */
  private applyWorkaround(action: PlanAction): Promise<WorkaroundRun> {
    return applyWorkaround(this.deps.cluster, action, (applied) =>
      this.saveState(action.workload, (state) => stateWithProgress(state, action.id, applied)),
    );
  }

  private async perform(action: PlanAction): Promise<ActionOutcome> {
    const { cluster } = this.deps;
    const details = action.details;
    switch (action.kind) {
      case 'restart': {
        const pod = action.pod
          ? { namespace: action.workload.namespace, name: action.pod.name, uid: action.pod.uid }
          : undefined;
        return restartAs(cluster, action.workload, {
          mode: details.restart?.mode ?? 'rollout',
          actionId: action.id,
          pod,
        });
      }
      case 'workaround':
        return (await this.applyWorkaround(action)).outcome;
      case 'revert-workaround':
        return revertWorkaround(cluster, action);
      case 'upgrade-pr':
        // The incident's actions across runs, with their real times and outcomes (the state's history).
        return this.deps.upgrade(
          action,
          this.deps.evidence(action.workload),
          this.stateOf(action.workload)?.history ?? [],
        );
    }
  }

  private saveState(workload: WorkloadRef, next: (state: WorkloadState) => WorkloadState): Promise<boolean> {
    return this.states.save(workload, next);
  }

  /** `taken`: the outcome of an action carried out, recorded each time (a retry under the same ID counts up its Event). */
  private event(item: PlanItem, draft: EventDraft, taken = false): Promise<void> {
    return recordWorkloadEvent(this.deps.cluster, this.deps.logger, item.workload, draft, {
      pod: item.pod,
      ...(taken ? { countRepeats: true } : {}),
    });
  }

  private record(action: PlanAction, outcome: ActionOutcome): void {
    const key = workloadKey(action.workload);
    this.report.actions.push({
      id: action.id,
      kind: action.kind,
      workload: key,
      dryRun: false,
      outcome: outcome.kind,
      detail: outcomeText(outcome),
    });
    this.report.outcomes.set(key, [...(this.report.outcomes.get(key) ?? []), outcome]);
  }

  private fail(action: PlanAction, log: Logger, message: string): void {
    this.report.failures.push(actionText.failed(action.id, message));
    log.error({ actionId: action.id, kind: action.kind }, message);
  }
}
