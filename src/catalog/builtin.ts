/** The built-in catalogue. Each entry cites the upstream evidence for its ranges. */
import type { KnownIssueInput } from './schema.js';

export const builtinKnownIssues: readonly KnownIssueInput[] = [
  {
    id: 'rook-operator-leak-1.14',
    title: 'Rook Ceph operator memory grows without bound under namespace/PVC churn',
    images: ['rook/ceph', '**/rook/ceph'],
    // The operator's chart; `rook-ceph-cluster` (same version, same repo) is the cluster, not the operator.
    chart: 'rook-ceph',
    // The leak shipped in 1.14.0; 1.15.9 and 1.16.5 carry controller-runtime 0.19 and the node-watch changes.
    affected: ['>=1.14.0 <1.15.9', '>=1.16.0 <1.16.5'],
    fixed: ['1.15.9', '1.16.5'],
    links: [
      { title: 'rook/rook#15499: operator memory leak', url: 'https://github.com/rook/rook/issues/15499' },
      { title: 'Rook v1.15.9 release notes', url: 'https://github.com/rook/rook/releases/tag/v1.15.9' },
      { title: 'Rook v1.16.5 release notes', url: 'https://github.com/rook/rook/releases/tag/v1.16.5' },
    ],
    workaround: {
      env: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' },
      configMap: { name: 'rook-ceph-operator-config', data: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' } },
    },
    // Rook supports upgrading one minor version at a time: 1.14.x → 1.15.x → 1.16.x.
    upgradePath: 'one-minor-at-a-time',
  },
];
