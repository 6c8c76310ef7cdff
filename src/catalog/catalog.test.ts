import { describe, expect, it } from 'vitest';
import { buildCatalog, CatalogError, describeUpgradePath, matchKnownIssues, nextFixedVersion, unknownIssueIds } from './catalog.js';

const catalog = buildCatalog();
const rook = catalog.find((entry) => entry.id === 'rook-operator-leak-1.14')!;

describe('the Rook entry', () => {
  it.each([
    ['1.14.9', '1.15.9'], // one minor at a time: not 1.16.5
    ['1.14.0', '1.15.9'],
    ['1.15.2', '1.15.9'],
    ['1.15.8', '1.15.9'],
    ['1.16.0', '1.16.5'],
    ['1.16.2', '1.16.5'],
    ['1.16.5', null], // fixed
    ['1.16.7', null],
    ['1.15.9', null],
    ['1.13.4', null], // never affected
    ['1.13.99', null],
    ['1.17.0', null],
  ])('nextFixedVersion(%s) → %s', (current, target) => expect(nextFixedVersion(rook, current)).toBe(target));

  it('explains a v1.14.9 operator the way Events, Slack and the PR quote it', () => {
    const [match, ...others] = matchKnownIssues(catalog, 'rook/ceph:v1.14.9', '1.14.9', ['rook-operator-leak-1.14']);
    expect(others).toEqual([]);
    expect(match?.explanation).toBe(
      'rook/ceph v1.14.9 is affected by rook-operator-leak-1.14 (>=1.14.0 <1.15.9); fixed in 1.15.9; workaround ROOK_WATCH_FOR_NODE_FAILURE=false',
    );
    expect(match?.targetVersion).toBe('1.15.9');
    expect(describeUpgradePath(match!)).toBe('1.14.9 → 1.15.9 (one minor version at a time)');
    expect(match?.issue.links.map((link) => link.url)).toEqual([
      'https://github.com/rook/rook/issues/15499',
      'https://github.com/rook/rook/releases/tag/v1.15.9',
      'https://github.com/rook/rook/releases/tag/v1.16.5',
    ]);
    expect(match?.issue.workaround).toEqual({
      env: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' },
      configMap: { name: 'rook-ceph-operator-config', data: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' } },
    });
  });

  it('names the 1.16 range for a 1.16 operator behind a mirror', () => {
    const [match] = matchKnownIssues(catalog, 'harbor.corp/hub/rook/ceph:v1.16.2-alpine', null);
    expect(match?.range).toBe('>=1.16.0 <1.16.5');
    expect(match?.explanation).toContain('fixed in 1.16.5');
  });

  it.each([
    ['rook/ceph:v1.16.5', '1.16.5'],
    ['rook/ceph:v1.13.2', '1.13.2'],
    ['quay.io/cephcsi/cephcsi:v1.14.9', '1.14.9'], // same version, other image
    ['rook/ceph:master', null], // version unknown: never guessed as affected
  ])('does not match %s', (image, version) => expect(matchKnownIssues(catalog, image, version)).toEqual([]));

  it('only considers the ids a profile lists', () => {
    expect(matchKnownIssues(catalog, 'rook/ceph:v1.14.9', '1.14.9', ['something-else'])).toEqual([]);
  });
});

describe('buildCatalog', () => {
  const userEntry = {
    id: 'acme-operator-leak',
    title: 'acme operator leaks watches',
    images: ['*/acme/operator'],
    affected: ['>=2.3.0 <2.3.4', '>=2.4.0 <2.4.1'],
    fixed: ['2.3.4', '2.4.1', '3.0.0'],
    links: ['https://example.com/acme/issues/1'],
    upgradePath: 'direct',
  };

  it('adds user entries next to the built-in ones and matches them', () => {
    const extended = buildCatalog([userEntry]);
    expect(extended.map((entry) => entry.id)).toEqual(['rook-operator-leak-1.14', 'acme-operator-leak']);
    const [match] = matchKnownIssues(extended, 'ghcr.io/acme/operator:2.3.1', '2.3.1');
    expect(match?.targetVersion).toBe('2.3.4');
    expect(match?.explanation).toBe('ghcr.io/acme/operator v2.3.1 is affected by acme-operator-leak (>=2.3.0 <2.3.4); fixed in 2.3.4');
    expect(match?.issue.links).toEqual([{ title: 'https://example.com/acme/issues/1', url: 'https://example.com/acme/issues/1' }]);
  });

  it('lets a user entry replace a built-in one by id', () => {
    const replaced = buildCatalog([{ ...userEntry, id: 'rook-operator-leak-1.14', images: ['rook/ceph'] }]);
    expect(replaced).toHaveLength(1);
    expect(matchKnownIssues(replaced, 'rook/ceph:v1.14.9', '1.14.9')).toEqual([]);
  });

  it('direct upgrade paths may skip minors; one-minor paths never do', () => {
    const [direct] = buildCatalog([{ ...userEntry, affected: ['>=1.0.0 <3.0.0'], fixed: ['3.0.0'] }]).slice(-1);
    expect(nextFixedVersion(direct!, '2.3.1')).toBe('3.0.0');
    expect(nextFixedVersion({ ...direct!, upgradePath: 'one-minor-at-a-time' }, '2.3.1')).toBeNull();
  });

  it('rejects invalid entries naming the field', () => {
    const bad = { ...userEntry, affected: ['>=2.3.0 <2.3.4', '~2.4'] };
    expect(() => buildCatalog([bad])).toThrow(CatalogError);
    expect(() => buildCatalog([bad])).toThrow(/knownIssues\[0\]\.affected\[1\]: expected a version range/);
    expect(() => buildCatalog([{ ...userEntry, surprise: true }])).toThrow(/knownIssues\[0\]/);
    expect(() => buildCatalog([userEntry, userEntry])).toThrow(/duplicate id acme-operator-leak/);
  });

  it('reports profile ids missing from the catalogue', () => {
    expect(unknownIssueIds(catalog, ['rook-operator-leak-1.14', 'rook-leak-typo'])).toEqual(['rook-leak-typo']);
  });
});
