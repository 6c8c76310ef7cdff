import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { imageMatchesPattern, parseImageRef, shortRepository, versionFromImage } from './image.js';

// One parser for every layer: these rows pin the cases where the old copies disagreed (the Event said
// 1.15.0-rc.1 where Slack said 1.15.0; one copy found no version in `1.14.9_ubi`, another 1.14.9).
describe('parseImageRef', () => {
  it.each([
    ['rook/ceph:v1.14.9', 'docker.io', 'rook/ceph', 'rook/ceph', 'v1.14.9', null, '1.14.9'],
    ['rook/ceph:v1.15.0-rc.1', 'docker.io', 'rook/ceph', 'rook/ceph', 'v1.15.0-rc.1', null, '1.15.0-rc.1'],
    ['rook/ceph:1.14.9_ubi', 'docker.io', 'rook/ceph', 'rook/ceph', '1.14.9_ubi', null, '1.14.9'],
    ['rook/ceph:v1.14.9-alpine', 'docker.io', 'rook/ceph', 'rook/ceph', 'v1.14.9-alpine', null, '1.14.9'],
    ['rook/ceph:v1.14', 'docker.io', 'rook/ceph', 'rook/ceph', 'v1.14', null, null],
    ['rook/ceph:latest', 'docker.io', 'rook/ceph', 'rook/ceph', 'latest', null, null],
    ['rook/ceph:master-2024', 'docker.io', 'rook/ceph', 'rook/ceph', 'master-2024', null, null],
    ['docker.io/rook/ceph:v1.15.9', 'docker.io', 'rook/ceph', 'docker.io/rook/ceph', 'v1.15.9', null, '1.15.9'],
    [
      'index.docker.io/rook/ceph:v1.14.9',
      'docker.io',
      'rook/ceph',
      'index.docker.io/rook/ceph',
      'v1.14.9',
      null,
      '1.14.9',
    ],
    ['nginx', 'docker.io', 'library/nginx', 'nginx', null, null, null],
    [
      'registry.local:5000/rook/ceph',
      'registry.local:5000',
      'rook/ceph',
      'registry.local:5000/rook/ceph',
      null,
      null,
      null,
    ],
    [
      'registry.local:5000/mirror/rook/ceph:v1.16.2@sha256:abc',
      'registry.local:5000',
      'mirror/rook/ceph',
      'registry.local:5000/mirror/rook/ceph',
      'v1.16.2',
      'sha256:abc',
      '1.16.2',
    ],
    ['ghcr.io/rook/ceph@sha256:abc', 'ghcr.io', 'rook/ceph', 'ghcr.io/rook/ceph', null, 'sha256:abc', null],
    ['localhost/rook/ceph:v1.14.9', 'localhost', 'rook/ceph', 'localhost/rook/ceph', 'v1.14.9', null, '1.14.9'],
    [
      'quay.io/jetstack/cert-manager-controller:v1.15.0-beta.1',
      'quay.io',
      'jetstack/cert-manager-controller',
      'quay.io/jetstack/cert-manager-controller',
      'v1.15.0-beta.1',
      null,
      '1.15.0-beta.1',
    ],
    [
      'registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.3',
      'registry.k8s.io',
      'autoscaling/cluster-autoscaler',
      'registry.k8s.io/autoscaling/cluster-autoscaler',
      'v1.29.3',
      null,
      '1.29.3',
    ],
    // A hotfix build of 1.11.0 is still 1.11.0 by version; the Longhorn entry recognises its tag.
    [
      'longhornio/longhorn-instance-manager:v1.11.0-hotfix-1',
      'docker.io',
      'longhornio/longhorn-instance-manager',
      'longhornio/longhorn-instance-manager',
      'v1.11.0-hotfix-1',
      null,
      '1.11.0',
    ],
  ] as const)('%s', (image, registry, path, repository, tag, digest, version) => {
    const ref = parseImageRef(image);
    expect({
      registry: ref.registry,
      path: ref.path,
      repository: ref.repository,
      tag: ref.tag,
      digest: ref.digest,
    }).toEqual({ registry, path, repository, tag, digest });
    expect(versionFromImage(ref)).toBe(version);
    expect(versionFromImage(image)).toBe(version);
  });
});

