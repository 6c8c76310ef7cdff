/**
 * An incident from detection to the verified fix (#24), run after run over the in-memory adapters:
 * the Rook operator v1.14.9 leaks, is restarted, gets the workaround (which works), and the upgrade
 * is proposed in the same incident; once v1.15.9 runs (the PR merged, or a person upgraded), it is
 * verified over the detection window and leakguard removes its workaround, leaving the operator
 * exactly as before apart from the image. What a user sees: Events, the Slack thread, the PR, the pods.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createUpgradeRung } from '../../src/cli/wiring.js';
import { FakeGitHub } from '../forge/fake-github.js';
import { secretFile } from '../forge/helpers.js';
import { HOUR, RookWorld, rookConfig } from '../support/rook-world.js';

const CM = 'rook-ceph/rook-ceph-operator-config';
const helmRelease =
  'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: rook-ceph, namespace: rook-ceph}\nspec:\n  chart:\n    spec:\n      chart: rook-ceph\n      version: v1.14.9\n';

/** Restart (run 1), the workaround (run 2, 8 h later), and a quiet run: the workaround works. */
async function remediated(w: RookWorld): Promise<void> {
  w.cluster.configMaps.set(CM, { ROOK_LOG_LEVEL: 'DEBUG' });
  await w.run();
  await w.after(8).run();
  await w.after(8).run();
}

const before = { env: { ROOK_LOG_LEVEL: 'INFO' }, configMap: { ROOK_LOG_LEVEL: 'DEBUG' } };

