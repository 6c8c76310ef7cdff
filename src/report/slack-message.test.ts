import { describe, expect, it } from 'vitest';
import { promGraphUrl } from '../prom/queries.js';
import {
  buildIncidentMessage,
  actionStatusLine,
  escapeMrkdwn,
  slackLink,
  type IncidentMessageInput,
} from './slack-message.js';

describe('actionStatusLine', () => {
  it.each([
    [{ kind: 'restart', status: 'planned', dryRun: true }, 'Would restart the workload (dry-run: nothing was changed)'],
    [{ kind: 'restart', status: 'done', dryRun: true }, 'Would restart the workload (dry-run: nothing was changed)'],
    [{ kind: 'restart', status: 'done', dryRun: false }, 'Restarted the workload'],
    [{ kind: 'workaround', status: 'planned', dryRun: false }, 'Planned: apply the workaround'],
    [
      { kind: 'upgrade-pr', status: 'done', dryRun: false, detail: 'acme/gitops#7' },
      'Opened an upgrade PR — acme/gitops#7',
    ],
    [
      { kind: 'restart', status: 'blocked', dryRun: false, detail: 'PodDisruptionBudget (429)' },
      'Restart blocked — PodDisruptionBudget (429)',
    ],
    [
      { kind: 'restart', status: 'skipped', dryRun: false, detail: 'cooldown until 14:00' },
      'Restart skipped — cooldown until 14:00',
    ],
    [undefined, 'No action: watching.'],
  ] as const)('%j → %s', (action, text) => expect(actionStatusLine(action)).toBe(text));
});

describe('message helpers', () => {
  it('escapes mrkdwn control characters and only links http(s)', () => {
    expect(escapeMrkdwn('a <b> & c')).toBe('a &lt;b&gt; &amp; c');
    expect(slackLink('javascript:alert(1)', 'x')).toBeNull();
    expect(slackLink('https://x.example/a|b', 'x')).toBeNull();
    expect(slackLink('https://x.example/a', 'PR <1>')).toBe('<https://x.example/a|PR &lt;1&gt;>');
  });

  it('Prometheus graph URL keeps the path prefix and drops credentials', () => {
    const url = promGraphUrl(
      'https://user:secret@thanos.example/prometheus/',
      'max(container_memory_working_set_bytes{pod=~"rook.*"})',
      86400,
    );
    expect(url.startsWith('https://thanos.example/prometheus/graph?g0.expr=')).toBe(true);
    expect(url).not.toContain('secret');
    expect(new URL(url).searchParams.get('g0.expr')).toBe('max(container_memory_working_set_bytes{pod=~"rook.*"})');
    expect(new URL(url).searchParams.get('g0.range_input')).toBe('1d');
  });

  it('a resolved incident without a PR or graph has no links block', () => {
    const input: IncidentMessageInput = {
      phase: 'resolved',
      severity: 'info',
      profile: 'p',
      target: { namespace: 'n', kind: 'Deployment', name: 'd', container: 'c' },
      version: null,
      verdict: { slope: null, hoursToLimit: null, currentBytes: null, reasons: [] },
      limitBytes: null,
    };
    const m = buildIncidentMessage(input);
    expect(m.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section']);
    expect(m.text).toBe('[INFO] Resolved: n/d (c) — No action: watching.');
  });

  describe('a phase of the fix states what is known, never an empty slot', () => {
    const at = Date.UTC(2026, 10, 26, 12, 0) / 1000;
    const base: IncidentMessageInput = {
      phase: 'upgrade-rolled-out',
      severity: 'info',
      profile: 'rook',
      target: { namespace: 'rook-ceph', kind: 'Deployment', name: 'op', container: 'op' },
      version: '1.15.9',
      // The new version's pods are minutes old: the detector has no slope and no time to limit yet.
      verdict: { slope: null, hoursToLimit: null, currentBytes: 400 * 2 ** 20, reasons: [] },
      limitBytes: 2048 * 2 ** 20,
      upgrade: { rolledOut: { at } },
    };
    const fields = (m: ReturnType<typeof buildIncidentMessage>) =>
      (m.blocks[1]!['fields'] as { text: string }[]).map((f) => f.text);

    it('rolled out: when (until when it is verified, its note says, once)', () => {
      const m = buildIncidentMessage(base);
      expect(m.text).toBe(
        '[INFO] Upgrade rolled out: rook-ceph/op (op 1.15.9) — rolled out 2026-11-26 12:00 UTC — No action: watching.',
      );
      expect(fields(m)[0]).toBe('*Rolled out*\n2026-11-26 12:00 UTC');
      expect(JSON.stringify(m)).not.toContain('Verifying');
    });

    it.each([
      ['verified', { judgedAt: at + 86400 }, 'verified 2026-11-27 12:00 UTC'],
      ['upgrade-ineffective', { judgedAt: at + 86400 }, 'judged still leaking 2026-11-27 12:00 UTC'],
      ['resolved', {}, null],
    ] as const)('%s: no "n/a", the known figures and when it was judged', (phase, upgrade, judged) => {
      const flat = { ...base.verdict, slope: { bytesPerHour: 0, low: -1, high: 1 } };
      const m = buildIncidentMessage({ ...base, phase, verdict: flat, upgrade });
      expect(JSON.stringify(m)).not.toContain('n/a');
      expect(m.text).toContain(`— slope 0.0 MiB/h${judged ? `, ${judged}` : ''} —`);
      expect(fields(m)[0]).toBe('*Slope*\n0.0 MiB/h');
    });
  });

  it('a possible known issue is never claimed as certain: the field and the fallback say "possible"', () => {
    const input: IncidentMessageInput = {
      phase: 'suspected',
      severity: 'warning',
      profile: 'argocd',
      target: { namespace: 'argocd', kind: 'Deployment', name: 'argocd-repo-server', container: 'argocd-repo-server' },
      version: '2.13.1',
      verdict: { slope: null, hoursToLimit: null, currentBytes: null, reasons: [] },
      limitBytes: null,
      knownIssue: {
        issueId: 'argocd-repo-server-cmp-leak-2.13',
        title: 'CMP connections never closed',
        links: [],
        checked: '2026-11-30',
        possible: 'Config Management Plugin sidecars',
      },
    };
    const m = buildIncidentMessage(input);
    expect(JSON.stringify(m.blocks)).toContain(
      'possible: CMP connections never closed (argocd-repo-server-cmp-leak-2.13, checked 2026-11-30); Config Management Plugin sidecars could not be checked',
    );
    expect(m.text).toContain('known issue possible: CMP connections never closed');
  });
});