describe('imageMatchesPattern', () => {
  it.each([
    ['rook/ceph:v1.14.9', 'rook/ceph', [], true],
    ['docker.io/rook/ceph:v1.14.9', 'rook/ceph', [], true],
    ['index.docker.io/rook/ceph:v1.14.9', 'docker.io/rook/ceph', [], true],
    // A mirror that rewrites the host keeps the repository path.
    ['quay.io/rook/ceph:v1.14.9', 'rook/ceph', [], true],
    ['mirror.gcr.io/rook/ceph:v1.14.9', 'rook/ceph', [], true],
    ['argoproj/argocd:v1.8.4', 'quay.io/argoproj/argocd', [], true],
    ['ghcr.io/kedacore/keda-metrics-apiserver:2.1.0', 'docker.io/kedacore/keda-metrics-apiserver', [], true],
    ['rook/ceph:v1.14.9', '*/rook/ceph', [], true],
    // A mirror that adds a path prefix matches only once the prefix is configured.
    ['harbor.corp/hub/rook/ceph:v1.14.9', 'rook/ceph', [], false],
    ['harbor.corp/hub/rook/ceph:v1.14.9', 'rook/ceph', ['harbor.corp/hub'], true],
    ['harbor.corp/hub/rook/ceph:v1.14.9', 'rook/ceph', ['harbor.corp/hub/'], true],
    [
      'mirror.corp/quay.io/jetstack/cert-manager-cainjector:v1.12.1',
      'quay.io/jetstack/cert-manager-cainjector',
      ['mirror.corp'],
      true,
    ],
    ['harbor.corp/hub/nginx:1.27.0', 'nginx', ['harbor.corp/hub'], true],
    ['harbor.corp/hub/rook/ceph:v1.14.9', '**/rook/ceph', [], true],
    ['rook/ceph:v1.14.9', '**/rook/ceph', [], true],
    ['quay.io/ceph/ceph:v18.2.4', '**/rook/ceph', [], false],
    ['rook/ceph-csi:v1.14.9', 'rook/ceph', [], false],
    ['myrook/ceph:v1.14.9', 'rook/ceph', ['harbor.corp/hub'], false],
    ['harbor.corp/other/rook/ceph:v1.14.9', 'rook/ceph', ['harbor.corp/hub'], false],
    ['nginx:1.27.0', 'library/nginx', [], true],
    ['registry.local:5000/nginx:1.27.0', 'nginx', [], true],
  ] as const)('%s ~ %s (mirrors %j) → %s', (image, pattern, mirrors, expected) =>
    expect(imageMatchesPattern(image, pattern, mirrors)).toBe(expected),
  );
});

// Patterns come from the user's catalogue and paths from any pod's image: `**` must not cost
// combinatorial time (each `**` used to try every split of the rest).
describe('imageMatchesPattern with many `**`', () => {
  /** The definition: `**` takes any number of segments, `*` exactly one. Exponential, for small cases only. */
  const byDefinition = (pattern: readonly string[], subject: readonly string[]): boolean => {
    const [head, ...rest] = pattern;
    if (head === undefined) return subject.length === 0;
    if (head === '**') return subject.some((_, i) => byDefinition(rest, subject.slice(i))) || byDefinition(rest, []);
    return subject[0] !== undefined && (head === '*' || head === subject[0]) && byDefinition(rest, subject.slice(1));
  };

  it('six `**` against a 40-segment path that does not match answer at once', () => {
    const pattern = `${'**/'.repeat(6)}rook/ceph`;
    const image = `harbor.corp/${'a/'.repeat(40)}rook/cephx:v1.14.9`;
    const started = performance.now();
    expect(imageMatchesPattern(image, pattern)).toBe(false);
    expect(imageMatchesPattern(image.replace('cephx', 'ceph'), pattern)).toBe(true);
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('matches exactly what the definition says', () => {
    const segment = fc.constantFrom('a', 'b', 'rook', 'ceph');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(segment, fc.constantFrom('*', '**')), { minLength: 1, maxLength: 6 }),
        fc.array(segment, { minLength: 1, maxLength: 7 }),
        (pattern, path) => {
          const image = `registry.local/${path.join('/')}:v1.0.0`;
          expect(imageMatchesPattern(image, `registry.local/${pattern.join('/')}`)).toBe(byDefinition(pattern, path));
        },
      ),
    );
  });
});

describe('shortRepository', () => {
  // The file bumper matches the repository a GitOps file writes against the running image's:
  // every spelling of a Docker Hub repository is the same repository, other registries stay apart.
  it.each([
    ['docker.io/library/nginx', 'nginx'],
    ['index.docker.io/rook/ceph', 'rook/ceph'],
    ['registry-1.docker.io/rook/ceph', 'rook/ceph'],
    ['Docker.IO/Rook/Ceph', 'rook/ceph'],
    ['rook/ceph', 'rook/ceph'],
    ['quay.io/ceph/ceph', 'quay.io/ceph/ceph'],
    ['localhost:5000/library/nginx', 'localhost:5000/library/nginx'],
  ])('%s → %s', (written, short) => {
    expect(shortRepository(written)).toBe(short);
  });
});
