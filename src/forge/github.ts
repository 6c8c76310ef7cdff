/**
 * GitHub implementation of Forge. Every mutating call is awaited before the next (serial), and each
 * step is safe to repeat: a run that died half-way is finished by the next one.
 */
import type { Logger } from 'pino';
import { bumpInRepo } from './bump/index.js';
import {
  createChartSource,
  credentialSecrets,
  readChartCredentials,
  type ChartRepositoryAuthConfig,
  type ChartSource,
} from './chart-repository.js';
import { BumpError, type BumpResult, type Sighting } from './bump/types.js';
import { toForgeError } from './errors.js';
import { createGitHubClient, type GitHubClientOptions, type RestClient } from './github-client.js';
import {
  compareSchema,
  fileContentSchema,
  pullListSchema,
  refSchema,
  type FileContent,
  type Pull,
} from './github-schema.js';
import { GuardedWrites, RefusedWriteError, repoFullName, type Repo } from './github-writes.js';
import { foreignCommitsReason } from './own-branch.js';
import { prMarker, withSeeAlso, type SeeAlsoPull } from '../report/pr-body.js';
import { upgradeCommitMessage } from '../report/upgrade-pr.js';
import { claimsToBeOwn, isOwnPr, isSameBumpByOthers, proposesSameBump } from './pr-match.js';
import {
  DEFAULT_TRUSTED_AUTHORS,
  upgradeBranchName,
  type Forge,
  type ForgeError,
  type UpgradePrPreview,
  type UpgradePrRef,
  type UpgradePrRefresh,
  type UpgradePrRequest,
  type UpgradePrResult,
} from './types.js';

/** Open PRs scanned for our own and for others' bumps (100 per page). */
const MAX_PULL_PAGES = 5;

/** What the read-only survey found; `impostors` claim to be ours but are not (linked, never edited). */
type Survey =
  | { kind: 'own'; pull: Pull; impostors: SeeAlsoPull[] }
  | { kind: 'done'; result: Extract<UpgradePrResult, { outcome: 'up-to-date' | 'linked' }> }
  | {
      kind: 'create';
      branch: string;
      bumped: BumpResult;
      read: ReadonlyMap<string, SourceFile>;
      impostors: SeeAlsoPull[];
    };

/** A file as read from a branch: its text, and the blob sha a commit of it must name. */
interface SourceFile {
  text: string;
  sha: string;
}

class StepError extends Error {
  constructor(
    readonly step: string,
    readonly inner: unknown,
  ) {
    super(step);
  }
}

/** Runs one API step; a failure carries the step's name for the report. */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new StepError(name, err);
  }
}

function parseRepo(repo: string): Repo | null {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repo.trim());
  return m?.[1] && m[2] ? { owner: m[1], repo: m[2] } : null;
}

function decode(file: FileContent): string {
  return Buffer.from(file.content, 'base64').toString('utf8');
}

function bumpRequest(req: UpgradePrRequest) {
  return {
    fromVersion: req.fromVersion,
    toVersion: req.toVersion,
    fileName: req.file,
    ...(req.image ? { image: req.image } : {}),
    ...(req.chart ? { chart: req.chart } : {}),
    ...(req.alsoBump ? { alsoBump: req.alsoBump } : {}),
    ...(req.moveTogether ? { moveTogether: req.moveTogether } : {}),
    ...(req.rule ? { rule: req.rule } : {}),
    repository: req.repo,
  };
}

function bodyOf(req: UpgradePrRequest, alsoPinned: readonly Sighting[]): string {
  return typeof req.body === 'string' ? req.body : req.body({ alsoPinned });
}

function isNotFound(err: unknown): boolean {
  return err instanceof StepError && (err.inner as { status?: number }).status === 404;
}

function isRefExists(err: unknown): boolean {
  const e = err as { status?: number; message?: string };
  return e.status === 422 && /reference already exists/i.test(e.message ?? '');
}

function seeAlso(pull: Pull): SeeAlsoPull {
  return { number: pull.number, head: `${pull.head.repo?.full_name ?? '(deleted repository)'}:${pull.head.ref}` };
}

function isPullExists(err: unknown): boolean {
  const e = err as { status?: number; message?: string };
  return e.status === 422 && /pull request already exists/i.test(e.message ?? '');
}

export class GitHubForge implements Forge {
  constructor(
    private readonly octokit: RestClient,
    private readonly logger: Logger,
    private readonly secrets: readonly string[],
    /** Who leakguard is on GitHub: commits by anyone else keep a branch from being adopted or reset. */
    private readonly login: () => Promise<string>,
    /** Chart repositories, read for charts versioned apart from their app (one per forge: cached per run). */
    private readonly charts: ChartSource = createChartSource(),
  ) {}

  private loginOnce: Promise<string> | null = null;

