/**
 * `leakguard upgrade preview`: what the upgrade PR would commit to a GitOps file, from a local
 * checkout, without GitHub. Reads the file and the siblings the bump follows; chart repositories are
 * asked (read-only) when a chart is versioned apart from its app, unless `offline`.
 */
import { readFile } from 'node:fs/promises';
import type { Catalog } from '../../catalog/catalog.js';
import { matchKnownIssues } from '../../catalog/catalog.js';
import type { UpgradeRule } from '../../catalog/schema.js';
import { BumpError, bumpInRepo, type BumpRequest } from '../../forge/bump/index.js';
import {
  createChartSource,
  readChartCredentials,
  type ChartRepositoryAuthConfig,
  type ChartSource,
} from '../../forge/chart-repository.js';
import { previewAlready, previewDiff, previewRefused, previewSummary } from '../../report/upgrade-preview.js';
import { ExitCode } from '../errors.js';

export interface UpgradePreviewOptions {
  file: string;
  fromVersion: string;
  toVersion: string;
  chart?: string;
  image?: string;
  alsoBump?: string[];
  offline?: boolean;
  catalog: Catalog;
  /** Credentials per chart repository (the config's `chartRepositories`). @default none: anonymous */
  chartRepositories?: readonly ChartRepositoryAuthConfig[];
  /** Chart repositories; a test passes its own. @default read over HTTP(S) */
  charts?: ChartSource;
}

async function readLocal(path: string): Promise<{ text: string } | null> {
  try {
    return { text: await readFile(path, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The catalogue entry for `image` at the running version: its chart, components and upgrade rule. */
function fromCatalogue(options: UpgradePreviewOptions): {
  chart?: string;
  moveTogether?: string[];
  rule?: UpgradeRule;
} {
  if (!options.image) return {};
  const match = matchKnownIssues(options.catalog, `${options.image}:${options.fromVersion}`)[0];
  if (!match) return {};
  const { issue } = match;
  return {
    ...(issue.chart ? { chart: issue.chart } : {}),
    ...(issue.components.length > 0 ? { moveTogether: issue.components } : {}),
    rule: issue.upgrade.rule,
  };
}

/** The bump the preview asks for: the options, completed by the catalogue entry of the running image. */
export function previewRequest(options: UpgradePreviewOptions): BumpRequest {
  const known = fromCatalogue(options);
  const chart = options.chart ?? known.chart;
  return {
    fromVersion: options.fromVersion,
    toVersion: options.toVersion,
    ...(options.image ? { image: options.image } : {}),
    ...(chart ? { chart } : {}),
    ...(options.alsoBump && options.alsoBump.length > 0 ? { alsoBump: options.alsoBump } : {}),
    ...(known.moveTogether ? { moveTogether: known.moveTogether } : {}),
    ...(known.rule ? { rule: known.rule } : {}),
  };
}

export async function runUpgradePreview(
  options: UpgradePreviewOptions,
  print: (text: string) => void,
): Promise<ExitCode> {
  const req = previewRequest(options);
  try {
    const charts = options.offline
      ? undefined
      : (options.charts ??
        createChartSource({ credentials: await readChartCredentials(options.chartRepositories ?? []) }));
    const outcome = await bumpInRepo(options.file, readLocal, req, charts);
    if (outcome.kind === 'already') {
      print(previewAlready(options.file, options.toVersion));
      return ExitCode.ok;
    }
    const { result, read } = outcome;
    print(
      previewDiff(result.files.map((f) => ({ path: f.path, before: read.get(f.path)?.text ?? '', after: f.content }))),
    );
    print(previewSummary(result.changes));
    return ExitCode.ok;
  } catch (error) {
    if (!(error instanceof BumpError)) throw error;
    print(previewRefused(error.message));
    return ExitCode.stepFailed;
  }
}
