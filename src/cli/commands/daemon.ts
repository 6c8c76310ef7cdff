/**
 * `leakguard daemon`: runs on a schedule in-process (node-cron), for clusters that prefer a Deployment
 * over a CronJob. Runs never overlap; SIGTERM stops scheduling and lets the current run finish, up to a
 * grace period, after which it is abandoned (every step is idempotent, so the next run completes it).
 *
 * A run that hangs is never silent: a warning when it outlives its deadline, and one on every tick it
 * makes the schedule skip. (Every API request is bounded by the deadline, so a run normally ends there.)
 */
import cron from 'node-cron';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { runOnce, type RunSummary } from '../../run/index.js';
import { ExitCode, UsageError } from '../errors.js';
import { buildRunDeps } from '../wiring.js';

/** One run, given its deadline (a signal aborted at it) and its logger. */
export type ScheduledRun = (deadline: AbortSignal, logger: Logger) => Promise<RunSummary>;

export interface ScheduleOptions {
  schedule: string;
  deadlineSeconds: number;
  logger: Logger;
  run: ScheduledRun;
}

/** How long past its deadline a run may take to wind up before it is reported as overrunning. */
const windUpMs = 2_000;

export interface Scheduled {
  /** Stops scheduling; resolves once the current run ends, or after `graceMs` (then it is abandoned). */
  stop(graceMs: number): Promise<'finished' | 'abandoned'>;
}

export function scheduleRuns({ schedule, deadlineSeconds, logger, run }: ScheduleOptions): Scheduled {
  let current: { runId: string; startedMs: number; done: Promise<void> } | null = null;
  let skipped = 0;
  const tick = () => {
    if (current) {
      skipped += 1;
      const runningSeconds = Math.round((performance.now() - current.startedMs) / 1000);
      logger.warn(
        { runId: current.runId, runningSeconds, deadlineSeconds, skippedTicks: skipped },
        `run ${current.runId} still going after ${runningSeconds}s (deadline ${deadlineSeconds}s); skipping this tick`,
      );
      return;
    }
    skipped = 0;
    const runId = Date.now().toString(36);
    const log = logger.child({ runId });
    const startedMs = performance.now();
    const overrun = setTimeout(
      () =>
        log.warn(
          { deadlineSeconds },
          `run has outlived its ${deadlineSeconds}s deadline and is still going; the schedule skips until it ends`,
        ),
      deadlineSeconds * 1000 + windUpMs,
    );
    const done = run(AbortSignal.timeout(deadlineSeconds * 1000), log)
      .then((summary) => {
        const fields = {
          targets: summary.targets.length,
          actions: summary.actions.length,
          seconds: Math.round((performance.now() - startedMs) / 1000),
        };
        if (summary.failures.length > 0)
          log.error({ ...fields, failures: summary.failures }, 'run finished with failures');
        else log.info(fields, 'run finished');
      })
      .catch((error: unknown) => log.error({ error: (error as Error).message }, 'run failed'))
      .finally(() => {
        clearTimeout(overrun);
        current = null;
      });
    current = { runId, startedMs, done };
  };
  // Overlap is handled (and reported) here: node-cron's own noOverlap would skip ticks without a word.
  const task = cron.schedule(schedule, tick);
  return {
    async stop(graceMs) {
      await task.stop();
      const running = current?.done;
      if (!running) return 'finished';
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'abandoned'>((resolve) => (timer = setTimeout(() => resolve('abandoned'), graceMs)));
      const outcome = await Promise.race([running.then(() => 'finished' as const), grace]);
      clearTimeout(timer);
      return outcome;
    },
  };
}

/** The real run: adapters built from the config, then `runOnce`. */
export function runFromConfig(config: Config): ScheduledRun {
  return async (deadline, logger) => runOnce(await buildRunDeps(config, logger, deadline));
}

export async function daemonCommand(config: Config, logger: Logger): Promise<ExitCode> {
  if (!cron.validate(config.schedule))
    throw new UsageError(`schedule: expected a cron expression, got ${JSON.stringify(config.schedule)}`);
  const daemon = scheduleRuns({
    schedule: config.schedule,
    deadlineSeconds: config.deadline,
    logger,
    run: runFromConfig(config),
  });
  logger.info({ schedule: config.schedule }, 'daemon started');
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'stopping: no new runs');
  if ((await daemon.stop(25_000)) === 'abandoned')
    logger.warn('grace period over; abandoning the current run (the next run reconciles it)');
  return ExitCode.ok;
}