describe('an incident reaches its end: workaround temporary, upgrade the fix, verified, workaround removed', () => {
  it('with no GitOps repo: the upgrade is recommended with the workaround, a person upgrades, leakguard verifies and removes the workaround', async () => {
    const w = new RookWorld(rookConfig());
    await remediated(w);
    expect(w.reasons()).toEqual([
      'LeakSuspected',
      'PodRestarted',
      'LeakConfirmed',
      'WorkaroundApplied',
      'UpgradeRecommended',
    ]);
    expect(w.notes('UpgradeRecommended')[0]).toContain(
      'Upgrade to v1.15.9, along 1.14.9 → 1.15.9 (one minor version at a time): rook-operator-leak-1.14 is fixed there',
    );
    // The workaround works: the incident stays open, waiting on its fix, never LeakResolved.
    await w.after(60).run();
    expect(w.reasons()).not.toContain('LeakResolved');
    expect(w.state()?.upgrade).toMatchObject({ fromVersion: '1.14.9', toVersion: '1.15.9' });
    expect(w.state()?.upgrade?.rolledOutAt ?? null).toBeNull();

    w.roll('rook/ceph:v1.15.9');
    await w.after(1).run();
    expect(w.notes('UpgradeRolledOut')).toEqual([
      'the pods now run v1.15.9: the proposed upgrade (v1.14.9 → v1.15.9). Judged on its own data until at least 2026-11-30 11:00 UTC; the workaround stays until then and is removed if the leak is gone.',
    ]);
    // A day on the new version is the verification window (the detection window, 24 h).
    await w.after(12).run();
    expect(w.reasons()).not.toContain('UpgradeVerified');
    await w.after(13).run();
    expect(w.notes('UpgradeVerified')[0]).toMatch(
      /^v1\.15\.9: floor flat at 4\d\d MiB over 26\.0 h; was \+40\.0 MiB\/h on v1\.14\.9\. The upgrade fixed the leak\.$/,
    );
    expect(w.notes('WorkaroundReverted')[0]).toContain(
      'the workaround is no longer needed on v1.15.9 (upgrade verified)',
    );
    expect(w.target.env).toEqual(before.env);
    expect(w.cluster.configMaps.get(CM)).toEqual(before.configMap);
    expect(w.target.image).toBe('rook/ceph:v1.15.9');
    // Idempotent: the next runs change nothing more.
    const mutations = w.cluster.mutations.filter((m) => m.verb !== 'state').length;
    await w.after(1).run();
    await w.after(1).run();
    expect(w.cluster.mutations.filter((m) => m.verb !== 'state')).toHaveLength(mutations);
    expect(w.reasons().filter((r) => r === 'WorkaroundReverted')).toHaveLength(1);
  });

  it('the Slack thread tells the incident in one thread, phase by phase', async () => {
    const w = new RookWorld(rookConfig());
    await remediated(w);
    w.roll('rook/ceph:v1.15.9');
    await w.after(1).run();
    await w.after(25).run();
    const headers = w.notifier.messages.map((m) => m.text.split(' — ')[0]);
    expect(headers).toEqual([
      '[WARNING] Remediated: rook-ceph/rook-ceph-operator (rook-ceph-operator 1.14.9)',
      '[WARNING] Upgrade proposed: rook-ceph/rook-ceph-operator (rook-ceph-operator 1.14.9)',
      '[INFO] Upgrade rolled out: rook-ceph/rook-ceph-operator (rook-ceph-operator 1.15.9)',
      '[INFO] Fix verified: rook-ceph/rook-ceph-operator (rook-ceph-operator 1.15.9)',
    ]);
    expect(w.notifier.messages[1]?.text).toContain('Upgrade to v1.15.9');
    expect(w.notifier.messages[3]?.text).toContain('Removed the workaround');
    // The new version's pods are minutes old when the rollout is seen: no slope yet, so the message says
    // when it rolled out and (its note) until when it is judged, each once, and no slot is left empty.
    const rolledOutAt = w.now - 25 * HOUR;
    const rolledOut = w.notifier.messages[2]?.text ?? '';
    expect(rolledOut).toContain(`— rolled out ${time(rolledOutAt)} —`);
    expect(rolledOut.split(time(rolledOutAt + 24 * HOUR))).toHaveLength(2);
    expect(w.notifier.messages[3]?.text).toContain(`verified ${time(w.now)}`);
    for (const m of w.notifier.messages) expect(JSON.stringify(m)).not.toContain('n/a');
    // On v1.15.9 the catalogue no longer matches: the known issue shown is the one the upgrade fixes, never "none".
    for (const m of w.notifier.messages.slice(2)) {
      expect(JSON.stringify(m)).not.toContain('none catalogued');
      expect(JSON.stringify(m.blocks)).toContain(
        '(rook-operator-leak-1.14, checked 2026-11-30): the issue this upgrade fixes',
      );
    }
  });

  it('a run with no decision yet (the restarted pod has too little data) posts nothing: the thread never says "Healthy"', async () => {
    const w = new RookWorld(rookConfig());
    await w.run();
    const sent = w.notifier.messages.length;
    await w.after(0.25).run();
    expect(w.notes('RemediationSkipped').at(-1)).toContain('no decision on rook-ceph-operator-1');
    expect(w.notifier.messages).toHaveLength(sent);
    await w.after(8).run();
    expect(w.notifier.messages.map((m) => m.text.split(':')[0])).toEqual([
      '[WARNING] Remediated',
      '[WARNING] Upgrade proposed',
    ]);
  });

  it('a version outside the path is reported as such, and verified on its own', async () => {
    const w = new RookWorld(rookConfig());
    await remediated(w);
    w.roll('rook/ceph:v1.16.5');
    await w.after(1).run();
    expect(w.notes('UpgradeRolledOut')[0]).toContain(
      'the pods now run v1.16.5: not the proposed v1.15.9 but outside the path (v1.14.9 → v1.15.9); it is not affected by the known issue',
    );
    await w.after(25).run();
    expect(w.notes('UpgradeVerified')[0]).toMatch(/^v1\.16\.5: floor flat/);
    expect(w.target.env).toEqual(before.env);
  });

  it('a patch release that is still affected is no fix: the workaround stays and the upgrade is proposed again from it', async () => {
    const w = new RookWorld(rookConfig());
    await remediated(w);
    w.roll('rook/ceph:v1.14.10');
    await w.after(1).run();
    expect(w.notes('UpgradeRolledOut')[0]).toContain(
      'the pods now run v1.14.10, which is still affected by the known issue',
    );
    await w.after(1).run();
    expect(w.notes('UpgradeRecommended').at(-1)).toContain('Upgrade to v1.15.9, along 1.14.10 → 1.15.9');
    expect(w.target.env['ROOK_WATCH_FOR_NODE_FAILURE']).toBe('false');
  });

  it('still leaking on the fixed version: UpgradeIneffective, loudly, and the workaround stays', async () => {
    const w = new RookWorld(rookConfig(), (version, env) =>
      version === '1.15.9' || (version === '1.14.9' && env['ROOK_WATCH_FOR_NODE_FAILURE'] !== 'false') ? 40 : 0,
    );
    await remediated(w);
    w.roll('rook/ceph:v1.15.9');
    await w.after(1).run();
    await w.after(25).run();
    const [note] = w.notes('UpgradeIneffective');
    expect(note).toContain(
      'STILL LEAKING on v1.15.9 (+40.0 MiB/h) after the upgrade from v1.14.9: the known issue does not explain this leak. The workaround stays in place.',
    );
    expect(w.cluster.events.find((e) => e.reason === 'UpgradeIneffective')?.type).toBe('Warning');
    expect(w.reasons()).not.toContain('WorkaroundReverted');
    expect(w.target.env['ROOK_WATCH_FOR_NODE_FAILURE']).toBe('false');
  });

  it('a short verification window: a v1.15.9 still rising is never called fixed before the rise is called; then UpgradeIneffective', async () => {
    const w = new RookWorld(rookConfig('    fix: {verifyWindow: 2h}'), (version, env) =>
      version === '1.15.9' || (version === '1.14.9' && env['ROOK_WATCH_FOR_NODE_FAILURE'] !== 'false') ? 40 : 0,
    );
    await remediated(w);
    w.roll('rook/ceph:v1.15.9');
    for (let hour = 0; hour < 12 && !w.reasons().includes('UpgradeIneffective'); hour++) await w.after(1).run();
    expect(w.reasons()).not.toContain('UpgradeVerified');
    expect(w.reasons()).not.toContain('WorkaroundReverted');
    // Past the window, the new version's first hours rise +40 MiB/h before the rise can be called: one Event (one key).
    const held = w.cluster.events.filter((e) => e.note.startsWith('v1.15.9 not verified yet'));
    expect(new Set(held.map((e) => `${e.reason} ${e.key}`))).toEqual(
      new Set([expect.stringMatching(/^RemediationSkipped skip:awaiting-verification:revert-/)]),
    );
    expect(held[0]!.note).toMatch(
      /^v1\.15\.9 not verified yet: its floor rose \+40\.0 MiB\/h over the last [\d.]+ h, not \(yet\) called a leak; its verification and the removal of the workaround wait until the rise is called a leak or the floor holds level\.$/,
    );
    expect(w.notes('UpgradeIneffective')[0]).toContain('STILL LEAKING on v1.15.9 (+40.0 MiB/h)');
    expect(w.target.env['ROOK_WATCH_FOR_NODE_FAILURE']).toBe('false');
  });

  it('a GitOps-owned workload: the revert is told, never patched', async () => {
    const w = new RookWorld(rookConfig());
    await remediated(w);
    w.roll('rook/ceph:v1.15.9');
    w.target.gitopsOwner = 'flux';
    await w.after(1).run();
    await w.after(25).run();
    expect(w.reasons()).toContain('UpgradeVerified');
    expect(w.cluster.mutations.filter((m) => m.verb.startsWith('revert'))).toEqual([]);
    expect(w.notes('RemediationSkipped').join('\n')).toContain(
      'the workaround is no longer needed on v1.15.9 (upgrade verified), but flux owns this workload: leakguard does not patch it live — remove the workaround in Git',
    );
    expect(w.target.env['ROOK_WATCH_FOR_NODE_FAILURE']).toBe('false');
  });

  it('killed between the verification and the revert: the next run reverts once, exactly, and Slack still says "Fix verified"', async () => {
    const w = new RookWorld(rookConfig());
    await remediated(w);
    w.roll('rook/ceph:v1.15.9');
    await w.after(1).run();
    w.cluster.crashOn = 'revert-configmap';
    w.after(25);
    await expect(w.run()).rejects.toThrow(/simulated crash/);
    w.cluster.leaseHolder = null;
    expect(w.state()?.upgrade?.verifiedAt).not.toBeNull();
    await w.after(1).run();
    await w.after(1).run();
    await w.after(1).run();
    expect(w.target.env).toEqual(before.env);
    expect(w.cluster.configMaps.get(CM)).toEqual(before.configMap);
    expect(w.cluster.mutations.filter((m) => m.verb === 'revert-env')).toHaveLength(1);
    expect(w.cluster.mutations.filter((m) => m.verb === 'revert-configmap')).toHaveLength(1);
    // The runs after the one that died: the incident is verified, never "Healthy" or "Escalated".
    const said = w.notifier.messages.slice(3).map((m) => m.text.split(' — ')[0]);
    expect(said.length).toBeGreaterThan(0);
    for (const header of said)
      expect(header).toBe('[INFO] Fix verified: rook-ceph/rook-ceph-operator (rook-ceph-operator 1.15.9)');
    expect(w.notifier.messages.at(-1)?.text).toContain('Removed the workaround');
  });

  it('dry-run: "would" remove the workaround, and nothing changes', async () => {
    const w = new RookWorld(rookConfig());
    await remediated(w);
    w.roll('rook/ceph:v1.15.9');
    await w.after(1).run();
    const mutations = w.cluster.mutations.length;
    await w.after(25).run({ dryRun: true });
    expect(w.cluster.mutations).toHaveLength(mutations);
    expect(w.notes('RemediationPlanned').at(-1)).toContain(
      '[dry-run] would restore ROOK_WATCH_FOR_NODE_FAILURE (unset) on container rook-ceph-operator and ROOK_WATCH_FOR_NODE_FAILURE (unset) in ConfigMap rook-ceph-operator-config',
    );
    expect(w.target.env['ROOK_WATCH_FOR_NODE_FAILURE']).toBe('false');
  });

  it('the leak back after the workaround was removed reopens the incident', async () => {
    const w = new RookWorld(rookConfig(), (version, env) =>
      version === '1.14.9' && env['ROOK_WATCH_FOR_NODE_FAILURE'] !== 'false' ? 40 : 0,
    );
    await remediated(w);
    w.roll('rook/ceph:v1.15.9');
    await w.after(1).run();
    await w.after(25).run();
    const incident = w.state()?.incidentId;
    // Someone rolls back to 1.14.9 without the workaround: it leaks again, in the same incident.
    w.roll('rook/ceph:v1.14.9');
    const seen = w.reasons().length;
    await w.after(15).run();
    expect(w.reasons().slice(seen)[0]).toBe('LeakConfirmed');
    expect(w.state()?.incidentId).toBe(incident);
  });
});

