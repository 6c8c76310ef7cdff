import { describe, expect, it } from 'vitest';
import type { Pull } from './github-schema.js';
import { claimsToBeOwn, isOwnPr, isSameBumpByOthers } from './pr-match.js';

const pr = (
  title: string,
  ref: string,
  body = '',
  headRepo: string | null = 'acme/gitops',
  user = 'renovate[bot]',
): Pull => ({
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

describe('isSameBumpByOthers: a chart versioned apart from its app (argo-cd 7.7.8 → 7.7.10 ships Argo CD 2.13.2)', () => {
  // What the forge asks with: the chart and image names the bump touched, the app version and the chart release.
  const argo = ['argo-cd', 'quay.io/argoproj/argocd'];
  const versions = ['2.13.2', '7.7.10'];
  it.each([
    // Renovate's helm datasource, default and semantic-commit titles; its branch groups by major.
    ['Update Helm release argo-cd to v7.7.10', 'renovate/argo-cd-7.x', true],
    ['chore(deps): update helm release argo-cd to v7.7.10', 'renovate/argo-cd-7.x', true],
    ['fix(deps): update helm release argo-cd to v7.7.10 (#412)', 'renovate/argo-cd-7.x', true],
    ['Update Helm release argo-cd to v7.7.10', 'renovate/argo-cd-7.7.x', true],
    // The image, by its tag (an Application's helm values or a kustomization images: entry).
    ['Update quay.io/argoproj/argocd Docker tag to v2.13.2', 'renovate/quay.io-argoproj-argocd-2.x', true],
    ['Bump argo-cd from 7.7.8 to 7.7.10', 'dependabot/helm/argo-cd-7.7.10', true],
    // Another release of the same chart: not the one that ships the fix, or a major upgrade.
    ['Update Helm release argo-cd to v7.7.9', 'renovate/argo-cd-7.x', false],
    ['Bump argo-cd from 7.7.8 to 7.7.9', 'dependabot/helm/argo-cd-7.7.9', false],
    ['Update Helm release argo-cd to v8', 'renovate/argo-cd-8.x', false],
    ['Update Helm release argo-cd to v8.0.1', 'renovate/argo-cd-8.x', false],
    // Another chart whose name starts the same; the app version of another dependency.
    ['Update Helm release argo-cd-apps to v7.7.10', 'renovate/argo-cd-apps-7.x', false],
    ['Update Helm release argo-workflows to v2.13.2', 'renovate/argo-workflows-2.x', false],
  ])('%s (%s) → %s', (title, ref, expected) => {
    expect(isSameBumpByOthers(pr(title, ref), argo, versions, trust)).toBe(expected);
  });

  it('without the chart release the title names only the chart version: not recognised (what it was before)', () => {
    expect(isSameBumpByOthers(pr('Bump argo-cd chart to 7.7.10', 'bump-argocd'), argo, ['2.13.2'], trust)).toBe(false);
    expect(isSameBumpByOthers(pr('Bump argo-cd chart to 7.7.10', 'bump-argocd'), argo, versions, trust)).toBe(true);
  });
});

describe('isSameBumpByOthers: only a PR from the configured repository or a trusted bot stands in for ours', () => {
  const title = 'chore(deps): update helm release rook-ceph to v1.15.9';
  it.each([
    ['a bot PR from the configured repository', pr(title, 'renovate/rook-ceph-1.x'), true],
    ['a human PR from a branch of the configured repository', pr(title, 'bump-rook', '', 'Acme/GitOps', 'alice'), true],
    [
      'Renovate in forking mode (a trusted author, its own fork)',
      pr(title, 'renovate/rook-ceph-1.x', '', 'renovate-bot/gitops', 'renovate[bot]'),
      true,
    ],
    ['a trusted author spelled in another case', pr(title, 'x', '', 'bots/gitops', 'Dependabot[bot]'), true],
    [
      "a stranger's fork titled like Renovate",
      pr(title, 'renovate/rook-ceph-1.x', '', 'mallory/gitops', 'mallory'),
      false,
    ],
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
