/** Builds the real adapters from configuration: the only place that knows which implementations exist. */
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { buildCatalog, unknownIssueIds, type Catalog } from '../catalog/catalog.js';
import { loadConfig } from '../config/load.js';
import { invalidConfig, type ConfigProblem } from '../model/config-error.js';
import type { Config } from '../config/schema.js';
import { createKubeCluster } from '../kube/cluster.js';
import type { ControllerRef, StateStore, TargetSource } from '../kube/types.js';
import type { Notifier } from '../notify/types.js';
import { PrometheusSource } from '../prom/prometheus.js';
import type { MetricsSource } from '../prom/types.js';
import type { RunDeps, RunIdentity } from '../run/index.js';
import { lazyUpgradeRung, type UpgradeRung } from '../forge/upgrade-rung.js';
import { toUpgradeTargets } from '../config/policy.js';
import { exposedGc } from './reclaim.js';
import packageJson from '../../package.json' with { type: 'json' };

/** From package.json, bundled in at build time: the one place the version is written. */
export const version: string = packageJson.version;
const defaultConfigPath = '/etc/leakguard/config.yaml';

export function configPath(flag: unknown): string {
  return typeof flag === 'string' && flag !== '' ? flag : (process.env.LEAKGUARD_CONFIG ?? defaultConfigPath);
}

/** The built-in catalogue with the config's entries, disabled ids and mirror prefixes. */
export function catalogFor(config: Pick<Config, 'knownIssues' | 'catalog'>): Catalog {
  return buildCatalog(config.knownIssues, config.catalog);
}

/** The config, checked also against the catalogue: a profile naming an unknown issue is a config error. */
export async function loadRunConfig(flag: unknown): Promise<Config> {
  const path = configPath(flag);
  const config = await loadConfig(path, process.env);
  const catalog = catalogFor(config);
  const problems = config.profiles.flatMap((profile, i): ConfigProblem[] => [
    ...unknownIssueIds(catalog, profile.knownIssues).map((id) => ({
      path: ['profiles', i, 'knownIssues'],
      message: `unknown known issue ${JSON.stringify(id)} (known: ${catalog.entries.map((c) => c.id).join(', ')})`,
    })),
    ...(profile.ladder.includes('workaround') &&
    !profile.workaround?.env &&
    !profile.workaround?.configMap &&
    !catalog.entries.some((entry) => profile.knownIssues.includes(entry.id) && entry.workaround)
      ? [
          {
            path: ['profiles', i, 'workaround'],
            message: `the ladder has "workaround" but neither the profile nor its knownIssues (${profile.knownIssues.join(', ')}) give one`,
          },
        ]
      : []),
  ]);
  if (problems.length > 0) throw invalidConfig(path, problems);
  return config;
}

/**
 * In a pod: its name (downward API POD_NAME) and namespace; elsewhere host and pid. The CronJob or
 * Deployment whose annotation is the kill switch comes from the config's `controller` (the chart sets
 * it), so a run started anywhere — `kubectl leakguard run` on a laptop included — reads the same switch.
 */
export function runIdentity(config: Config, kubeConfig: KubeConfig, env: NodeJS.ProcessEnv = process.env): RunIdentity {
  const pod = env.POD_NAME;
  const ownNamespace =
    env.POD_NAMESPACE ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
  const namespace = config.lock.namespace ?? ownNamespace;
  const controller: ControllerRef | undefined =
    typeof config.controller === 'object'
      ? {
          kind: config.controller.kind,
          name: config.controller.name,
          namespace: config.controller.namespace ?? namespace,
        }
      : undefined;
  return {
    ...(pod ? { identity: pod, pod } : { identity: `${hostname()}-${process.pid}` }),
    namespace,
    ...(controller ? { controller } : {}),
  };
}

/** The cluster and Prometheus, as every command that reads them builds them. */
function clusterAndMetrics(config: Config, logger: Logger, signal?: AbortSignal) {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const identity = runIdentity(config, kubeConfig);
  const { url, headers, headersFrom, bearerTokenFile, basicAuth, caFile, maxSeries, maxResponseBytes, timeout } =
    config.prometheus;
  const metrics = new PrometheusSource({
    url,
    version,
    headers,
    headersFrom,
    bearerTokenFile,
    basicAuth,
    caFile,
    maxSeries,
    maxResponseBytes,
    timeoutSeconds: timeout,
  });
  const reclaim = exposedGc();
  const cluster = createKubeCluster({
    kubeConfig,
    logger,
    identity: identity.identity,
    ...(reclaim ? { reclaim } : {}),
    ...(signal ? { signal } : {}),
  });
  return { identity, metrics, reclaim, cluster };
}

/** What `status` reads — targets, their state, Prometheus — and nothing it could act or speak with: no Slack, no GitHub. */
export interface StatusDeps {
  cluster: TargetSource & StateStore;
  metrics: MetricsSource;
  /** The known-issue catalogue: `status` judges with the same prior as `run`. */
  catalog: Catalog;
  signal?: AbortSignal;
}

export function buildStatusDeps(config: Config, logger: Logger, signal?: AbortSignal): StatusDeps {
  const { cluster, metrics } = clusterAndMetrics(config, logger, signal);
  return { cluster, metrics, catalog: catalogFor(config), ...(signal ? { signal } : {}) };
}

/** The upgrade rung on GitHub; Octokit loads only when a PR is due: most runs never open one. */
export function createUpgradeRung(config: Config, logger: Logger): UpgradeRung {
  const github = config.github!;
  const load = () =>
    import('../forge/github.js').then(({ createGitHubForge }) =>
      createGitHubForge({
        auth: github.app ? { app: github.app } : { tokenFile: github.tokenFile! },
        apiUrl: github.apiUrl,
        logger,
        chartRepositories: config.chartRepositories,
      }),
    );
  return lazyUpgradeRung(load, toUpgradeTargets(config));
}

export async function buildRunDeps(config: Config, logger: Logger, signal?: AbortSignal): Promise<RunDeps> {
  const { identity, metrics, reclaim, cluster } = clusterAndMetrics(config, logger, signal);
  const upgrade = config.github ? createUpgradeRung(config, logger) : undefined;
  const notifier = await slackNotifier(config, logger);
  return {
    ...(notifier ? { notifier } : {}),
    config,
    cluster,
    metrics,
    catalog: catalogFor(config),
    logger,
    identity,
    ...(upgrade
      ? { upgrade: upgrade.execute, previewUpgrade: upgrade.preview, refreshUpgradePr: upgrade.refresh }
      : {}),
    ...(reclaim ? { reclaim } : {}),
    ...(signal ? { signal } : {}),
  };
}

/** Slack is optional and never blocks a run: a missing secret file is logged and the run goes on without it. */
async function slackNotifier(config: Config, logger: Logger): Promise<Notifier | undefined> {
  const slack = config.notifications.slack;
  if (!slack) return undefined;
  try {
    const { createSlackNotifier } = await import('../notify/slack.js');
    return await createSlackNotifier(slack, { logger: logger.child({ component: 'slack' }) });
  } catch (error) {
    logger.error(
      { error: (error as Error).message },
      'Slack is configured but unusable; continuing without notifications',
    );
    return undefined;
  }
}
