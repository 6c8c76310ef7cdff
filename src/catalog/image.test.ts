import { describe, expect, it } from 'vitest';
import { imageMatchesPattern, parseImageRef, versionFromImage } from './image.js';

describe('parseImageRef', () => {
  it.each([
    ['rook/ceph:v1.14.9', { registry: 'docker.io', path: 'rook/ceph', repository: 'rook/ceph', tag: 'v1.14.9', digest: null }],
    ['docker.io/rook/ceph:v1.14.9', { registry: 'docker.io', path: 'rook/ceph', repository: 'docker.io/rook/ceph', tag: 'v1.14.9', digest: null }],
    ['nginx', { registry: 'docker.io', path: 'library/nginx', repository: 'nginx', tag: null, digest: null }],
    [
      'registry.local:5000/mirror/rook/ceph:v1.14.9@sha256:abc',
      { registry: 'registry.local:5000', path: 'mirror/rook/ceph', repository: 'registry.local:5000/mirror/rook/ceph', tag: 'v1.14.9', digest: 'sha256:abc' },
    ],
    ['ghcr.io/rook/ceph@sha256:abc', { registry: 'ghcr.io', path: 'rook/ceph', repository: 'ghcr.io/rook/ceph', tag: null, digest: 'sha256:abc' }],
  ])('%s', (image, expected) => expect(parseImageRef(image)).toEqual(expected));
});

describe('versionFromImage', () => {
  it.each([
    ['rook/ceph:v1.14.9', '1.14.9'],
    ['rook/ceph:v1.14.9-alpine', '1.14.9'],
    ['registry.local:5000/rook/ceph:v1.16.2@sha256:abc', '1.16.2'],
    ['rook/ceph:master', null],
    ['rook/ceph@sha256:abc', null],
    ['localhost:5000/rook/ceph', null],
  ])('%s → %s', (image, version) => expect(versionFromImage(image)).toBe(version));
});

describe('imageMatchesPattern', () => {
  it.each([
    ['rook/ceph:v1.14.9', 'rook/ceph', true],
    ['docker.io/rook/ceph:v1.14.9', 'rook/ceph', true],
    ['index.docker.io/rook/ceph:v1.14.9', 'docker.io/rook/ceph', true],
    ['rook/ceph:v1.14.9', 'docker.io/rook/ceph', true],
    ['ghcr.io/rook/ceph:v1.14.9', 'rook/ceph', false],
    ['ghcr.io/rook/ceph:v1.14.9', '*/rook/ceph', true],
    ['rook/ceph:v1.14.9', '*/rook/ceph', true],
    ['harbor.corp/hub/rook/ceph:v1.14.9', '*/rook/ceph', false],
    ['harbor.corp/hub/rook/ceph:v1.14.9', '**/rook/ceph', true],
    ['quay.io/ceph/ceph:v18.2.4', '**/rook/ceph', false],
    ['rook/ceph-csi:v1.14.9', 'rook/ceph', false],
    ['myrook/ceph:v1.14.9', '**/rook/ceph', false],
    ['nginx:1.27.0', 'library/nginx', true],
  ])('%s ~ %s → %s', (image, pattern, expected) => expect(imageMatchesPattern(image, pattern)).toBe(expected));
});