  async ensureUpgradePullRequest(req: UpgradePrRequest): Promise<UpgradePrResult> {
    const log = this.logger.child({ component: 'forge', repo: req.repo, profile: req.profile });
    const repo = parseRepo(req.repo);
    if (!repo)
      return { outcome: 'failed', error: { code: 'config', message: `repository "${req.repo}" is not owner/name` } };
    try {
      const result = await this.ensure(repo, req, log);
      log.info({ result: result.outcome, ...('url' in result ? { url: result.url } : {}) }, 'upgrade PR ensured');
      return result;
    } catch (err) {
      return this.failure(err, log);
    }
  }

  async previewUpgradePullRequest(req: UpgradePrRequest): Promise<UpgradePrPreview> {
    const log = this.logger.child({ component: 'forge', repo: req.repo, profile: req.profile, dryRun: true });
    const repo = parseRepo(req.repo);
    if (!repo)
      return { outcome: 'failed', error: { code: 'config', message: `repository "${req.repo}" is not owner/name` } };
    try {
      const found = await this.survey(repo, req);
      if (found.kind === 'own') await this.assertOnlyOurCommits(repo, req, found.pull.head.ref); // as the real run would
      const preview: UpgradePrPreview =
        found.kind === 'own'
          ? {
              outcome: 'would-update',
              url: found.pull.html_url,
              number: found.pull.number,
              branch: found.pull.head.ref,
            }
          : found.kind === 'create'
            ? {
                outcome: 'would-open',
                branch: found.branch,
                changes: found.bumped.changes.map(({ file, resource, path, from, to }) => ({
                  file,
                  resource,
                  path,
                  from,
                  to,
                })),
              }
            : found.result;
      log.info({ result: preview.outcome }, 'upgrade PR preview');
      return preview;
    } catch (err) {
      return this.failure(err, log);
    }
  }

  async refreshUpgradePullRequest(req: UpgradePrRef, edit: (body: string) => string): Promise<UpgradePrRefresh> {
    const log = this.logger.child({ component: 'forge', repo: req.repo, profile: req.profile });
    const repo = parseRepo(req.repo);
    if (!repo)
      return { outcome: 'failed', error: { code: 'config', message: `repository "${req.repo}" is not owner/name` } };
    try {
      const own = (await this.listOpenPulls(repo)).find((p) =>
        isOwnPr(p, upgradeBranchName(req.profile, req.toVersion), repoFullName(repo)),
      );
      if (!own) return { outcome: 'no-open-pr' };
      const body = edit(own.body ?? '');
      if (body === (own.body ?? '')) return { outcome: 'up-to-date' };
      const writes = new GuardedWrites(this.octokit, repo, req.baseBranch);
      const updated = await step(`update pull request #${own.number}`, () =>
        writes.updatePull(own, { title: own.title, body }),
      );
      log.info({ result: 'updated', url: updated.html_url }, 'upgrade PR status refreshed');
      return { outcome: 'updated', url: updated.html_url, number: updated.number };
    } catch (err) {
      return this.failure(err, log);
    }
  }

  private failure(err: unknown, log: Logger): { outcome: 'deferred' | 'failed'; error: ForgeError } {
    const stepName = err instanceof StepError ? err.step : 'upgrade PR';
    const cause = err instanceof StepError ? err.inner : err;
    const error = toForgeError(cause, stepName, this.secrets);
    const outcome = error.code === 'rate-limited' ? 'deferred' : 'failed';
    log.warn(
      { result: outcome, code: error.code, status: error.status, retryAfterSeconds: error.retryAfterSeconds },
      error.message,
    );
    return { outcome, error };
  }

  /** The read-only half: open PRs and the base file decide what is to be done. */
  private async survey(repo: Repo, req: UpgradePrRequest): Promise<Survey> {
    const branch = upgradeBranchName(req.profile, req.toVersion);
    const marker = prMarker(req.profile, req.toVersion);
    const pulls = await this.listOpenPulls(repo);
    const fullName = repoFullName(repo);
    const impostors = pulls.filter((p) => claimsToBeOwn(p, branch, marker, fullName)).map(seeAlso);
    const own = pulls.find((p) => isOwnPr(p, branch, fullName));
    if (own) return { kind: 'own', pull: own, impostors };

    const outcome = await bumpInRepo(
      req.file,
      this.reader(repo, req.file, req.baseBranch),
      bumpRequest(req),
      this.charts,
    ); // BumpError: no branch, no PR
    if (outcome.kind === 'already') return { kind: 'done', result: { outcome: 'up-to-date' } };

    const names = [...(req.dependencyNames ?? []), ...outcome.result.dependencies];
    // The app version, and each version the bump writes (a chart release that ships it: argo-cd 7.7.10).
    const versions = [req.toVersion, ...outcome.result.changes.map((c) => c.to)];
    const trust = { repoFullName: fullName, authors: req.trustedAuthors ?? DEFAULT_TRUSTED_AUTHORS };
    const others = pulls.filter((p) => !claimsToBeOwn(p, branch, marker, fullName));
    const foreign = others.find((p) => isSameBumpByOthers(p, names, versions, trust));
    if (foreign) {
      this.logger.info(
        { repo: req.repo, number: foreign.number, branch: foreign.head.ref },
        'an open PR already proposes this bump; linking it',
      );
      return {
        kind: 'done',
        result: { outcome: 'linked', url: foreign.html_url, number: foreign.number, branch: foreign.head.ref },
      };
    }
    // The same bump from a stranger's fork: anyone can title a PR like Renovate. Listed, not linked.
    const untrusted = others.filter((p) => proposesSameBump(p, names, versions)).map(seeAlso);
    return {
      kind: 'create',
      branch,
      bumped: outcome.result,
      read: outcome.read,
      impostors: [...impostors, ...untrusted],
    };
  }

