/**
 * The composition root: parses the command line, builds the real adapters, runs one command and maps
 * the outcome to an exit code (0 ran, 1 a step failed, 2 configuration or usage error).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { DetectOptions } from '../detect/types.js';
import { ConfigError } from '../model/config-error.js';
import { parseDurationSeconds, parseSizeBytes } from '../config/units.js';
import { ExitCode, UsageError } from './errors.js';
import { createLogger, logLevels } from './logger.js';
import { chooseOutput } from './output.js';

// Each command loads what it needs (the detector, zod and YAML, the Kubernetes client, Octokit, Slack)
// on demand, so `--help` and a usage error load none of it.
const defaultConfigPath = '/etc/leakguard/config.yaml';
const loadRunConfig = async (flag: unknown) => (await import('./wiring.js')).loadRunConfig(flag);

type Options = NonNullable<ParseArgsConfig['options']>;

const common: Options = {
  help: { type: 'boolean', short: 'h' },
  'log-level': { type: 'string' },
};

interface Command {
  summary: string;
  usage: string;
  options: Options;
  /** The command takes positional arguments (`catalog check IMAGE`). */
  positionals?: boolean;
  run(values: Record<string, unknown>, context: Context, positionals: readonly string[]): Promise<ExitCode>;
}

interface Context {
  print(text: string): void;
  isTty: boolean;
  logLevel: string;
}