describe('with a GitOps repo: the PR comes with the workaround, and tells the incident from the durable state', () => {
  let gh: FakeGitHub;
  beforeEach(async () => {
    gh = await new FakeGitHub('acme', 'gitops').start();
    gh.seedBranch('main', { 'clusters/prod/rook/helmrelease.yaml': helmRelease });
  });
  afterEach(async () => {
    await gh.stop();
  });

  function world(): RookWorld {
    const config = rookConfig(
      '    upgrade: {repo: acme/gitops, file: clusters/prod/rook/helmrelease.yaml}',
      `github: {tokenFile: ${secretFile('token', gh.acceptedToken)}, apiUrl: "${gh.url}"}`,
    );
    const w = new RookWorld(config);
    const rung = createUpgradeRung(parseConfig(config), pino({ level: 'silent' }));
    w.upgrade = rung.execute;
    w.previewUpgrade = rung.preview;
    w.refreshUpgradePr = rung.refresh;
    return w;
  }

  const status = (body: string) => /### Status\n\n(.*)\n/.exec(body)?.[1];

  it('a workaround that works still brings the PR, in the same run; its actions list the restart and the workaround at their real times', async () => {
    const w = world();
    w.cluster.configMaps.set(CM, {});
    await w.run();
    const restartAt = w.now;
    await w.after(8).run();
    expect(w.reasons()).toEqual([
      'LeakSuspected',
      'PodRestarted',
      'LeakConfirmed',
      'WorkaroundApplied',
      'UpgradePROpened',
    ]);
    expect(gh.pulls.map((p) => p.title)).toEqual([expect.stringContaining('1.14.9 → 1.15.9')]);
    const body = gh.pulls[0]!.body;
    const times = [restartAt, w.now].map(
      (t) => `${new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    );
    expect(body).toContain(
      `- ${times[0]} **restart**: rollout-restart deployment rook-ceph/rook-ceph-operator — restarted`,
    );
    expect(body).toContain(
      `- ${times[1]} **workaround**: set ROOK_WATCH_FOR_NODE_FAILURE=false on container rook-ceph-operator and ROOK_WATCH_FOR_NODE_FAILURE=false in ConfigMap rook-ceph-operator-config (deployment rook-ceph/rook-ceph-operator) — workaround-applied`,
    );
    expect(body).not.toContain('None: this PR is the first remediation');
  });

  it("the PR's actions across three runs: a PR deferred by GitHub's rate limit lists everything before it when it opens", async () => {
    const w = world();
    w.cluster.configMaps.set(CM, {});
    await w.run();
    gh.inject({
      operation: '*',
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) },
      body: { message: 'API rate limit exceeded' },
      times: 50,
    });
    await w.after(8).run();
    expect(gh.pulls).toEqual([]);
    clearFaults(gh);
    await w.after(8).run();
    expect(gh.pulls).toHaveLength(1);
    const rows = gh.pulls[0]!.body.split('\n').filter((l) => l.startsWith('- 2026-'));
    expect(rows.map((r) => /\*\*([\w-]+)\*\*/.exec(r)?.[1])).toEqual(['restart', 'workaround', 'upgrade-pr']);
    expect(rows[2]).toContain('upgrade-pr');
    expect(w.state()?.history?.map((h) => h.kind)).toEqual(['restart', 'workaround', 'upgrade-pr', 'upgrade-pr']);
  });

  it('the PR merged (Flux rolls out v1.15.9): verified, and the workaround removed', async () => {
    const w = world();
    w.cluster.configMaps.set(CM, { ROOK_LOG_LEVEL: 'DEBUG' });
    await w.run();
    await w.after(8).run();
    w.roll('rook/ceph:v1.15.9');
    await w.after(1).run();
    await w.after(25).run();
    expect(w.reasons().slice(-3)).toEqual(['UpgradeRolledOut', 'UpgradeVerified', 'WorkaroundReverted']);
    expect(w.target.env).toEqual(before.env);
    expect(w.cluster.configMaps.get(CM)).toEqual(before.configMap);
    expect(w.state()?.workaround ?? null).toBeNull();
  });

  it('the open PR tells each phase as it comes: the same PR re-written, its evidence kept, nothing sent twice', async () => {
    const w = world();
    w.cluster.configMaps.set(CM, { ROOK_LOG_LEVEL: 'DEBUG' });
    await w.run();
    await w.after(8).run();
    const appliedAt = time(w.now);
    const opened = gh.pulls[0]!.body;
    const what =
      'set ROOK_WATCH_FOR_NODE_FAILURE=false on container rook-ceph-operator and ROOK_WATCH_FOR_NODE_FAILURE=false in ConfigMap rook-ceph-operator-config (deployment rook-ceph/rook-ceph-operator)';
    expect(status(opened)).toBe(
      `**Workaround in place** (${what}, since ${appliedAt}): it is temporary, this upgrade is the fix. Once v1.15.9 runs, leakguard judges it on its own data over the verification window, then removes the workaround.`,
    );
    expect(opened).toContain('1. **1.14.9 → 1.15.9** (this PR: hop 1 of 1)');
    // A person upgrades while the PR is still open: it says what happened, and until when it is judged.
    w.roll('rook/ceph:v1.15.9');
    await w.after(1).run();
    expect(status(gh.pulls[0]!.body)).toBe(
      `**v1.15.9 rolled out** at ${time(w.now)}; verifying until at least ${time(w.now + 24 * HOUR)}; the workaround (${what}, since ${appliedAt}) stays until then, and is removed if the leak is gone.`,
    );
    const patches = () => gh.mutations().filter((r) => r.operationId === 'pulls/update').length;
    const afterRollout = patches();
    await w.after(1).run();
    expect(patches()).toBe(afterRollout);
    await w.after(25).run();
    const verified = gh.pulls[0]!.body;
    expect(status(verified)).toMatch(
      new RegExp(
        `^\\*\\*Verified on v1\\.15\\.9\\*\\* at ${time(w.now)}: the memory floor stayed flat over the verification window; the leak is fixed\\. leakguard removed its workaround \\(set ROOK_WATCH_FOR_NODE_FAILURE=false .*\\) at ${time(w.now)}\\.$`,
      ),
    );
    // One PR all along; everything but the status is as it was opened (the evidence of the leak on v1.14.9).
    expect(gh.pulls).toHaveLength(1);
    expect(verified.replace(/### Status\n\n.*\n/, '')).toBe(opened.replace(/### Status\n\n.*\n/, ''));
    expect(gh.violations).toEqual([]);
    const final = patches();
    await w.after(1).run();
    expect(patches()).toBe(final);
  });

  it('UpgradeIneffective: the open PR says the upgrade did not fix the leak, and that the workaround stays', async () => {
    const config = rookConfig(
      '    upgrade: {repo: acme/gitops, file: clusters/prod/rook/helmrelease.yaml}',
      `github: {tokenFile: ${secretFile('token', gh.acceptedToken)}, apiUrl: "${gh.url}"}`,
    );
    const w = new RookWorld(config, (version, env) =>
      version === '1.15.9' || (version === '1.14.9' && env['ROOK_WATCH_FOR_NODE_FAILURE'] !== 'false') ? 40 : 0,
    );
    const rung = createUpgradeRung(parseConfig(config), pino({ level: 'silent' }));
    Object.assign(w, { upgrade: rung.execute, previewUpgrade: rung.preview, refreshUpgradePr: rung.refresh });
    w.cluster.configMaps.set(CM, {});
    await w.run();
    await w.after(8).run();
    w.roll('rook/ceph:v1.15.9');
    await w.after(1).run();
    await w.after(25).run();
    expect(w.reasons()).toContain('UpgradeIneffective');
    expect(status(gh.pulls[0]!.body)).toMatch(
      /^\*\*STILL LEAKING on v1\.15\.9\*\* \(judged at .*\): this upgrade did not fix the leak; the known issue does not explain it\. The workaround \(set ROOK_WATCH_FOR_NODE_FAILURE=false .*\) stays in place\.$/,
    );
    expect(gh.pulls).toHaveLength(1);
  });

  it('a PR closed without merging is left closed: a phase change never opens another', async () => {
    const w = world();
    w.cluster.configMaps.set(CM, {});
    await w.run();
    await w.after(8).run();
    gh.pulls[0]!.state = 'closed';
    const before = gh.mutations().length;
    w.roll('rook/ceph:v1.15.9');
    await w.after(1).run();
    await w.after(25).run();
    expect(w.reasons()).toContain('UpgradeVerified');
    expect(gh.pulls).toHaveLength(1);
    expect(gh.mutations()).toHaveLength(before);
  });
});

function time(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Drops the faults injected so far (FakeGitHub keeps them until used up). */
function clearFaults(gh: FakeGitHub): void {
  (gh as unknown as { faults: unknown[] }).faults.length = 0;
}
