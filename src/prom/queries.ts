/**
 * Every query leakguard asks and every graph link it shows, built here from the profile's settings:
 * prometheus.matchers narrow the built-in selector to this cluster's series in one place, so no query
 * and no link can miss them.
 */
import { trimEnd } from '../model/text.js';
import { formatDuration } from '../model/units.js';

/** What a query is built from: a profile's pods (config `profiles[]`). */
export interface QueryProfile {
  namespace: string;
  container?: string | undefined;
  /** The profile's own query (`$namespace`, `$container`, `$step`, `$matchers` filled in), used as written. */
  query?: string | undefined;
}

/** The Prometheus settings a query is built with (config `prometheus`). */
export interface QuerySettings {
  /** Seconds between points (config `prometheus.step`). */
  step: number;
  /** Label matchers every built-in selector carries, canonical text (config `prometheus.matchers`). */
  matchers: string;
}

/**
 * What a built-in query selects, as data: Prometheus runs the PromQL text, an in-memory source (the
 * demo's) reads this instead. Absent for a profile's own query.
 */
export interface MemorySelection {
  namespace: string;
  container?: string;
  /** RE2 pattern the pod names match in full. */
  pods?: string;
  /** The workload history: the pods' owners (`kube_pod_owner`) come in the same answer. */
  owners: boolean;
}

/** Prometheus refuses range answers with more points per series. */
export const MAX_POINTS = 11_000;

function quote(value: string): string {
  return JSON.stringify(value);
}

/** A literal in an RE2 pattern (a pod or workload name in `pod=~`). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * The default query, or the profile's override with `$namespace`, `$container`, `$step` and
 * `$matchers` filled in. The default keeps the minimum of each step (`min_over_time` over the step):
 * the detector judges the memory floor, and a coarse step with the floor preserved keeps 1,000
 * targets cheap to fetch.
 */
export function profileQuery(
  profile: QueryProfile,
  { step: stepSeconds, matchers }: QuerySettings,
  /** A regex the pod names must match (the built-in query only; a custom query is used as written). */
  pods?: string,
): string {
  const step = `${Math.round(stepSeconds)}s`;
  if (profile.query) {
    return profile.query
      .replaceAll('$namespace', profile.namespace)
      .replaceAll('$container', profile.container ?? '')
      .replaceAll('$step', step)
      .replaceAll('$matchers', matchers);
  }
  const container = profile.container ? `container=${quote(profile.container)}` : 'container!="", container!="POD"';
  const slice = (pods === undefined ? '' : `, pod=~${quote(pods)}`) + (matchers ? `, ${matchers}` : '');
  return `max by (namespace, pod, container) (min_over_time(container_memory_working_set_bytes{namespace=${quote(profile.namespace)}, ${container}${slice}}[${step}]))`;
}

/**
 * The workload history query: the profile's query at the floor's bucket (the floor per bucket over
 * the lookback), with the pods' owners from kube-state-metrics (`kube_pod_owner`, where it is
 * scraped) in the same answer. `pods` narrows both to the pods of the workloads that can learn
 * from their past.
 */
export function workloadHistoryQuery(
  profile: QueryProfile,
  matchers: string,
  stepSeconds: number,
  pods?: string,
): string {
  const slice = (pods === undefined ? '' : `, pod=~${quote(pods)}`) + (matchers ? `, ${matchers}` : '');
  const owners = `max by (namespace, pod, owner_kind, owner_name) (kube_pod_owner{namespace=${quote(profile.namespace)}${slice}})`;
  return `(${profileQuery(profile, { step: stepSeconds, matchers }, pods)}) or (${owners})`;
}

/** What the built-in query selects (owners: the workload history's); undefined for a profile's own query. */
export function memorySelection(
  profile: QueryProfile,
  options: { pods?: string; owners?: boolean } = {},
): MemorySelection | undefined {
  if (profile.query) return undefined;
  return {
    namespace: profile.namespace,
    ...(profile.container ? { container: profile.container } : {}),
    ...(options.pods === undefined ? {} : { pods: options.pods }),
    owners: options.owners === true,
  };
}

/** Pod-name patterns of more workloads than this make the history query read the whole profile instead. */
const MAX_NAMED_WORKLOADS = 100;
/** Workload names are cut here in the pod pattern: Kubernetes cuts long generated pod names. */
const NAME_PREFIX = 40;

/** RE2 pattern of the pod names of these workloads; undefined when there are too many to name. */
export function workloadPodPattern(workloads: readonly string[]): string | undefined {
  const names = [...new Set(workloads)].sort();
  if (names.length > MAX_NAMED_WORKLOADS) return undefined;
  return `(?:${names.map((n) => (n.length > NAME_PREFIX ? `${escapeRegex(n.slice(0, NAME_PREFIX))}.*` : `${escapeRegex(n)}(?:-.+)?`)).join('|')})`;
}

/**
 * The workload history's step: the floor bucket, or a multiple of it when the lookback would exceed
 * Prometheus' MAX_POINTS per series (a 30 s bucket over 7 d).
 */
export function historyStepSeconds(floorBucketSeconds: number, lookbackSeconds: number): number {
  return floorBucketSeconds * Math.max(1, Math.ceil(lookbackSeconds / floorBucketSeconds / MAX_POINTS));
}

/**
 * A link to Prometheus' graph page showing `query` over the last `rangeSeconds`, for Slack and
 * Events. Prometheus, Thanos Query and Mimir serve `/graph` under their path prefix;
 * VictoriaMetrics redirects `/graph` to vmui.
 */
export function promGraphUrl(baseUrl: string, query: string, rangeSeconds: number): string {
  const parsed = new URL(baseUrl);
  const base = `${parsed.origin}${trimEnd(parsed.pathname, '/')}`;
  const params = new URLSearchParams({
    'g0.expr': query,
    'g0.tab': '0',
    'g0.range_input': formatDuration(rangeSeconds, { weeks: true }),
  });
  return `${base}/graph?${params.toString()}`;
}

/** The graph of a profile's memory over the detection window: the link Slack and the PR body show. */
export function profileGraphUrl(
  prometheus: QuerySettings & { url: string },
  profile: QueryProfile,
  windowSeconds: number,
): string {
  return promGraphUrl(prometheus.url, profileQuery(profile, prometheus), windowSeconds);
}
