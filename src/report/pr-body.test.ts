import { describe, expect, it } from 'vitest';
import { parseXyChart } from '../../test/support/mermaid.js';
import {
  knownIssueSection,
  prBody,
  prMarker,
  prTitle,
  statusSection,
  upgradePathSection,
  withStatus,
  type PrBodyInput,
} from './pr-body.js';

const MiB = 1048576;
const input: PrBodyInput = {
  profile: 'rook-ceph-operator',
  target: { namespace: 'rook-ceph', workload: 'rook-ceph-operator', container: 'rook-ceph-operator' },
  fromVersion: 'v1.14.9',
  toVersion: '1.15.9',
  verdict: {
    slope: { bytesPerHour: 12 * MiB, low: 10 * MiB, high: 14 * MiB },
    hoursToLimit: 18.5,
    currentBytes: 800 * MiB,
    reasons: ['memory floor grows 12.0 MiB/h over 24 h (staircase)'],
  },
  limitBytes: 1024 * MiB,
  memory: Array.from({ length: 289 }, (_, i) => ({
    t: 1_700_000_100 + i * 300,
    v: (400 + i * 2 + (i % 12 === 0 ? 0 : 30)) * MiB,
  })),
  knownIssue: {
    issueId: 'rook-operator-leak-1.14',
    title: 'Rook operator memory leak with namespace churn',
    links: [
      'https://github.com/rook/rook/issues/15499',
      'javascript:alert(1)',
      { title: 'Rook v1.15.9 release notes', url: 'https://github.com/rook/rook/releases/tag/v1.15.9' },
    ],
    upgradePath: ['1.14.9', '1.15.9', '1.16.5'],
    workaround: 'ROOK_WATCH_FOR_NODE_FAILURE=false',
  },
  actions: [{ at: 1_700_000_000, kind: 'restart', summary: 'rollout restart of deployment/rook-ceph-operator' }],
  prometheusGraphUrl: 'https://prom.example/graph?g0.expr=x',
};