const commands: Record<string, Command> = {
  analyze: {
    summary: 'verdict for each series of a saved Prometheus query_range response',
    usage: `leakguard analyze --input FILE [--limit-bytes N] [--config FILE] [--output text|json]

  --input FILE        saved /api/v1/query_range response (JSON; - for stdin)
  --limit-bytes N     memory limit for series without one in the file (bytes, or 512Mi, 2GiB)
  --config FILE       take the detection settings from this config file`,
    options: {
      input: { type: 'string' },
      'limit-bytes': { type: 'string' },
      config: { type: 'string' },
      output: { type: 'string' },
    },
    async run(values, context) {
      const { runAnalyze } = await import('./commands/analyze.js');
      await runAnalyze(await offlineOptions(values, context), context.print);
      return ExitCode.ok;
    },
  },
  backtest: {
    summary: 'replay the detector over a saved query_range response to tune thresholds',
    usage: `leakguard backtest --input FILE [--every 15m] [--limit-bytes N] [--config FILE] [--output text|json]

  --input FILE        saved /api/v1/query_range response (JSON; - for stdin)
  --every DURATION    judge every DURATION of history (default 15m)
  --limit-bytes N     memory limit for series without one in the file
  --config FILE       take the detection settings from this config file

With --output json prints one object per working-set series, in input order (memory-limit
series in the file are read as limits, not judged):
  {"labels": {...as in the input}, "detectedAt": <unix seconds of the first leaking tick> | null, "ticks": N}`,
    options: {
      input: { type: 'string' },
      every: { type: 'string' },
      'limit-bytes': { type: 'string' },
      config: { type: 'string' },
      output: { type: 'string' },
    },
    async run(values, context) {
      const every = (values.every as string | undefined) ?? '15m';
      const everySeconds = parseDurationSeconds(every);
      if (everySeconds === null || !Number.isFinite(everySeconds) || everySeconds <= 0)
        throw new UsageError(`--every: expected a duration like 15m, got ${JSON.stringify(every)}`);
      if (everySeconds < MIN_EVERY_SECONDS)
        throw new UsageError(`--every: expected at least 1m (the detector's resolution), got ${JSON.stringify(every)}`);
      const { runBacktest } = await import('./commands/backtest.js');
      const { exposedGc } = await import('./reclaim.js');
      await runBacktest(
        { ...(await offlineOptions(values, context)), everySeconds, reclaim: exposedGc() },
        context.print,
      );
      return ExitCode.ok;
    },
  },
  run: {
    summary: 'one run: detect, decide, remediate, record (what the CronJob executes)',
    usage: `leakguard run [--config FILE] [--dry-run] [--output text|json]

  --config FILE   configuration file (default $LEAKGUARD_CONFIG or ${defaultConfigPath})
  --dry-run       report and record "would" Events only; mutate nothing (also when the config says dryRun: true)`,
    options: { config: { type: 'string' }, 'dry-run': { type: 'boolean' }, output: { type: 'string' } },
    async run(values, context) {
      const config = await loadRunConfig(values.config);
      const output = chooseOutput(values.output as string | undefined, context.isTty);
      const { runCommand } = await import('./commands/run.js');
      return runCommand(
        config,
        { dryRun: values['dry-run'] === true, output, logger: createLogger(context.logLevel) },
        context.print,
      );
    },
  },
  daemon: {
    summary: 'long-running: schedules runs in-process (cron syntax in config.schedule)',
    usage: `leakguard daemon [--config FILE]`,
    options: { config: { type: 'string' } },
    async run(values, context) {
      const config = await loadRunConfig(values.config);
      const { daemonCommand } = await import('./commands/daemon.js');
      return daemonCommand(config, createLogger(context.logLevel));
    },
  },
  status: {
    summary: 'current verdict per watched target, read-only',
    usage: `leakguard status [--config FILE] [--output text|json]`,
    options: { config: { type: 'string' }, output: { type: 'string' } },
    async run(values, context) {
      const config = await loadRunConfig(values.config);
      const output = chooseOutput(values.output as string | undefined, context.isTty);
      const { statusCommand } = await import('./commands/status.js');
      return statusCommand(config, { output, logger: createLogger(context.logLevel) }, context.print);
    },
  },
  report: {
    summary:
      'an upstream issue draft (growth, what was tried, memory chart, heap profile) for a leak no catalogue entry explains; printed, never filed',
    usage: `leakguard report INCIDENT [--config FILE]`,
    options: { config: { type: 'string' } },
    positionals: true,
    async run(values, context, positionals) {
      const config = await loadRunConfig(values.config);
      const { reportCommand } = await import('./commands/report.js');
      return reportCommand(config, positionals[0], { logger: createLogger(context.logLevel) }, context.print);
    },
  },
  catalog: {
    summary:
      "the known-issue catalogue (built-in and the config's); `catalog check IMAGE`: which entries match and what leakguard would do",
    usage: `leakguard catalog [--config FILE] [--output text|json]
       leakguard catalog check IMAGE [--container NAME] [--config FILE] [--output text|json]

  --config FILE      add the config's knownIssues and catalog settings (default $LEAKGUARD_CONFIG; none: built-in entries only)
  --container NAME   the container the image runs as (entries about one component of a shared image need it)`,
    options: { config: { type: 'string' }, container: { type: 'string' }, output: { type: 'string' } },
    positionals: true,
    async run(values, context, positionals) {
      const flag = values.config ?? process.env.LEAKGUARD_CONFIG;
      const catalog =
        flag === undefined
          ? undefined
          : await import('./wiring.js').then(async (w) => w.catalogFor(await w.loadRunConfig(flag)));
      const { runCatalog } = await import('./commands/catalog.js');
      const container = values.container as string | undefined;
      runCatalog(
        {
          ...(catalog ? { catalog } : {}),
          output: chooseOutput(values.output as string | undefined, context.isTty),
          positionals,
          ...(container ? { container } : {}),
        },
        context.print,
      );
      return ExitCode.ok;
    },
  },
  upgrade: {
    summary: '`upgrade preview`: the diff an upgrade PR would commit to a local GitOps file, or why not (no GitHub)',
    usage: `leakguard upgrade preview --file FILE --from VERSION --to VERSION [--chart NAME] [--image REPO]
                         [--also-bump CHART ...] [--offline] [--config FILE] [--repo-root DIR] [--repo OWNER/NAME]

  --file FILE        the GitOps file to start from (files it leads to are read beside it)
  --from VERSION     the version running now (1.14.9 or v1.14.9)
  --to VERSION       the version to move to
  --chart NAME       the operator's chart (default: the catalogue entry's for --image)
  --image REPO       the operator's image repository: only it (and the images released with it) move
  --also-bump CHART  another chart to move with it (repeatable)
  --offline          never ask a chart repository which chart release ships --to
  --config FILE      take the config's knownIssues and chartRepositories (credentials) into account
  --repo-root DIR    the checkout's root (default: the Git work tree holding --file)
  --repo OWNER/NAME  the repository it is a checkout of (default: its origin remote); Argo CD
                     $values/… files are followed only in it

Exit 0 with the diff (or "already pins"), 1 when the bump is refused (the reason is printed).`,
    options: {
      file: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      chart: { type: 'string' },
      image: { type: 'string' },
      'also-bump': { type: 'string', multiple: true },
      offline: { type: 'boolean' },
      config: { type: 'string' },
      'repo-root': { type: 'string' },
      repo: { type: 'string' },
    },
    positionals: true,
    async run(values, context, positionals) {
      if (positionals[0] !== 'preview' || positionals.length > 1) {
        throw new UsageError('expected `leakguard upgrade preview --file FILE --from VERSION --to VERSION`');
      }
      const flag = values.config ?? process.env.LEAKGUARD_CONFIG;
      const { buildCatalog } = await import('../catalog/catalog.js');
      const config = flag === undefined ? undefined : await import('./wiring.js').then((w) => w.loadRunConfig(flag));
      const catalog = config === undefined ? buildCatalog() : (await import('./wiring.js')).catalogFor(config);
      const { runUpgradePreview } = await import('./commands/upgrade-preview.js');
      const optional = (name: string) =>
        typeof values[name] === 'string' && values[name] !== '' ? (values[name] as string) : undefined;
      const chart = optional('chart');
      const image = optional('image');
      const repoRoot = optional('repo-root');
      const repo = optional('repo');
      return runUpgradePreview(
        {
          ...(repoRoot ? { repoRoot } : {}),
          ...(repo ? { repo } : {}),
          file: requireString(values, 'file'),
          fromVersion: requireVersion(values, 'from'),
          toVersion: requireVersion(values, 'to'),
          ...(chart ? { chart } : {}),
          ...(image ? { image } : {}),
          alsoBump: (values['also-bump'] as string[] | undefined) ?? [],
          offline: values.offline === true,
          catalog,
          chartRepositories: config?.chartRepositories ?? [],
        },
        context.print,
      );
    },
  },
  demo: {
    summary: 'the whole pipeline on an embedded 48 h trace of a leaking Rook v1.14.9 operator (no cluster, no network)',
    usage: `leakguard demo [--output text|json]`,
    options: { output: { type: 'string' } },
    async run(values, context) {
      const { runDemo } = await import('./commands/demo.js');
      await runDemo({ output: chooseOutput(values.output as string | undefined, context.isTty) }, context.print);
      return ExitCode.ok;
    },
  },
};

