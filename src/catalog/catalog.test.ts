import { describe, expect, it } from 'vitest';
import {
  assessImage,
  buildCatalog,
  CatalogError,
  describeUpgradePath,
  matchKnownIssues,
  nextFixedVersion,
  unknownIssueIds,
} from './catalog.js';

const catalog = buildCatalog();
const rook = catalog.entries.find((entry) => entry.id === 'rook-operator-leak-1.14')!;

describe('the Rook entry', () => {
  it.each([
    ['1.14.9', '1.15.9'], // one minor at a time: not 1.16.5
    ['1.14.0', '1.15.9'],
    ['1.15.8', '1.15.9'],
    ['1.16.2', '1.16.5'],
    ['1.16.5', null], // fixed
    ['1.15.9', null],
    ['1.13.99', null], // never affected
    ['1.17.0', null],
  ])('nextFixedVersion(%s) → %s', (current, target) => expect(nextFixedVersion(rook, current)).toBe(target));

  it('explains a v1.14.9 operator the way Events, Slack and the PR quote it', () => {
    const [match, ...others] = matchKnownIssues(catalog, 'rook/ceph:v1.14.9', {
      version: '1.14.9',
      ids: ['rook-operator-leak-1.14'],
    });
    expect(others).toEqual([]);
    expect(match?.explanation).toBe(
      'rook/ceph v1.14.9 is affected by rook-operator-leak-1.14 (>=1.14.0 <1.15.9); fixed in 1.15.9; workaround ROOK_WATCH_FOR_NODE_FAILURE=false; source rook/rook#15499, checked 2026-11-30',
    );
    expect(describeUpgradePath(match!)).toBe('1.14.9 → 1.15.9 (one minor version at a time)');
  });

  it('a pre-release before the fix is affected; the version comes from the tag when not given', () => {
    expect(matchKnownIssues(catalog, 'rook/ceph:v1.15.9-rc.1')[0]?.version).toBe('1.15.9-rc.1');
    expect(matchKnownIssues(catalog, 'rook/ceph:1.14.9_ubi')[0]?.version).toBe('1.14.9');
  });

  it('behind a configured mirror prefix, and only then', () => {
    expect(matchKnownIssues(catalog, 'harbor.corp/hub/rook/ceph:v1.16.2')).toEqual([]);
    const mirrored = buildCatalog([], { mirrorPrefixes: ['harbor.corp/hub'] });
    const [match] = matchKnownIssues(mirrored, 'harbor.corp/hub/rook/ceph:v1.16.2-alpine');
    expect(match?.range).toBe('>=1.16.0 <1.16.5');
    expect(match?.explanation).toContain('fixed in 1.16.5');
  });

  it.each([
    'rook/ceph:v1.16.5',
    'rook/ceph:v1.13.2',
    'quay.io/cephcsi/cephcsi:v1.14.9',
    'rook/ceph:master',
    'rook/ceph:v1.14',
  ])('does not match %s', (image) => {
    expect(matchKnownIssues(catalog, image)).toEqual([]);
  });

  it('says why an entry for the image does not apply', () => {
    expect(assessImage(catalog, 'rook/ceph:master').misses.map((miss) => miss.why)).toEqual([
      'the tag "master" names no version: never guessed as affected',
    ]);
    expect(assessImage(catalog, 'rook/ceph:v1.13.2').misses.map((miss) => miss.why)).toEqual([
      '1.13.2 is outside >=1.14.0 <1.15.9 and >=1.16.0 <1.16.5',
    ]);
  });

  it('only considers the ids a profile lists', () => {
    expect(matchKnownIssues(catalog, 'rook/ceph:v1.14.9', { ids: ['something-else'] })).toEqual([]);
  });
});