describe('prBody', () => {
  const body = prBody(input);
  it('says what was detected, with units and a chart above the table', () => {
    expect(body).toContain('12.0 MiB/h');
    expect(body).toContain('18.5 h');
    expect(body.indexOf('```mermaid\nxychart-beta')).toBeGreaterThan(body.indexOf('### What was detected'));
    expect(body.indexOf('```mermaid')).toBeLessThan(body.indexOf('| Growth of the memory floor'));
    expect(body).toContain('staircase');
    expect(body).toContain('[Prometheus](https://prom.example/graph?g0.expr=x)');
  });
  it("the chart block in the body is one mermaid's parser accepts", async () => {
    const block = /```mermaid\n([\s\S]*?)\n```/.exec(body)?.[1] ?? '';
    const parsed = await parseXyChart(block);
    expect(parsed.lines.map((l) => l.length)).toEqual([24, 24]);
    expect(parsed.lines[1]?.[0]).toBe(1024);
  });
  it('names the known issue with its web links only', () => {
    expect(body).toContain('https://github.com/rook/rook/issues/15499');
    expect(body).not.toContain('javascript:');
    expect(body).toContain('- [Rook v1.15.9 release notes](https://github.com/rook/rook/releases/tag/v1.15.9)');
    expect(body).toContain('ROOK_WATCH_FOR_NODE_FAILURE=false');
  });
  it('lays out the upgrade path one minor at a time', () => {
    expect(body).toContain('1. **1.14.9 → 1.15.9** (this PR: hop 1 of 2)');
    expect(body).toContain('2. 1.15.9 → 1.16.5 later');
  });
  it('lists actions already taken', () => {
    expect(body).toContain('2023-11-14 22:13 UTC **restart**');
  });
  it('an action without a time is listed without a bogus 1970 date', () => {
    expect(prBody({ ...input, actions: [{ at: 0, kind: 'restart', summary: 'done' }] })).toContain(
      '- **restart**: done',
    );
  });
  it('ends with the hidden dedupe marker', () => {
    expect(body.trimEnd().endsWith(prMarker('rook-ceph-operator', 'v1.15.9'))).toBe(true);
    expect(prMarker('rook-ceph-operator', 'v1.15.9')).toBe(
      '<!-- leakguard:profile=rook-ceph-operator;target=1.15.9 -->',
    );
    expect(prMarker('a-->b', '1')).not.toContain('-->b');
  });
  it('keeps the marker when a huge reason list is cut', () => {
    const big = prBody({
      ...input,
      verdict: { ...input.verdict, reasons: [] },
      actions: Array.from({ length: 2000 }, (_, i) => ({ at: i, kind: 'restart', summary: 'x'.repeat(290) })),
    });
    expect(big.length).toBeLessThanOrEqual(60_000);
    expect(big).toContain(prMarker('rook-ceph-operator', '1.15.9'));
  });
  it('title names workload and versions', () => {
    expect(prTitle(input)).toBe('fix(rook-ceph-operator): upgrade 1.14.9 → 1.15.9 (memory leak)');
  });
  it("states the project's upgrade rule and links the notes to read before merging", () => {
    const section = upgradePathSection(
      '1.6.2',
      '1.7.13',
      ['1.6.2', '1.7.13'],
      'minor versions may be skipped; read the upgrade notes of every minor crossed',
      [
        {
          title: 'upgrade notes 1.6 → 1.7',
          url: 'https://argo-cd.readthedocs.io/en/stable/operator-manual/upgrading/1.6-1.7/',
        },
      ],
    );
    expect(section).toContain(
      'Upgrade rule: minor versions may be skipped; read the upgrade notes of every minor crossed.',
    );
    expect(
      knownIssueSection({ issueId: 'x', title: 'X', links: [], upgradePath: [], checked: '2026-11-30' }),
    ).toContain('Ranges checked against these sources on 2026-11-30.');
    expect(section).not.toContain('skipping a minor version is not supported');
    expect(section).toContain(
      'Read before merging:\n- [upgrade notes 1.6 → 1.7](https://argo-cd.readthedocs.io/en/stable/operator-manual/upgrading/1.6-1.7/)',
    );
  });
  it('an upgrade path that does not contain the target lists only this step', () => {
    expect(upgradePathSection('1.14.9', '1.15.9', ['1.16.0'])).not.toContain('later');
  });
});

describe('the status section: re-written alone when the incident changes phase', () => {
  const status = (phase: 'proposed' | 'verified') =>
    statusSection({
      phase,
      toVersion: '1.15.9',
      workaround: {
        what: 'set ROOK_WATCH_FOR_NODE_FAILURE=false',
        since: 1_764_000_000,
        removedAt: phase === 'verified' ? 1_764_090_000 : null,
      },
      ...(phase === 'verified'
        ? { rolledOut: { version: '1.15.9', at: 1_764_003_600, verifyUntil: 1_764_090_000 }, judgedAt: 1_764_090_000 }
        : {}),
      hop: { index: 1, of: 1, earlier: [] },
    });

  it('replaces the section between its markers and nothing else', () => {
    const body = `## header\n\nintro\n\n${status('proposed')}\n\n### What was detected\n\nslope`;
    const next = withStatus(body, status('verified'));
    expect(next).toBe(`## header\n\nintro\n\n${status('verified')}\n\n### What was detected\n\nslope`);
    expect(withStatus(next, status('verified'))).toBe(next);
  });

  it('a body opened before the section existed gets it after its header', () => {
    expect(withStatus('## header\n\nintro\n\n### What was detected\n\nslope', status('proposed'))).toBe(
      `## header\n\nintro\n\n${status('proposed')}\n\n### What was detected\n\nslope`,
    );
  });

  it('shows the earlier hops of the path and where this one is', () => {
    const section = upgradePathSection('1.14.10', '1.15.9', [], undefined, [], {
      index: 2,
      of: 2,
      earlier: [{ from: '1.14.9', to: '1.14.10' }],
    });
    expect(section).toContain('1. 1.14.9 → 1.14.10, rolled out\n2. **1.14.10 → 1.15.9** (this PR: hop 2 of 2)');
  });
});
