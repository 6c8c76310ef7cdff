import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { templateKey } from './templates.js';

const template = (over: { env?: string; image?: string; annotations?: Record<string, string>; hash?: string } = {}) =>
  ({
    metadata: {
      labels: { app: 'rook-ceph-operator', 'pod-template-hash': over.hash ?? '6b7c9d5f4' },
      annotations: { 'prometheus.io/scrape': 'true', ...over.annotations },
    },
    spec: {
      containers: [
        {
          name: 'rook-ceph-operator',
          image: over.image ?? 'docker.io/rook/ceph:v1.14.9',
          env: [{ name: 'ROOK_LOG_LEVEL', value: 'INFO' }, ...(over.env ? [{ name: over.env, value: 'false' }] : [])],
          resources: { limits: { memory: '512Mi' } },
        },
      ],
    },
  }) satisfies V1PodTemplateSpec;

describe('templateKey', () => {
  it('is the same after a rollout restart: its time and action stamps and the new hash are not what the pods run', () => {
    const restarted = template({
      hash: '7c8d9f5b4',
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-07T15:00:00Z', 'leakguard.io/restart-id': 'a1' },
    });
    expect(templateKey(restarted)).toBe(templateKey(template()));
  });

  it('changes with the image, an env var (a workaround), or any other annotation', () => {
    const keys = [
      template(),
      template({ image: 'docker.io/rook/ceph:v1.15.9' }),
      template({ env: 'ROOK_WATCH_FOR_NODE_FAILURE' }),
      template({ annotations: { 'checksum/config': 'abc' } }),
    ].map(templateKey);
    expect(new Set(keys).size).toBe(4);
  });

  it('does not depend on the order of fields as the API server sent them', () => {
    const a = template();
    const reordered: V1PodTemplateSpec = {
      spec: a.spec,
      metadata: { annotations: a.metadata.annotations, labels: a.metadata.labels },
    };
    expect(templateKey(reordered)).toBe(templateKey(a));
  });
});
