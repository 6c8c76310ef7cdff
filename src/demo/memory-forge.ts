/**
 * The demo's GitOps repository: one file, bumped by the production bumper, and the PRs the upgrade
 * rung opens and re-writes in it — in memory, no network. The real GitHub adapter, with the same
 * contract, is tested against a fake of GitHub's API validated by its OpenAPI description.
 */
import { bumpOrAlready } from '../forge/bump/index.js';
import {
  upgradeBranchName,
  type Forge,
  type UpgradePrRef,
  type UpgradePrRefresh,
  type UpgradePrRequest,
  type UpgradePrResult,
} from '../forge/types.js';

export interface MemoryPull {
  number: number;
  branch: string;
  title: string;
  body: string;
  /** The file on the PR's branch. */
  file: { path: string; before: string; after: string };
  /** Bodies this PR had, oldest first (each change of phase re-writes it). */
  bodies: string[];
}

export class MemoryForge implements Forge {
  readonly pulls: MemoryPull[] = [];

  constructor(private readonly files: Record<string, string>) {}

  async ensureUpgradePullRequest(req: UpgradePrRequest): Promise<UpgradePrResult> {
    const branch = upgradeBranchName(req.profile, req.toVersion);
    const url = (n: number) => `https://github.com/${req.repo}/pull/${n}`;
    const text = this.files[req.file];
    if (text === undefined)
      return { outcome: 'failed', error: { code: 'not-found', message: `${req.file} is not in ${req.repo}` } };
    const bump = bumpOrAlready(text, {
      fromVersion: req.fromVersion,
      toVersion: req.toVersion,
      fileName: req.file,
      ...(req.chart ? { chart: req.chart } : {}),
    });
    const own = this.pulls.find((p) => p.branch === branch);
    if (bump.kind === 'already' && !own) return { outcome: 'up-to-date' };
    const body =
      typeof req.body === 'string'
        ? req.body
        : req.body({ alsoPinned: bump.kind === 'bumped' ? bump.result.alsoPinned : bump.alsoPinned });
    if (own) {
      Object.assign(own, { title: req.title, body });
      own.bodies.push(body);
      return { outcome: 'updated', url: url(own.number), number: own.number, branch };
    }
    const after = bump.kind === 'bumped' ? bump.result.content : text;
    const pull = {
      number: this.pulls.length + 1,
      branch,
      title: req.title,
      body,
      file: { path: req.file, before: text, after },
      bodies: [body],
    };
    this.pulls.push(pull);
    return { outcome: 'opened', url: url(pull.number), number: pull.number, branch };
  }

  async refreshUpgradePullRequest(req: UpgradePrRef, edit: (body: string) => string): Promise<UpgradePrRefresh> {
    const own = this.pulls.find((p) => p.branch === upgradeBranchName(req.profile, req.toVersion));
    if (!own) return { outcome: 'no-open-pr' };
    const body = edit(own.body);
    if (body === own.body) return { outcome: 'up-to-date' };
    own.body = body;
    own.bodies.push(body);
    return { outcome: 'updated', url: `https://github.com/${req.repo}/pull/${own.number}`, number: own.number };
  }
}
