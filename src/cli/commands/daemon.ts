/**
 * `leakguard daemon`: runs on a schedule in-process (node-cron), for clusters that prefer a Deployment
 * over a CronJob. Runs never overlap; SIGTERM stops scheduling and lets the current run finish, up to a
 * grace period, after which it is abandoned (every step is idempotent, so the next run completes it).
 */
import cron from 'node-cron';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { runOnce } from '../../run/index.js';
import { ExitCode, UsageError } from '../errors.js';
import { buildRunDeps } from '../wiring.js';

export async function daemonCommand(config: Config, logger: Logger): Promise<ExitCode> {
  if (!cron.validate(config.schedule)) throw new UsageError(`schedule: expected a cron expression, got ${JSON.stringify(config.schedule)}`);
  let current: Promise<unknown> | null = null;
  const runOne = async () => {
    if (current) {
      logger.warn('previous run still going; skipping this tick');
      return;
    }
    const deadline = AbortSignal.timeout(config.deadline * 1000);
    current = buildRunDeps(config, logger.child({ runId: Date.now().toString(36) }), deadline)
      .then((deps) => runOnce(deps))
      .then((summary) => logger.info({ targets: summary.targets.length, actions: summary.actions.length, failures: summary.failures }, 'run finished'))
      .catch((error: unknown) => logger.error({ error: (error as Error).message }, 'run failed'))
      .finally(() => (current = null));
    await current;
  };
  const task = cron.schedule(config.schedule, runOne, { noOverlap: true });
  logger.info({ schedule: config.schedule }, 'daemon started');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping: no new runs');
      void task.stop();
      const grace = setTimeout(() => {
        logger.warn('grace period over; abandoning the current run (the next run reconciles it)');
        resolve();
      }, 25_000);
      void Promise.resolve(current).finally(() => {
        clearTimeout(grace);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return ExitCode.ok;
}
