/**
 * `leakguard upgrade preview`: what the upgrade PR would commit to a GitOps file, from a local
 * checkout, without GitHub. Reads the file and the siblings the bump follows; chart repositories are
 * asked (read-only) when a chart is versioned apart from its app, unless `offline`.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Catalog } from '../../catalog/catalog.js';
import { matchKnownIssues } from '../../catalog/catalog.js';
import type { UpgradeRule } from '../../catalog/schema.js';
import { BumpError, bumpInRepo, repositoryOf, type BumpRequest } from '../../forge/bump/index.js';
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
  /** The checkout's root: paths are shown and followed from it. @default the Git work tree holding `file` */
  repoRoot?: string;
  /** `owner/name` of the repository (Argo CD `$values/…` files are followed in it). @default its `origin` remote */
  repo?: string;
}

async function readLocal(path: string): Promise<{ text: string } | null> {
  try {
    return { text: await readFile(path, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The Git work tree holding `file` (a `.git` directory, or a worktree's `.git` file), or null. */
async function workTreeOf(file: string): Promise<string | null> {
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    if (
      await stat(join(dir, '.git')).then(
        () => true,
        () => false,
      )
    )
      return dir;
    if (dirname(dir) === dir) return null;
  }
}

/** `owner/name` from the work tree's `origin` remote (`.git/config`, or a worktree's common directory). */
async function originOf(root: string): Promise<string | null> {
  let gitDir = join(root, '.git');
  const pointer = await readLocal(gitDir).catch(() => null); // a directory cannot be read as a file
  if (pointer) {
    const line = pointer.text.split('\n').find((l) => l.startsWith('gitdir:'));
    const linked = line?.slice('gitdir:'.length).trim();
    if (!linked) return null;
    gitDir = resolve(root, linked);
    const common = await readLocal(join(gitDir, 'commondir'));
    if (common) gitDir = resolve(gitDir, common.text.trim());
  }
  const config = await readLocal(join(gitDir, 'config')).catch(() => null);
  const section = config?.text.split(/^\[/m).find((s) => /^remote\s+"origin"\]/.test(s));
  const url = section
    ?.split('\n')
    .map((l) => l.trim())
    .find((l) => /^url\s*=/.test(l))
    ?.replace(/^url\s*=\s*/, '');
  return url ? repositoryOf(url) : null;
}

/**
 * Where the preview reads: paths relative to the checkout's root (as in the pull request) when the root
 * is known, as given otherwise.
 */
async function checkout(options: UpgradePreviewOptions): Promise<{ primary: string; root: string | null }> {
  const root = options.repoRoot ?? (await workTreeOf(options.file));
  if (root === null) return { primary: options.file, root: null };
  const path = relative(resolve(root), resolve(options.file));
  if (path.startsWith('..') || isAbsolute(path)) return { primary: options.file, root: null };
  return { primary: path.split(sep).join('/'), root };
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
  const repo = options.repo;
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
    ...(repo ? { repository: repo } : {}),
  };
}

export async function runUpgradePreview(
  options: UpgradePreviewOptions,
  print: (text: string) => void,
): Promise<ExitCode> {
  const { primary, root } = await checkout(options);
  const repo = options.repo ?? (root === null ? null : await originOf(root));
  const req = previewRequest({ ...options, ...(repo ? { repo } : {}) });
  const readAt = (path: string) => readLocal(root === null ? path : join(root, path));
  try {
    const charts = options.offline
      ? undefined
      : (options.charts ??
        createChartSource({ credentials: await readChartCredentials(options.chartRepositories ?? []) }));
    const outcome = await bumpInRepo(primary, readAt, req, charts);
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
