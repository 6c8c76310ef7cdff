/**
 * Chart repositories in memory, for the bump tests' layouts (the real index.yaml and OCI registry
 * are exercised in test/e2e/chart-repositories.e2e.test.ts). Records every question asked.
 */
import { ChartRepositoryError, type ChartSource } from '../../src/forge/chart-repository.js';

/** `argo-cd` as published: chart version → the Argo CD version it ships. */
export const ARGO_CD_RELEASES: [string, string][] = [
  ['7.7.7', 'v2.13.1'],
  ['7.7.8', 'v2.13.1'],
  ['7.7.9', 'v2.13.1'],
  ['7.7.10', 'v2.13.2'],
  ['7.7.11', 'v2.13.2'],
  ['7.8.0', 'v2.14.0'],
];

export interface MemoryChartSource extends ChartSource {
  asked: string[];
}

/** `repos[repo][chart]` = [chart version, app version][]; a repo named `unreachable` fails like a dead host. */
export function memoryChartSource(repos: Record<string, Record<string, [string, string][]>>): MemoryChartSource {
  const asked: string[] = [];
  const releases = (repo: string, chart: string) => {
    if (!(repo in repos)) throw new ChartRepositoryError('unreachable', `${repo}: connect ECONNREFUSED`);
    const list = repos[repo]?.[chart];
    if (!list) throw new ChartRepositoryError('not-found', `${repo} lists no chart ${chart}`);
    return list;
  };
  return {
    asked,
    async versions(repo, chart) {
      asked.push(`versions ${repo} ${chart}`);
      return releases(repo, chart).map(([v]) => v);
    },
    async appVersion(repo, chart, version) {
      asked.push(`appVersion ${repo} ${chart} ${version}`);
      const hit = releases(repo, chart).find(([v]) => v === version);
      if (!hit) throw new ChartRepositoryError('not-found', `${repo} lists no ${chart} ${version}`);
      return hit[1];
    },
  };
}
