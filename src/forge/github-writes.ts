/**
 * Every write leakguard makes to a Git host goes through this one guard. leakguard writes only to
 * branches under `leakguard/` in the configured repository, and edits only the PRs whose head is such
 * a branch of that repository. A write anywhere else is refused before any request is sent — whatever
 * a PR body claims, whatever the caller computed.
 */
import type { RestClient } from './github-client.js';
import { createdPullSchema, type Pull } from './github-schema.js';
import { isOwnPr } from './pr-match.js';
import { LEAKGUARD_BRANCH_PREFIX } from './types.js';

export interface Repo {
  owner: string;
  repo: string;
}

/** A write the guard refused: a bug or an attack, never retried. */
export class RefusedWriteError extends Error {
  override readonly name = 'RefusedWriteError';
}

export function repoFullName(repo: Repo): string {
  return `${repo.owner}/${repo.repo}`;
}

export class GuardedWrites {
  constructor(
    private readonly octokit: RestClient,
    private readonly repo: Repo,
    /** The configured base branch: never written, even if it were under the prefix. */
    private readonly baseBranch: string,
  ) {}

  private assertOwnBranch(branch: string): void {
    const ok =
      branch.startsWith(LEAKGUARD_BRANCH_PREFIX) &&
      branch.length > LEAKGUARD_BRANCH_PREFIX.length &&
      branch !== this.baseBranch &&
      !branch.includes('..');
    if (!ok) {
      throw new RefusedWriteError(
        `refusing to write to branch "${branch}" of ${repoFullName(this.repo)}: leakguard writes only to its own branches under ${LEAKGUARD_BRANCH_PREFIX}`,
      );
    }
  }

  async createBranch(branch: string, sha: string): Promise<void> {
    this.assertOwnBranch(branch);
    await this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/heads/${branch}`, sha });
  }

  /** Force-moves one of our branches (it drifted); never any other ref. */
  async resetBranch(branch: string, sha: string): Promise<void> {
    this.assertOwnBranch(branch);
    await this.octokit.rest.git.updateRef({ ...this.repo, ref: `heads/${branch}`, sha, force: true });
  }

  async putFile(branch: string, file: { path: string; content: string; sha: string; message: string }): Promise<void> {
    this.assertOwnBranch(branch);
    await this.octokit.rest.repos.createOrUpdateFileContents({
      ...this.repo,
      path: file.path,
      branch,
      sha: file.sha,
      content: Buffer.from(file.content, 'utf8').toString('base64'),
      message: file.message,
    });
  }

  async openPull(branch: string, pr: { title: string; body: string }): Promise<{ number: number; html_url: string }> {
    this.assertOwnBranch(branch);
    const res = await this.octokit.rest.pulls.create({
      ...this.repo,
      head: branch,
      base: this.baseBranch,
      title: pr.title,
      body: pr.body,
    });
    return createdPullSchema.parse(res.data);
  }

  /** Edits a PR only when its head is our branch in our repository (not a fork's branch of that name). */
  async updatePull(pull: Pull, pr: { title: string; body: string }): Promise<{ number: number; html_url: string }> {
    this.assertOwnBranch(pull.head.ref);
    if (!isOwnPr(pull, pull.head.ref, repoFullName(this.repo))) {
      throw new RefusedWriteError(
        `refusing to edit pull request #${pull.number}: its head is not a branch of ${repoFullName(this.repo)}`,
      );
    }
    const res = await this.octokit.rest.pulls.update({
      ...this.repo,
      pull_number: pull.number,
      title: pr.title,
      body: pr.body,
    });
    return createdPullSchema.parse(res.data);
  }
}
