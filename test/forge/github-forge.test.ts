import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubForge } from '../../src/forge/github.js';
import { prMarker } from '../../src/report/pr-body.js';
import type { UpgradePrRequest } from '../../src/forge/types.js';
import { FakeGitHub } from './fake-github.js';
import { captureLogger, rookUpgradeRequest, secretFile } from './helpers.js';
import { demoHelmRelease } from '../../src/demo/pipeline.js';
import { ARGO_CD_RELEASES, memoryChartSource } from '../support/chart-releases.js';

const FILE = 'clusters/prod/rook/helmrelease.yaml';
const BRANCH = 'leakguard/rook-ceph-operator-1.15.9';
/** The file as the demo shows it: a Flux HelmRelease pinning the chart, with a comment on the line. */
const HELMRELEASE = demoHelmRelease;

function request(body = `Leak detected.\n\n${prMarker('rook-ceph-operator', '1.15.9')}`): UpgradePrRequest {
  return rookUpgradeRequest(FILE, { body });
}

describe('GitHubForge.ensureUpgradePullRequest (fake GitHub validated against the OpenAPI description)', () => {
  let gh: FakeGitHub;
  let log: ReturnType<typeof captureLogger>;

  beforeEach(async () => {
    gh = await new FakeGitHub('acme', 'gitops').start();
    gh.seedBranch('main', { [FILE]: HELMRELEASE, 'README.md': '# gitops\n' });
    log = captureLogger();
  });
  afterEach(async () => {
    await gh.stop();
    expect(gh.violations).toEqual([]);
  });

  const forge = (tokenFile = secretFile('token', `${gh.acceptedToken}\n`)) =>
    createGitHubForge({ auth: { tokenFile }, apiUrl: gh.url, logger: log.logger, retryBaseMs: 5 });

  it('first run: creates the branch, commits the bumped file with comments kept, opens one PR', async () => {
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result).toMatchObject({ outcome: 'opened', number: 1, branch: BRANCH });
    expect(gh.fileAt(BRANCH, FILE)).toBe(HELMRELEASE.replace('version: v1.14.9 #', 'version: v1.15.9 #'));
    expect(gh.fileAt('main', FILE)).toBe(HELMRELEASE);
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]).toMatchObject({ head: BRANCH, base: 'main', title: request().title });
    // Mutations strictly in order, one at a time.
    expect(gh.mutations().map((r) => r.operationId)).toEqual([
      'git/create-ref',
      'repos/create-or-update-file-contents',
      'pulls/create',
    ]);
  });

  it("refresh: re-writes the body of leakguard's own open PR, sends nothing when unchanged, never opens or edits another", async () => {
    const f = await forge();
    const ref = { repo: 'acme/gitops', baseBranch: 'main', profile: 'rook-ceph-operator', toVersion: '1.15.9' };
    // None open yet: nothing is opened.
    expect(await f.refreshUpgradePullRequest(ref, (b) => `${b} x`)).toEqual({ outcome: 'no-open-pr' });
    expect(gh.mutations()).toEqual([]);
    // A fork's PR from a branch of the same name is not leakguard's: never edited.
    gh.addPull({
      title: 'lookalike',
      body: 'mine',
      head: BRANCH,
      base: 'main',
      user: 'mallory',
      headRepo: 'mallory/gitops',
    });
    expect(await f.refreshUpgradePullRequest(ref, (b) => `${b} x`)).toEqual({ outcome: 'no-open-pr' });
    await f.ensureUpgradePullRequest(request());
    const own = gh.pulls.find((p) => p.headRepo === undefined)!;
    const before = gh.mutations().length;
    expect(await f.refreshUpgradePullRequest(ref, (b) => b.replace('Leak detected.', 'Verified.'))).toMatchObject({
      outcome: 'updated',
      number: own.number,
    });
    expect(own.body).toMatch(/^Verified\.\n/);
    expect(own.body).toContain(prMarker('rook-ceph-operator', '1.15.9'));
    expect(own.title).toBe(request().title);
    expect(await f.refreshUpgradePullRequest(ref, (b) => b.replace('Leak detected.', 'Verified.'))).toEqual({
      outcome: 'up-to-date',
    });
    expect(
      gh
        .mutations()
        .slice(before)
        .map((r) => r.operationId),
    ).toEqual(['pulls/update']);
    expect(gh.pulls.find((p) => p.headRepo === 'mallory/gitops')?.body).toBe('mine');
  });

  it('re-run: updates the same PR body, opens no second PR, makes no new commit', async () => {
    const f = await forge();
    await f.ensureUpgradePullRequest(request());
    const commitBefore = gh.branches.get(BRANCH);
    const mutationsBefore = gh.mutations().length;
    const newBody = `Still leaking: 14 MiB/h.\n\n${prMarker('rook-ceph-operator', '1.15.9')}`;
    const again = await f.ensureUpgradePullRequest(request(newBody));
    expect(again).toMatchObject({ outcome: 'updated', number: 1, branch: BRANCH });
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]?.body).toBe(newBody);
    expect(gh.branches.get(BRANCH)).toBe(commitBefore);
    expect(
      gh
        .mutations()
        .slice(mutationsBefore)
        .map((r) => r.operationId),
    ).toEqual(['pulls/update']);
  });

  it('an open Renovate PR for the same bump is linked, nothing is created', async () => {
    gh.seedBranch('renovate/rook-ceph-1.x', { [FILE]: HELMRELEASE.replace('v1.14.9', 'v1.15.9') });
    gh.addPull({
      title: 'Update Helm release rook-ceph to v1.15.9',
      body: 'Renovate',
      head: 'renovate/rook-ceph-1.x',
      base: 'main',
      user: 'renovate[bot]',
    });
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result).toMatchObject({ outcome: 'linked', number: 1, url: 'https://github.test/acme/gitops/pull/1' });
    expect(gh.mutations()).toEqual([]);
    expect(gh.branches.has(BRANCH)).toBe(false);
  });

  it("a stranger's fork PR titled like a Renovate bump is not linked: leakguard opens its own and lists it under See also", async () => {
    gh.addPull({
      title: 'chore(deps): update helm release rook-ceph to v1.15.9',
      body: 'trust me',
      head: 'renovate/rook-ceph-1.x',
      base: 'main',
      user: 'mallory',
      headRepo: 'mallory/gitops',
    });
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result).toMatchObject({ outcome: 'opened', number: 2, branch: BRANCH });
    expect(gh.fileAt(BRANCH, FILE)).toBe(HELMRELEASE.replace('version: v1.14.9 #', 'version: v1.15.9 #'));
    expect(gh.pulls[1]?.body).toContain(
      '### See also\n\n- #1 from `mallory/gitops:renovate/rook-ceph-1.x` (not opened by leakguard; left as it is)',
    );
    expect(gh.pulls[0]).toMatchObject({
      title: 'chore(deps): update helm release rook-ceph to v1.15.9',
      body: 'trust me',
    });
  });

  it('a bump by a configured bot author from its fork is linked like Renovate in the repository', async () => {
    gh.addPull({
      title: 'Update Helm release rook-ceph to v1.15.9',
      body: '',
      head: 'renovate/rook-ceph-1.x',
      base: 'main',
      user: 'acme-renovate',
      headRepo: 'acme-renovate/gitops',
    });
    const stranger = await (await forge()).ensureUpgradePullRequest(rookUpgradeRequest(FILE, { trustedAuthors: [] }));
    expect(stranger).toMatchObject({ outcome: 'opened', number: 2 });
    gh.pulls.splice(1, 1);
    gh.branches.delete(BRANCH);
    const trusted = await (
      await forge()
    ).ensureUpgradePullRequest(rookUpgradeRequest(FILE, { trustedAuthors: ['acme-renovate'] }));
    expect(trusted).toMatchObject({ outcome: 'linked', number: 1 });
  });

  it('a fork PR from its main with our marker pasted in: main is not touched, the PR is not edited, ours links it', async () => {
    const marker = prMarker('rook-ceph-operator', '1.15.9');
    gh.addPull({
      title: 'harmless',
      body: `please merge ${marker}`,
      head: 'main',
      base: 'main',
      user: 'mallory',
      headRepo: 'mallory/gitops',
    });
    const mainBefore = gh.branches.get('main');
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result).toMatchObject({ outcome: 'opened', number: 2, branch: BRANCH });
    expect(gh.branches.get('main')).toBe(mainBefore);
    expect(gh.fileAt('main', FILE)).toBe(HELMRELEASE);
    expect(gh.pulls[0]).toMatchObject({ title: 'harmless', body: `please merge ${marker}` });
    expect(gh.pulls[1]?.body).toContain(
      '### See also\n\n- #1 from `mallory/gitops:main` (not opened by leakguard; left as it is)',
    );
    expect(gh.pulls[1]?.body.trimEnd().endsWith(marker)).toBe(true);
    expect(gh.mutations().every((r) => !/pulls\/1$|refs\/heads\/main$/.test(r.path))).toBe(true);
  });

  it('a PR from an existing branch with our marker: that branch is never reset, the PR never edited', async () => {
    const release = gh.seedBranch('release-2025', {
      [FILE]: HELMRELEASE.replace('v1.14.9', 'v1.15.2'),
      'other.yaml': 'keep: me\n',
    });
    gh.addPull({
      title: 'release',
      body: prMarker('rook-ceph-operator', '1.15.9'),
      head: 'release-2025',
      base: 'main',
      user: 'someone',
    });
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result).toMatchObject({ outcome: 'opened', branch: BRANCH });
    expect(gh.branches.get('release-2025')).toBe(release);
    expect(gh.fileAt('release-2025', 'other.yaml')).toBe('keep: me\n');
    expect(gh.pulls[0]?.title).toBe('release');
    expect(gh.mutations().map((r) => r.operationId)).toEqual([
      'git/create-ref',
      'repos/create-or-update-file-contents',
      'pulls/create',
    ]);
  });

  it('a fork PR whose head is our exact branch name is not ours: our own branch and PR are made beside it', async () => {
    gh.addPull({
      title: 'lookalike',
      body: '',
      head: BRANCH,
      base: 'main',
      user: 'mallory',
      headRepo: 'mallory/gitops',
    });
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result).toMatchObject({ outcome: 'opened', number: 2, branch: BRANCH });
    expect(gh.pulls[0]?.title).toBe('lookalike');
    expect(gh.pulls[1]?.body).toContain('- #1 from `mallory/gitops:leakguard/rook-ceph-operator-1.15.9`');
  });

  describe('a chart versioned apart from its app: Renovate titles the bump by the chart release', () => {
    const APP = 'argocd/application.yaml';
    const APPLICATION = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: argocd
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://argoproj.github.io/argo-helm
    chart: argo-cd
    targetRevision: 7.7.8
    helm:
      releaseName: argocd
  destination: {server: https://kubernetes.default.svc, namespace: argocd}
`;
    const argo = (): UpgradePrRequest => ({
      ...rookUpgradeRequest(APP),
      profile: 'argocd',
      fromVersion: 'v2.13.1',
      toVersion: 'v2.13.2',
      image: 'quay.io/argoproj/argocd',
      chart: 'argo-cd',
      title: 'fix(argocd): upgrade 2.13.1 → 2.13.2 (memory leak)',
    });
    const argoForge = () =>
      createGitHubForge({
        auth: { tokenFile: secretFile('token', gh.acceptedToken) },
        apiUrl: gh.url,
        logger: log.logger,
        charts: memoryChartSource({ 'https://argoproj.github.io/argo-helm': { 'argo-cd': ARGO_CD_RELEASES } }),
      });

    it("Renovate's open PR to the chart release that ships the fix (7.7.10) is linked; nothing is created", async () => {
      gh.seedBranch('main', { [APP]: APPLICATION });
      gh.seedBranch('renovate/argo-cd-7.x', { [APP]: APPLICATION.replace('7.7.8', '7.7.10') }, 'renovate[bot]');
      gh.addPull({
        title: 'Update Helm release argo-cd to v7.7.10',
        body: '',
        head: 'renovate/argo-cd-7.x',
        base: 'main',
        user: 'renovate[bot]',
      });
      expect(await (await argoForge()).ensureUpgradePullRequest(argo())).toMatchObject({
        outcome: 'linked',
        number: 1,
        branch: 'renovate/argo-cd-7.x',
      });
      expect(gh.mutations()).toEqual([]);
    });

    it("Renovate's PR to a release that does not ship the fix (7.7.9) is not this bump: leakguard opens its own to 7.7.10", async () => {
      gh.seedBranch('main', { [APP]: APPLICATION });
      gh.addPull({
        title: 'Update Helm release argo-cd to v7.7.9',
        body: '',
        head: 'renovate/argo-cd-7.x',
        base: 'main',
        user: 'renovate[bot]',
      });
      expect(await (await argoForge()).ensureUpgradePullRequest(argo())).toMatchObject({
        outcome: 'opened',
        number: 2,
        branch: 'leakguard/argocd-2.13.2',
      });
      expect(gh.fileAt('leakguard/argocd-2.13.2', APP)).toBe(APPLICATION.replace('7.7.8', '7.7.10'));
    });
  });

  it('an unrelated open PR does not stop leakguard from opening its own', async () => {
    gh.seedBranch('renovate/cert-manager-1.x', { [FILE]: HELMRELEASE });
    gh.addPull({
      title: 'Update Helm release cert-manager to v1.15.9',
      body: '',
      head: 'renovate/cert-manager-1.x',
      base: 'main',
      user: 'renovate[bot]',
    });
    expect(await (await forge()).ensureUpgradePullRequest(request())).toMatchObject({ outcome: 'opened', number: 2 });
  });

  it('401: failed with a clear message, no retry', async () => {
    const result = await (await forge(secretFile('token', 'wrong-token'))).ensureUpgradePullRequest(request());
    expect(result.outcome).toBe('failed');
    if (result.outcome !== 'failed') return;
    expect(result.error.code).toBe('unauthorized');
    expect(result.error.status).toBe(401);
    expect(result.error.message).toMatch(
      /list open pull requests: HTTP 401 Bad credentials — GitHub rejected the credentials/,
    );
    expect(gh.requests).toHaveLength(1);
  });

  it.each([
    [
      'primary (403, x-ratelimit-remaining: 0)',
      403,
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) },
      'API rate limit exceeded for installation.',
      3000,
    ],
    [
      'secondary (403 + retry-after)',
      403,
      { 'retry-after': '120' },
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      120,
    ],
    ['429 + retry-after', 429, { 'retry-after': '900' }, 'Too many requests', 900],
  ])(
    'rate limit %s on a mutating call: deferred at once, the next run finishes',
    async (_name, status, headers, message, minRetryAfter) => {
      gh.inject({ operation: 'git/create-ref', status, headers, body: { message } });
      const f = await forge();
      const result = await f.ensureUpgradePullRequest(request());
      expect(result.outcome).toBe('deferred');
      if (result.outcome !== 'deferred') return;
      expect(result.error.code).toBe('rate-limited');
      expect(result.error.retryAfterSeconds).toBeGreaterThanOrEqual(minRetryAfter);
      expect(gh.requests.filter((r) => r.operationId === 'git/create-ref')).toHaveLength(1);
      expect(gh.pulls).toHaveLength(0);
      expect(await f.ensureUpgradePullRequest(request())).toMatchObject({ outcome: 'opened', branch: BRANCH });
    },
  );

  it('422 "Reference already exists" (a run died after creating the branch) counts as success', async () => {
    gh.branches.set(BRANCH, gh.branches.get('main') as string);
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result).toMatchObject({ outcome: 'opened', branch: BRANCH });
    expect(gh.fileAt(BRANCH, FILE)).toContain('version: v1.15.9 # pinned');
    expect(gh.pulls).toHaveLength(1);
  });

  it('a branch that already holds the bump is not committed to again', async () => {
    gh.seedBranch(BRANCH, { [FILE]: HELMRELEASE.replace('v1.14.9', 'v1.15.9') }, gh.tokenLogin);
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result).toMatchObject({ outcome: 'opened' });
    expect(gh.mutations().map((r) => r.operationId)).toEqual(['git/create-ref', 'pulls/create']);
  });

  it('a file that does not pin the running version: typed error, no branch, no PR', async () => {
    gh.seedBranch('main', { [FILE]: HELMRELEASE.replace('v1.14.9', 'v1.13.4') });
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result.outcome).toBe('failed');
    if (result.outcome !== 'failed') return;
    expect(result.error.code).toBe('version-not-found');
    expect(result.error.message).toContain(`${FILE}: version 1.14.9 not found`);
    expect(gh.mutations()).toEqual([]);
  });

  it('base branch already on the target version: up-to-date, nothing created', async () => {
    gh.seedBranch('main', { [FILE]: HELMRELEASE.replace('v1.14.9', 'v1.15.9') });
    expect(await (await forge()).ensureUpgradePullRequest(request())).toEqual({ outcome: 'up-to-date' });
    expect(gh.mutations()).toEqual([]);
  });

  it('5xx is retried a bounded number of times', async () => {
    gh.inject({ operation: 'pulls/list', status: 502, body: { message: 'Bad Gateway' } });
    expect(await (await forge()).ensureUpgradePullRequest(request())).toMatchObject({ outcome: 'opened' });
    gh.inject({ operation: 'pulls/list', status: 500, body: { message: 'Server Error' }, times: 10 });
    const before = gh.requests.length;
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'server', status: 500 } });
    expect(gh.requests.length - before).toBe(3); // 1 + 2 retries
  });

  it('GitHub App auth: exchanges a JWT for an installation token, then works as usual', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    gh.app = { publicKey, appId: '12345' };
    const f = await createGitHubForge({
      auth: { app: { appId: 12345, installationId: 678, privateKeyFile: secretFile('key.pem', privateKey) } },
      apiUrl: gh.url,
      logger: log.logger,
    });
    const r = await f.ensureUpgradePullRequest(request());
    expect(r).toMatchObject({ outcome: 'opened' });
    expect(gh.requests[0]?.operationId).toBe('apps/create-installation-access-token');
    expect(gh.requests[0]?.path).toBe('/app/installations/678/access_tokens');
    expect(gh.requests.slice(1).every((r) => r.headers.authorization === `token ${gh.installationToken}`)).toBe(true);
  });

  it('GitHub App auth with a key the App does not own: 401, reported, no PR', async () => {
    const [owned, other] = [0, 1].map(() =>
      generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }),
    );
    gh.app = { publicKey: owned?.publicKey ?? '', appId: '12345' };
    const f = await createGitHubForge({
      auth: {
        app: { appId: '12345', installationId: 678, privateKeyFile: secretFile('key.pem', other?.privateKey ?? '') },
      },
      apiUrl: gh.url,
      logger: log.logger,
    });
    expect(await f.ensureUpgradePullRequest(request())).toMatchObject({
      outcome: 'failed',
      error: { code: 'unauthorized', status: 401 },
    });
    expect(gh.requests.map((r) => r.operationId)).toEqual(['apps/create-installation-access-token']);
    expect(gh.pulls).toHaveLength(0);
  });

  it('our branch drifted (file no longer on either version): reset to base and re-bumped', async () => {
    gh.seedBranch(BRANCH, { [FILE]: HELMRELEASE.replace('v1.14.9', 'v1.15.2') }, gh.tokenLogin);
    gh.addPull({
      title: 'old',
      body: prMarker('rook-ceph-operator', '1.15.9'),
      head: BRANCH,
      base: 'main',
      user: 'leakguard[bot]',
    });
    const result = await (await forge()).ensureUpgradePullRequest(request());
    expect(result).toMatchObject({ outcome: 'updated', number: 1 });
    expect(gh.fileAt(BRANCH, FILE)).toBe(HELMRELEASE.replace('v1.14.9', 'v1.15.9'));
    expect(gh.mutations().map((r) => r.operationId)).toEqual([
      'git/update-ref',
      'repos/create-or-update-file-contents',
      'pulls/update',
    ]);
  });

  describe('a leakguard/ branch someone else pushed to', () => {
    const bumped = HELMRELEASE.replace('version: v1.14.9 #', 'version: v1.15.9 #');

    it('extra commits on the branch of our open PR: neither adopted nor reset, the PR keeps its text, the reason names them', async () => {
      const f = await forge();
      await f.ensureUpgradePullRequest(request());
      const extra = gh.pushCommit(BRANCH, { 'clusters/prod/evil.yaml': 'kind: ClusterRoleBinding\n' }, 'mallory');
      const before = gh.mutations().length;
      const result = await f.ensureUpgradePullRequest(
        request(`Still leaking.\n\n${prMarker('rook-ceph-operator', '1.15.9')}`),
      );
      expect(result).toMatchObject({ outcome: 'failed', error: { code: 'refused' } });
      if (result.outcome !== 'failed') return;
      expect(result.error.message).toContain(
        `branch ${BRANCH} holds 1 commit beyond main not made by leakguard (leakguard-bot) (${extra.slice(0, 7)} by mallory)`,
      );
      expect(result.error.message).toContain(
        'delete the branch (or remove those commits) and the next run proposes the upgrade',
      );
      expect(gh.mutations().length).toBe(before);
      expect(gh.pulls[0]?.body).toBe(request().body);
      expect(gh.branches.get(BRANCH)).toBe(extra);
      expect(gh.authorsAhead(BRANCH)).toEqual(['leakguard-bot', 'mallory']);
      // The dry-run preview says the same, with read-only calls.
      expect(await f.previewUpgradePullRequest(request())).toMatchObject({
        outcome: 'failed',
        error: { code: 'refused' },
      });
      expect(gh.mutations().length).toBe(before);
    });

    it('a branch pushed by someone else before any PR: no PR is opened from it', async () => {
      gh.pushCommit(BRANCH, { [FILE]: bumped, 'extra.yaml': 'x: 1\n' }, 'mallory');
      const result = await (await forge()).ensureUpgradePullRequest(request());
      expect(result).toMatchObject({ outcome: 'failed', error: { code: 'refused' } });
      expect(gh.pulls).toHaveLength(0);
      expect(gh.mutations().map((r) => r.operationId)).toEqual(['git/create-ref']);
      expect(gh.fileAt(BRANCH, 'extra.yaml')).toBe('x: 1\n');
    });

    it('a drifted branch with commits by leakguard only is reset, also as a GitHub App (<slug>[bot])', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      gh.app = { publicKey, appId: '12345' };
      gh.pushCommit(BRANCH, { [FILE]: HELMRELEASE.replace('v1.14.9', 'v1.15.2') }, 'leakguard[bot]');
      gh.addPull({ title: 'old', body: 'old', head: BRANCH, base: 'main', user: 'leakguard[bot]' });
      const f = await createGitHubForge({
        auth: { app: { appId: 12345, installationId: 678, privateKeyFile: secretFile('key.pem', privateKey) } },
        apiUrl: gh.url,
        logger: log.logger,
      });
      expect(await f.ensureUpgradePullRequest(request())).toMatchObject({ outcome: 'updated', number: 1 });
      expect(gh.fileAt(BRANCH, FILE)).toBe(HELMRELEASE.replace('v1.14.9', 'v1.15.9'));
      expect(gh.authorsAhead(BRANCH)).toEqual(['leakguard[bot]']);
      expect(gh.requests.some((r) => r.operationId === 'apps/get-authenticated')).toBe(true);
    });
  });

  it('GitHub Enterprise: every call goes under the apiUrl path prefix', async () => {
    const ghes = await new FakeGitHub('acme', 'gitops', '/api/v3').start();
    try {
      ghes.seedBranch('main', { [FILE]: HELMRELEASE });
      const f = await createGitHubForge({
        auth: { tokenFile: secretFile('token', ghes.acceptedToken) },
        apiUrl: `${ghes.url}/`,
        logger: log.logger,
      });
      expect(await f.ensureUpgradePullRequest(request())).toMatchObject({ outcome: 'opened' });
      expect(ghes.violations).toEqual([]);
      expect(ghes.requests.length).toBeGreaterThan(3);
    } finally {
      await ghes.stop();
    }
  });

  it('dry-run preview: read-only calls only, says what it would do', async () => {
    const f = await forge();
    const preview = f.previewUpgradePullRequest.bind(f);
    expect(await preview(request())).toEqual({
      outcome: 'would-open',
      branch: BRANCH,
      changes: [
        {
          file: FILE,
          resource: 'HelmRelease/rook-ceph',
          path: 'spec.chart.spec.version',
          from: 'v1.14.9',
          to: 'v1.15.9',
        },
      ],
    });
    expect(gh.mutations()).toEqual([]);
    expect(gh.branches.has(BRANCH)).toBe(false);
    await f.ensureUpgradePullRequest(request());
    const before = gh.mutations().length;
    expect(await preview(request())).toMatchObject({ outcome: 'would-update', number: 1, branch: BRANCH });
    gh.inject({
      operation: 'pulls/list',
      status: 429,
      headers: { 'retry-after': '30' },
      body: { message: 'slow down' },
    });
    expect(await preview(request())).toMatchObject({
      outcome: 'deferred',
      error: { code: 'rate-limited', retryAfterSeconds: 30 },
    });
    expect(gh.mutations().length).toBe(before);
  });

  it('dry-run preview of a file without the running version fails like the real run would', async () => {
    gh.seedBranch('main', { [FILE]: HELMRELEASE.replace('v1.14.9', 'v1.13.4') });
    const f = await forge();
    expect(await f.previewUpgradePullRequest({ ...request() })).toMatchObject({
      outcome: 'failed',
      error: { code: 'version-not-found' },
    });
    expect(gh.mutations()).toEqual([]);
  });

  it('unreadable or empty credential files are a config error naming the file', async () => {
    await expect(createGitHubForge({ auth: { tokenFile: '/nonexistent/token' }, logger: log.logger })).rejects.toThrow(
      'cannot read GitHub token file /nonexistent/token (ENOENT)',
    );
    await expect(
      createGitHubForge({ auth: { tokenFile: secretFile('t', '  \n') }, logger: log.logger }),
    ).rejects.toThrow(/is empty/);
    await expect(createGitHubForge({ auth: {}, logger: log.logger })).rejects.toThrow(
      'exactly one of tokenFile or app',
    );
  });
});
