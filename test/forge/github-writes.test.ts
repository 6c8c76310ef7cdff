import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/forge/github-client.js';
import type { RestClient } from '../../src/forge/github-client.js';
import { GuardedWrites, RefusedWriteError } from '../../src/forge/github-writes.js';
import type { Pull } from '../../src/forge/github-schema.js';
import { FakeGitHub } from './fake-github.js';
import { captureLogger, secretFile } from './helpers.js';

/** Every write path refuses a branch outside `leakguard/` before a request leaves the process. */
describe('GuardedWrites: the one guard every GitHub write goes through', () => {
  let gh: FakeGitHub;
  let writes: GuardedWrites;
  let octokit: RestClient;

  beforeEach(async () => {
    gh = await new FakeGitHub('acme', 'gitops').start();
    const main = gh.seedBranch('main', { 'a.yaml': 'v: 1\n' });
    gh.branches.set('release-2025', main);
    gh.branches.set('leakguard/x-1', main);
    ({ octokit } = await createGitHubClient({
      auth: { tokenFile: secretFile('token', gh.acceptedToken) },
      apiUrl: gh.url,
      logger: captureLogger().logger,
    }));
    writes = new GuardedWrites(octokit, { owner: 'acme', repo: 'gitops' }, 'main');
  });
  afterEach(async () => {
    await gh.stop();
    expect(gh.violations).toEqual([]);
  });

  const pull = (ref: string, headRepo: string | null = 'acme/gitops'): Pull => ({
    number: 1,
    html_url: 'https://github.test/acme/gitops/pull/1',
    title: 't',
    head: { ref, repo: headRepo === null ? null : { full_name: headRepo } },
  });
  const file = { path: 'a.yaml', content: 'v: 2\n', sha: 'x', message: 'm' };

  const foreignBranches = [
    'main',
    'release-2025',
    'leakguard/',
    'leakguardx/y',
    'refs/heads/leakguard/x',
    'leakguard/../main',
  ];
  it.each(foreignBranches)('branch %j: every write is refused and nothing is sent', async (branch) => {
    const attempts = [
      () => writes.createBranch(branch, 'sha'),
      () => writes.resetBranch(branch, 'sha'),
      () => writes.putFile(branch, file),
      () => writes.openPull(branch, { title: 't', body: 'b' }),
      () => writes.updatePull(pull(branch), { title: 't', body: 'b' }),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toBeInstanceOf(RefusedWriteError);
    expect(gh.requests).toEqual([]);
  });

  it('the base branch is never written, even when it is under the prefix', async () => {
    const onPrefix = new GuardedWrites(octokit, { owner: 'acme', repo: 'gitops' }, 'leakguard/x-1');
    await expect(onPrefix.resetBranch('leakguard/x-1', 'sha')).rejects.toThrow(/writes only to its own branches/);
    expect(gh.requests).toEqual([]);
  });

  it.each([
    ['a fork', 'mallory/gitops'],
    ['a deleted fork', null],
  ])('a PR whose head is our branch name in %s is never edited', async (_name, headRepo) => {
    gh.addPull({ title: 'theirs', body: 'b', head: 'leakguard/x-1', base: 'main', user: 'mallory', headRepo });
    await expect(writes.updatePull(pull('leakguard/x-1', headRepo), { title: 'ours', body: 'b' })).rejects.toThrow(
      'refusing to edit pull request #1: its head is not a branch of acme/gitops',
    );
    expect(gh.requests).toEqual([]);
    expect(gh.pulls[0]?.title).toBe('theirs');
  });

  it('our own branch passes the guard and reaches GitHub', async () => {
    await writes.resetBranch('leakguard/x-1', gh.branches.get('main') ?? '');
    expect(gh.mutations().map((r) => r.operationId)).toEqual(['git/update-ref']);
  });
});
