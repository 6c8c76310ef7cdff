import { describe, expect, it } from 'vitest';
import type { Pull } from './github-schema.js';
import { isOwnPr, isSameBumpByOthers } from './pr-match.js';

const pr = (title: string, ref: string, body = ''): Pull => ({ number: 1, html_url: 'u', title, body, head: { ref } });
const deps = ['rook-ceph', 'rook/ceph'];

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
    expect(isSameBumpByOthers(pr(title, ref), deps, 'v1.15.9')).toBe(expected);
  });
});

describe('isOwnPr', () => {
  it('by branch or by marker', () => {
    expect(isOwnPr(pr('t', 'leakguard/a-1'), 'leakguard/a-1', '<!-- m -->')).toBe(true);
    expect(isOwnPr(pr('t', 'old/branch', 'x <!-- m -->'), 'leakguard/a-1', '<!-- m -->')).toBe(true);
    expect(isOwnPr(pr('t', 'leakguard/a-2'), 'leakguard/a-1', '<!-- m -->')).toBe(false);
  });
});