  /** Reads files of `ref` for the bumper: the profile's file must exist; a sibling that does not is null. */
  private reader(repo: Repo, primary: string, ref: string): (path: string) => Promise<SourceFile | null> {
    return async (path) => {
      try {
        const file = await this.readFile(repo, path, ref);
        return { text: decode(file), sha: file.sha };
      } catch (err) {
        if (path !== primary && isNotFound(err)) return null;
        throw err;
      }
    };
  }

  /** One commit per changed file, each naming the blob it replaces. */
  private async putFiles(
    writes: GuardedWrites,
    req: UpgradePrRequest,
    branch: string,
    bumped: BumpResult,
    read: ReadonlyMap<string, SourceFile>,
  ): Promise<void> {
    for (const file of bumped.files) {
      const sha = read.get(file.path)?.sha;
      if (sha === undefined) throw new BumpError('unsupported-syntax', `${file.path} was bumped but never read`);
      await this.putFile(writes, req, branch, file.path, file.content, sha);
    }
  }

  private async ensure(repo: Repo, req: UpgradePrRequest, log: Logger): Promise<UpgradePrResult> {
    const found = await this.survey(repo, req);
    if (found.kind === 'done') return found.result;
    const writes = new GuardedWrites(this.octokit, repo, req.baseBranch);
    const pr = (alsoPinned: readonly Sighting[]) => ({
      title: req.title,
      body: withSeeAlso(bodyOf(req, alsoPinned), found.impostors),
    });
    if (found.kind === 'own') {
      await this.assertOnlyOurCommits(repo, req, found.pull.head.ref);
      const alsoPinned = await this.ensureBranchBumped(repo, writes, req, found.pull.head.ref, log);
      return this.updatePull(writes, found.pull, pr(alsoPinned));
    }
    const { branch, bumped, read } = found;
    const baseSha = await this.branchSha(repo, req.baseBranch);
    const created = await this.createBranch(writes, branch, baseSha);
    if (created) {
      await this.putFiles(writes, req, branch, bumped, read);
    } else {
      await this.assertOnlyOurCommits(repo, req, branch);
      await this.ensureBranchBumped(repo, writes, req, branch, log);
    }
    return this.openPull(repo, writes, branch, pr(bumped.alsoPinned));
  }

  /** A branch that already exists is adopted (or reset) only when every commit beyond base is leakguard's. */
  private async assertOnlyOurCommits(repo: Repo, req: UpgradePrRequest, branch: string): Promise<void> {
    const compare = await step(`compare ${branch} with ${req.baseBranch}`, async () =>
      compareSchema.parse(
        (
          await this.octokit.rest.repos.compareCommitsWithBasehead({
            ...repo,
            basehead: `${req.baseBranch}...${branch}`,
          })
        ).data,
      ),
    );
    if (compare.ahead_by === 0) return;
    this.loginOnce ??= step('identify the GitHub account', this.login);
    const reason = foreignCommitsReason(compare, await this.loginOnce, branch, req.baseBranch);
    if (reason) throw new RefusedWriteError(reason);
  }

  private async listOpenPulls(repo: Repo): Promise<Pull[]> {
    const all: Pull[] = [];
    for (let page = 1; page <= MAX_PULL_PAGES; page++) {
      const pulls = await step('list open pull requests', async () =>
        pullListSchema.parse(
          (await this.octokit.rest.pulls.list({ ...repo, state: 'open', per_page: 100, page })).data,
        ),
      );
      all.push(...pulls);
      if (pulls.length < 100) break;
    }
    return all;
  }