function topUsage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `leakguard — finds memory leaks in Kubernetes operators and remediates them safely

Usage: leakguard <command> [options]

Commands:
${lines.join('\n')}

Every command takes --help and --log-level (${logLevels.join('|')}).
Results go to stdout (text on a terminal, JSON otherwise); logs go to stderr.
Exit codes: 0 ran (whatever it found), 1 a step failed, 2 configuration or usage error.`;
}

export async function main(argv: readonly string[], context: Omit<Context, 'logLevel'>): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.print(topUsage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const command = commands[name];
  if (!command) {
    context.print(`leakguard: unknown command ${JSON.stringify(name)}\n\n${topUsage()}`);
    return ExitCode.usage;
  }
  const { values, positionals } = parseArgs({
    args: [...rest],
    options: { ...common, ...command.options },
    strict: true,
    allowPositionals: command.positionals === true,
  });
  if (values.help) {
    context.print(
      `Usage: ${command.usage}\n\nCommon options:\n  --log-level LEVEL   ${logLevels.join('|')} (default info)\n  --help              this text`,
    );
    return ExitCode.ok;
  }
  const logLevel = (values['log-level'] as string | undefined) ?? process.env.LEAKGUARD_LOG_LEVEL ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level: expected one of ${logLevels.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }
  return command.run(values, { ...context, logLevel }, positionals);
}

/** Below a minute a backtest judges the same floor again and again, for nothing but time. */
const MIN_EVERY_SECONDS = 60;

/** What `analyze` and `backtest` both take: the saved answer, its limits, the detection settings, the format. */
async function offlineOptions(values: Record<string, unknown>, context: Context) {
  return {
    input: requireString(values, 'input'),
    limitBytes: optionalSize(values, 'limit-bytes'),
    detect: await detectOptions(values),
    output: chooseOutput(values.output as string | undefined, context.isTty),
  };
}

function requireString(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function requireVersion(values: Record<string, unknown>, name: string): string {
  const value = requireString(values, name);
  if (!/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(value)) {
    throw new UsageError(`--${name}: expected a version like 1.14.9, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalSize(values: Record<string, unknown>, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const bytes = typeof value === 'string' ? parseSizeBytes(value) : null;
  if (bytes === null || !Number.isFinite(bytes) || bytes <= 0)
    throw new UsageError(`--${name}: expected bytes or a size like 512Mi, got ${JSON.stringify(value)}`);
  return bytes;
}

async function detectOptions(values: Record<string, unknown>): Promise<DetectOptions> {
  const path = values.config;
  if (typeof path === 'string') return (await import('../config/detection.js')).loadDetectOptions(path);
  return (await import('../detect/index.js')).defaultDetectOptions;
}

/** Maps any thrown error to the exit code contract. */
export function exitCodeFor(error: unknown): ExitCode {
  // Usage, config file, known-issue entries, files the config names: one policy (src/model/config-error.ts).
  if (error instanceof ConfigError) return ExitCode.usage;
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    return ExitCode.usage;
  return ExitCode.stepFailed;
}
