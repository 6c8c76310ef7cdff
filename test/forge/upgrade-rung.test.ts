/**
 * The upgrade rung inside a whole run, against the fake GitHub (every request validated against GitHub's
 * OpenAPI description). In dry-run it asks GitHub — read-only — what it would do, so the
 * RemediationPlanned Event names the branch and the exact change, or the misconfiguration the real run
 * would trip on; acting, it opens the PR.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { parseConfig } from '../../src/config/load.js';
import { runOnce } from '../../src/run/index.js';
import { createUpgradeRung } from '../../src/cli/wiring.js';
import { changedLines, HELMRELEASE_CHARTREF, OCIREPOSITORY } from '../support/gitops-files.js';
import { TestCluster } from '../support/test-cluster.js';
import { rookOperatorTarget } from '../support/policy-fixtures.js';
import { FakeGitHub } from './fake-github.js';
import { secretFile } from './helpers.js';
import { TraceMetrics } from '../../src/demo/world.js';

const MiB = 2 ** 20;
const FILE = 'clusters/prod/rook/helmrelease.yaml';
const HELMRELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: rook-ceph, namespace: rook-ceph}
spec:
  chart:
    spec:
      chart: rook-ceph
      version: v1.14.9 # pinned until the leak fix
`;
const now = Math.floor(Date.now() / 1000);

/** A Rook operator whose floor grows 40 MiB/h for a day (a sample a minute). */
const leakingRook = new TraceMetrics(
  [
    {
      labels: { namespace: 'rook-ceph', pod: 'rook-ceph-operator-abc', container: 'rook-ceph-operator' },
      samples: Array.from({ length: 24 * 60 + 1 }, (_, i) => now - 86_400 + i * 60).map((t) => ({
        t,
        v: 400 * MiB + ((t - now + 86_400) / 3600) * 40 * MiB,
      })),
    },
  ],
  now,
);