describe('buildCatalog', () => {
  const userEntry = {
    id: 'acme-operator-leak',
    title: 'acme operator leaks watches',
    images: ['*/acme/operator'],
    affected: ['>=2.3.0 <2.3.4', '>=2.4.0 <2.4.1'],
    fixed: ['2.3.4', '2.4.1', '3.0.0'],
    upgrade: { rule: 'direct' },
    sources: [{ kind: 'issue', url: 'https://example.com/acme/issues/1' }],
    checked: '2026-11-01',
  };

  it('adds user entries next to the built-in ones and matches them', () => {
    const extended = buildCatalog([userEntry]);
    expect(extended.entries.map((entry) => entry.id).at(-1)).toBe('acme-operator-leak');
    const [match] = matchKnownIssues(extended, 'ghcr.io/acme/operator:2.3.1');
    expect(match?.targetVersion).toBe('2.3.4');
    expect(match?.explanation).toBe(
      'ghcr.io/acme/operator v2.3.1 is affected by acme-operator-leak (>=2.3.0 <2.3.4); fixed in 2.3.4; source example.com/acme/issues/1, checked 2026-11-01',
    );
  });

  it('lets a user entry replace a built-in one by id, and disable one by id', () => {
    const replaced = buildCatalog([{ ...userEntry, id: 'rook-operator-leak-1.14', images: ['rook/ceph'] }]);
    expect(replaced.entries.filter((entry) => entry.id === 'rook-operator-leak-1.14')).toHaveLength(1);
    expect(matchKnownIssues(replaced, 'rook/ceph:v1.14.9')).toEqual([]);
    const disabled = buildCatalog([], { disable: ['rook-operator-leak-1.14'] });
    expect(disabled.entries.map((entry) => entry.id)).not.toContain('rook-operator-leak-1.14');
    expect(matchKnownIssues(disabled, 'rook/ceph:v1.14.9')).toEqual([]);
  });

  it('a conditional user entry with a flag check is certain only when the flag is set', () => {
    const flagged = buildCatalog([
      { ...userEntry, condition: { text: 'the --enable-cache flag', check: { arg: '--enable-cache' } } },
    ]);
    const pod = (args: string[]) => ({ container: 'manager', commands: { manager: ['/manager', ...args] } });
    expect(matchKnownIssues(flagged, 'acme/operator:2.3.1', { pod: pod(['--enable-cache=true']) })[0]?.certainty).toBe(
      'certain',
    );
    expect(matchKnownIssues(flagged, 'acme/operator:2.3.1', { pod: pod([]) })).toEqual([]);
    expect(matchKnownIssues(flagged, 'acme/operator:2.3.1')[0]?.explanation).toContain(
      'known issue possible: the --enable-cache flag could not be checked',
    );
  });

  it.each([
    [{ affected: ['>=2.3.0 <2.3.4', '~2.4'] }, /knownIssues\[0\]\.affected\[1\]: expected a version range/],
    [{ surprise: true }, /knownIssues\[0\]: .*surprise/],
    [{ sources: [] }, /knownIssues\[0\]\.sources: /],
    [{ checked: 'last week' }, /knownIssues\[0\]\.checked: /],
    [{ upgrade: { rule: 'whenever' } }, /knownIssues\[0\]\.upgrade\.rule: /],
    [{ condition: { text: 'x', check: { env: 'not a name' } } }, /knownIssues\[0\]\.condition\.check/],
    [
      { workaround: { image: { forVersion: '2.3', tag: 'x' } } },
      /knownIssues\[0\]\.workaround\.image\.forVersion: expected a version/,
    ],
  ])('rejects %j naming the field', (change, message) => {
    expect(() => buildCatalog([{ ...userEntry, ...change }])).toThrow(CatalogError);
    expect(() => buildCatalog([{ ...userEntry, ...change }])).toThrow(message);
  });

  it('rejects duplicates and unknown ids to disable', () => {
    expect(() => buildCatalog([userEntry, userEntry])).toThrow(/duplicate id acme-operator-leak/);
    expect(() => buildCatalog([], { disable: ['rook-leak-typo'] })).toThrow(
      /catalog\.disable\[0\]: no built-in entry "rook-leak-typo"/,
    );
  });

  it('reports profile ids missing from the catalogue', () => {
    expect(unknownIssueIds(catalog, ['rook-operator-leak-1.14', 'rook-leak-typo'])).toEqual(['rook-leak-typo']);
  });
});
