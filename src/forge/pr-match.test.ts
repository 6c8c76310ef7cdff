import { describe, expect, it } from 'vitest';
import type { Pull } from './github-schema.js';
import { claimsToBeOwn, isOwnPr, isSameBumpByOthers } from './pr-match.js';

const pr = (title: string, ref: string, body = '', headRepo: string | null = 'acme/gitops', user = 'renovate[bot]'): Pull => ({
  number: 1,
  html_url: 'u',
  title,
  body,
  head: { ref, repo: headRepo === null ? null : { full_name: headRepo } },
  user: { login: user },
});
const deps = ['rook-ceph', 'rook/ceph'];
const trust = { repoFullName: 'acme/gitops', authors: ['renovate[bot]', 'dependabot[bot]'] };

describe('isSameBumpByOthers', () => {
  it.each([
    ['Update Helm release rook-ceph to v1.15.9', 'renovate/rook-ceph-1.x', true],
    ['chore(deps): update docker.io/rook/ceph docker tag to v1.15.9', 'renovate/docker.io-rook-ceph-1.x', true],
    ['Bump rook-ceph to 1.15.9', 'bump-rook', true],
    ['Update rook-ceph', 'renovate/rook-ceph-1.x', true],
    ['Bump rook-ceph to 1.15.10', 'bump-rook', false],
    ['Update Helm release cert-manager to v1.15.9', 'renovate/cert-manager-1.x', false],
    ['Update rook-ceph-csi to 1.15.9', 'x', false],
    ['Update Helm release rook-ceph-cluster to v1.15.9', 'renovate/rook-ceph-cluster-1.x', false],
    ['fix(rook-ceph-operator): upgrade 1.14.9 → 1.15.9', 'leakguard/other-1.15.9', false],
  ])('%s (%s) → %s', (title, ref, expected) => {
    expect(isSameBumpByOthers(pr(title, ref), deps, 'v1.15.9', trust)).toBe(expected);
  });
});

describe('isSameBumpByOthers: only a PR from the configured repository or a trusted bot stands in for ours', () => {
  const title = 'chore(deps): update helm release rook-ceph to v1.15.9';
  it.each([
    ['a bot PR from the configured repository', pr(title, 'renovate/rook-ceph-1.x'), true],
    ['a human PR from a branch of the configured repository', pr(title, 'bump-rook', '', 'Acme/GitOps', 'alice'), true],
    ['Renovate in forking mode (a trusted author, its own fork)', pr(title, 'renovate/rook-ceph-1.x', '', 'renovate-bot/gitops', 'renovate[bot]'), true],
    ['a trusted author spelled in another case', pr(title, 'x', '', 'bots/gitops', 'Dependabot[bot]'), true],
    ["a stranger's fork titled like Renovate", pr(title, 'renovate/rook-ceph-1.x', '', 'mallory/gitops', 'mallory'), false],
    ['a deleted fork by a stranger', pr(title, 'renovate/rook-ceph-1.x', '', null, 'mallory'), false],
    ['a fork PR with no author', { ...pr(title, 'x', '', 'mallory/gitops'), user: null }, false],
  ])('%s → %s', (_name, pull, expected) => {
    expect(isSameBumpByOthers(pull, deps, 'v1.15.9', trust)).toBe(expected);
  });

  it('no trusted authors: only the configured repository counts', () => {
    const fork = pr(title, 'renovate/rook-ceph-1.x', '', 'renovate-bot/gitops', 'renovate[bot]');
    expect(isSameBumpByOthers(fork, deps, 'v1.15.9', { ...trust, authors: [] })).toBe(false);
  });
});

describe('isOwnPr: the exact branch in the configured repository, nothing else', () => {
  const marker = '<!-- m -->';
  it.each([
    ['our branch in our repo', pr('t', 'leakguard/a-1'), true],
    ['repo names are case-insensitive', pr('t', 'leakguard/a-1', '', 'Acme/GitOps'), true],
    ['our branch name from a fork', pr('t', 'leakguard/a-1', marker, 'mallory/gitops'), false],
    ['a deleted fork', pr('t', 'leakguard/a-1', marker, null), false],
    ['main of a fork with our marker', pr('t', 'main', `x ${marker}`, 'mallory/gitops'), false],
    ['another branch of our repo with our marker', pr('t', 'release-2025', `x ${marker}`), false],
    ['another target version', pr('t', 'leakguard/a-2'), false],
  ])('%s → %s', (_name, pull, expected) => {
    expect(isOwnPr(pull, 'leakguard/a-1', 'acme/gitops')).toBe(expected);
    // Whatever is not ours but looks like it is linked, never edited.
    const looksOwn = pull.head.ref === 'leakguard/a-1' || (pull.body ?? '').includes(marker);
    expect(claimsToBeOwn(pull, 'leakguard/a-1', marker, 'acme/gitops')).toBe(!expected && looksOwn);
  });
});