describe('the upgrade-pr rung in a run', () => {
  let gh: FakeGitHub;
  beforeEach(async () => {
    gh = await new FakeGitHub('acme', 'gitops').start();
    gh.seedBranch('main', { [FILE]: HELMRELEASE });
  });
  afterEach(async () => {
    await gh.stop();
    expect(gh.violations).toEqual([]);
  });

  async function run(dryRun: boolean, file = FILE) {
    const config = parseConfig(`dryRun: ${dryRun}
controller: none
prometheus: {url: "http://prometheus.invalid:9090"}
profiles:
  - {name: rook, namespace: rook-ceph, selector: app=rook-ceph-operator, container: rook-ceph-operator, ladder: [upgrade-pr], upgrade: {repo: acme/gitops, file: ${file}}}
github: {tokenFile: ${secretFile('token', gh.acceptedToken)}, apiUrl: "${gh.url}"}
`);
    const logger = pino({ level: 'silent' });
    const rung = createUpgradeRung(config, logger);
    const cluster = new TestCluster([rookOperatorTarget(now)]);
    const summary = await runOnce({
      config,
      cluster,
      metrics: leakingRook,
      catalog: buildCatalog(),
      logger,
      identity: { identity: 'run-1', namespace: 'leakguard' },
      upgrade: rung.execute,
      previewUpgrade: rung.preview,
    });
    return { summary, planned: cluster.events.find((e) => e.reason === 'RemediationPlanned')?.note ?? '' };
  }

  it('dry-run: the Event names the branch and the exact change, and GitHub is only read', async () => {
    const { summary, planned } = await run(true);
    expect(summary.failures).toEqual([]);
    const said = `would open a PR in acme/gitops from branch leakguard/rook-1.15.9: ${FILE} HelmRelease/rook-ceph spec.chart.spec.version v1.14.9 → v1.15.9`;
    expect(planned).toMatch(
      /^\[dry-run\] would open an upgrade PR 1\.14\.9 → 1\.15\.9 for deployment rook-ceph\/rook-ceph-operator: /,
    );
    expect(planned).toContain(`. GitHub: ${said}.`);
    expect(summary.actions).toEqual([
      expect.objectContaining({ kind: 'upgrade-pr', dryRun: true, outcome: 'planned', detail: said }),
    ]);
    expect(gh.mutations()).toEqual([]);
    expect(gh.pulls).toEqual([]);
  });

  it('dry-run after a real run: it would refresh the PR already open, not open a second', async () => {
    expect((await run(false)).summary.actions).toEqual([
      expect.objectContaining({ kind: 'upgrade-pr', outcome: 'pr' }),
    ]);
    // The PR quotes the catalogue: sources, the day they were checked, and the project's upgrade rule.
    const body = String(gh.pulls[0]?.body ?? '');
    expect(body).toContain('- [issue: rook/rook#15499](https://github.com/rook/rook/issues/15499)');
    expect(body).toContain('Ranges checked against these sources on 2026-11-30.');
    expect(body).toContain('Upgrade rule: one minor version at a time.');
    const writes = gh.mutations().length;
    const { planned } = await run(true);
    expect(planned).toMatch(/ GitHub: would refresh PR #1 \(\S+\/acme\/gitops\/pull\/1\) with this evidence\.$/);
    expect(gh.mutations()).toHaveLength(writes);
    expect(gh.pulls).toHaveLength(1);
  });

  /** Lines that differ between main and leakguard's branch, per file. */
  function prDiff(branch: string): string[] {
    const before = gh.filesAt('main');
    const after = gh.filesAt(branch);
    return Object.keys({ ...before, ...after }).flatMap((path) =>
      changedLines(before[path] ?? '', after[path] ?? '', `${path}: `),
    );
  }

  it('a HelmRelease with chartRef → OCIRepository in a sibling file: the PR changes exactly the tag line', async () => {
    const dir = 'kubernetes/apps/rook-ceph/app';
    gh.seedBranch('main', {
      [`${dir}/kustomization.yaml`]:
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./helmrelease.yaml\n  - ./ocirepository.yaml\n',
      [`${dir}/helmrelease.yaml`]: HELMRELEASE_CHARTREF,
      [`${dir}/ocirepository.yaml`]: OCIREPOSITORY,
    });
    const { planned } = await run(true, `${dir}/helmrelease.yaml`);
    expect(planned).toContain(
      `GitHub: would open a PR in acme/gitops from branch leakguard/rook-1.15.9: ${dir}/ocirepository.yaml OCIRepository/rook-ceph spec.ref.tag v1.14.9 → v1.15.9.`,
    );
    const { summary } = await run(false, `${dir}/helmrelease.yaml`);
    expect(summary.actions).toEqual([expect.objectContaining({ kind: 'upgrade-pr', outcome: 'pr' })]);
    expect(gh.pulls).toEqual([expect.objectContaining({ head: 'leakguard/rook-1.15.9' })]);
    expect(prDiff('leakguard/rook-1.15.9')).toEqual([
      `${dir}/ocirepository.yaml: -    tag: v1.14.9   # renovate: datasource=docker depName=ghcr.io/rook/rook-ceph`,
      `${dir}/ocirepository.yaml: +    tag: v1.15.9   # renovate: datasource=docker depName=ghcr.io/rook/rook-ceph`,
    ]);
    expect(gh.mutations().map((r) => r.operationId)).toEqual([
      'git/create-ref',
      'repos/create-or-update-file-contents',
      'pulls/create',
    ]);
    const writes = gh.mutations().length;
    await run(false, `${dir}/helmrelease.yaml`);
    expect(
      gh
        .mutations()
        .slice(writes)
        .map((r) => r.operationId),
    ).toEqual(['pulls/update']);
  });

  it("two Applications at the same version: the catalogue names the operator's chart; the PR lists the other as also pinned", async () => {
    const apps = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: rook-ceph}
spec:
  source: {repoURL: https://charts.rook.io/release, chart: rook-ceph, targetRevision: v1.14.9}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: rook-ceph-cluster}
spec:
  source: {repoURL: https://charts.rook.io/release, chart: rook-ceph-cluster, targetRevision: v1.14.9}
`;
    gh.seedBranch('main', { 'apps/rook.yaml': apps });
    await run(false, 'apps/rook.yaml');
    expect(prDiff('leakguard/rook-1.15.9')).toEqual([
      'apps/rook.yaml: -  source: {repoURL: https://charts.rook.io/release, chart: rook-ceph, targetRevision: v1.14.9}',
      'apps/rook.yaml: +  source: {repoURL: https://charts.rook.io/release, chart: rook-ceph, targetRevision: v1.15.9}',
    ]);
    const body = gh.pulls[0]?.body ?? '';
    expect(body).toContain('### Also pinned at this version, not changed');
    expect(body).toContain(
      "- `apps/rook.yaml` `Application/rook-ceph-cluster` `spec.source.targetRevision`: chart rook-ceph-cluster, not the profile's chart rook-ceph; add it to upgrade.alsoBump to move it too",
    );
  });

  it('dry-run on a file that does not hold the running version: the Event and the run say the real run would fail', async () => {
    gh.seedBranch('main', { [FILE]: HELMRELEASE.replace('v1.14.9', 'v1.13.4') });
    const { summary, planned } = await run(true);
    expect(planned).toMatch(/the real run would fail: .*1\.14\.9/);
    expect(summary.failures).toEqual([
      expect.stringMatching(
        /^Deployment\/rook-ceph\/rook-ceph-operator: dry-run upgrade-pr: the real run would fail: /,
      ),
    ]);
    expect(gh.mutations()).toEqual([]);
  });
});