  private async readFile(repo: Repo, path: string, ref: string): Promise<FileContent> {
    const res = await step(`read ${path} at ${ref}`, () => this.octokit.rest.repos.getContent({ ...repo, path, ref }));
    const parsed = fileContentSchema.safeParse(res.data);
    if (!parsed.success)
      throw new BumpError('unsupported-syntax', `${path} at ${ref} is not a regular file GitHub returns inline`);
    return parsed.data;
  }

  private async branchSha(repo: Repo, branch: string): Promise<string> {
    return step(
      `read branch ${branch}`,
      async () =>
        refSchema.parse((await this.octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` })).data).object.sha,
    );
  }

  /** @returns false when the branch already existed (a crashed or concurrent run made it). */
  private async createBranch(writes: GuardedWrites, branch: string, sha: string): Promise<boolean> {
    try {
      await writes.createBranch(branch, sha);
      return true;
    } catch (err) {
      if (isRefExists(err)) return false;
      if (err instanceof RefusedWriteError) throw err;
      throw new StepError(`create branch ${branch}`, err);
    }
  }

  /**
   * Makes the files on our branch pin the target version; resets our branch to base if it drifted.
   * @returns other releases still pinned at the running version (for the PR body)
   */
  private async ensureBranchBumped(
    repo: Repo,
    writes: GuardedWrites,
    req: UpgradePrRequest,
    branch: string,
    log: Logger,
  ): Promise<readonly Sighting[]> {
    try {
      return await this.bumpBranch(repo, writes, req, branch);
    } catch (err) {
      if (!(err instanceof BumpError)) throw err;
      log.info({ branch }, 'branch no longer holds the running version; resetting it to the base branch');
      const baseSha = await this.branchSha(repo, req.baseBranch);
      await step(`reset branch ${branch}`, () => writes.resetBranch(branch, baseSha));
      return this.bumpBranch(repo, writes, req, branch);
    }
  }

  /** Commits the bump to `branch` unless it pins the target already; other releases at the running version are returned. */
  private async bumpBranch(
    repo: Repo,
    writes: GuardedWrites,
    req: UpgradePrRequest,
    branch: string,
  ): Promise<readonly Sighting[]> {
    const outcome = await bumpInRepo(req.file, this.reader(repo, req.file, branch), bumpRequest(req), this.charts);
    if (outcome.kind === 'already') return outcome.alsoPinned;
    await this.putFiles(writes, req, branch, outcome.result, outcome.read);
    return outcome.result.alsoPinned;
  }

  private async putFile(
    writes: GuardedWrites,
    req: UpgradePrRequest,
    branch: string,
    path: string,
    content: string,
    sha: string,
  ): Promise<void> {
    const message = upgradeCommitMessage(req.profile, req.toVersion);
    await step(`commit ${path} to ${branch}`, () => writes.putFile(branch, { path, content, sha, message }));
  }

  private async openPull(
    repo: Repo,
    writes: GuardedWrites,
    branch: string,
    pr: { title: string; body: string },
  ): Promise<UpgradePrResult> {
    try {
      const created = await writes.openPull(branch, pr);
      return { outcome: 'opened', url: created.html_url, number: created.number, branch };
    } catch (err) {
      if (!isPullExists(err)) throw new StepError(`open pull request from ${branch}`, err);
      // Opened by a concurrent run between our listing and now: update that one (if it is ours).
      const res = await step('find existing pull request', () =>
        this.octokit.rest.pulls.list({ ...repo, state: 'open', head: `${repo.owner}:${branch}` }),
      );
      const existing = pullListSchema.parse(res.data).find((p) => isOwnPr(p, branch, repoFullName(repo)));
      if (!existing) throw new StepError(`open pull request from ${branch}`, err);
      return this.updatePull(writes, existing, pr);
    }
  }

  private async updatePull(
    writes: GuardedWrites,
    pull: Pull,
    pr: { title: string; body: string },
  ): Promise<UpgradePrResult> {
    const updated = await step(`update pull request #${pull.number}`, () => writes.updatePull(pull, pr));
    return { outcome: 'updated', url: updated.html_url, number: updated.number, branch: pull.head.ref };
  }
}

/**
 * Reads the credentials (GitHub's and the chart repositories') from their files and returns a ready
 * forge. Throws GitHubConfigError or SecretFileError naming the file.
 */
export async function createGitHubForge(
  options: GitHubClientOptions & {
    chartRepositories?: readonly ChartRepositoryAuthConfig[];
    /** Chart repositories read some other way (a test's). @default over HTTP(S) with chartRepositories' credentials */
    charts?: ChartSource;
  },
): Promise<GitHubForge> {
  const client = await createGitHubClient(options);
  const credentials = await readChartCredentials(options.chartRepositories ?? []);
  const secrets = [...client.secrets, ...credentialSecrets(credentials)];
  const charts = options.charts ?? createChartSource({ credentials });
  return new GitHubForge(client.octokit, options.logger, secrets, client.login, charts);
}
