/**
 * A workaround whole or not at all, and a revert that restores exactly what was there (#21): the
 * admin's own value comes back, a key a human had already set is not leakguard's and stays, a part the
 * Role does not grant stops the workaround before its first patch, and a part that fails undoes the
 * parts before it. What a user sees: the container's env, the ConfigMap, the Events, the state.
 */
import { describe, expect, it } from 'vitest';
import { ROOK, RookWorld, rookConfig } from '../support/rook-world.js';

const CM = 'rook-ceph/rook-ceph-operator-config';
const profile = '    workaround: {revertIfIneffective: true}';

function world(): RookWorld {
  // v1.14.9 leaks whatever is set here: the workaround is judged ineffective and reverted.
  const w = new RookWorld(
    rookConfig(profile).replace('ladder: [restart, workaround]', 'ladder: [workaround]'),
    (version) => (version === '1.14.9' ? 40 : 0),
  );
  w.cluster.configMaps.set(CM, { ROOK_LOG_LEVEL: 'DEBUG' });
  return w;
}

describe('a workaround whole or not at all, reverted exactly', () => {
  it("an admin's explicit value on the container comes back after apply and revert, and the ConfigMap is as it was", async () => {
    const w = world();
    w.target.env = { ...w.target.env, ROOK_WATCH_FOR_NODE_FAILURE: 'true' };
    await w.run();
    expect(w.target.env['ROOK_WATCH_FOR_NODE_FAILURE']).toBe('false');
    expect(w.cluster.configMaps.get(CM)).toEqual({ ROOK_LOG_LEVEL: 'DEBUG', ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(w.state()?.workaround).toEqual({
      configMap: {
        name: 'rook-ceph-operator-config',
        set: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' },
        previous: { ROOK_WATCH_FOR_NODE_FAILURE: null },
      },
      env: {
        container: 'rook-ceph-operator',
        set: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' },
        previous: { ROOK_WATCH_FOR_NODE_FAILURE: 'true' },
      },
    });
    // v1.14.9 leaks on with the workaround: it is reverted.
    await w.after(8).run();
    expect(w.reasons()).toContain('WorkaroundReverted');
    expect(w.target.env).toEqual({ ROOK_LOG_LEVEL: 'INFO', ROOK_WATCH_FOR_NODE_FAILURE: 'true' });
    expect(w.cluster.configMaps.get(CM)).toEqual({ ROOK_LOG_LEVEL: 'DEBUG' });
    expect(w.state()).toMatchObject({ workaround: null, workaroundAppliedAt: null });
  });

  it("a key a human already set to the workaround value is not leakguard's: recorded as nothing, never reverted", async () => {
    const w = world();
    w.cluster.configMaps.set(CM, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    await w.run();
    expect(w.state()?.workaround).toEqual({
      env: {
        container: 'rook-ceph-operator',
        set: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' },
        previous: { ROOK_WATCH_FOR_NODE_FAILURE: null },
      },
    });
    await w.after(8).run();
    expect(w.cluster.mutations.filter((m) => m.verb === 'revert-configmap')).toEqual([]);
    expect(w.cluster.configMaps.get(CM)).toEqual({ ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(w.target.env['ROOK_WATCH_FOR_NODE_FAILURE']).toBeUndefined();
  });

  it("every part already in place: WorkaroundApplied says so, and nothing is leakguard's to revert", async () => {
    const w = world();
    w.cluster.configMaps.set(CM, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    w.target.env = { ...w.target.env, ROOK_WATCH_FOR_NODE_FAILURE: 'false' };
    // The env var in place already passes the rung; with the ConfigMap only, the ConfigMap part is all there is.
    w.config = w.config.replace(
      profile,
      '    workaround: {revertIfIneffective: true, configMap: {name: rook-ceph-operator-config, data: {ROOK_WATCH_FOR_NODE_FAILURE: "false"}}}',
    );
    await w.run();
    expect(w.notes('WorkaroundApplied')[0]).toMatch(/^Already in place: /);
    expect(w.state()).toMatchObject({ lastAction: 'workaround', workaroundAppliedAt: null });
    expect(w.state()?.workaround ?? null).toBeNull();
    await w.after(8).run();
    expect(w.reasons()).not.toContain('WorkaroundReverted');
    expect(w.cluster.mutations.filter((m) => m.verb !== 'state')).toEqual([]);
  });

  it('a part the Role does not grant: nothing is patched at all, and the failure names the missing right', async () => {
    const w = world();
    w.cluster.deniedAccess.add('patch configmaps rook-ceph/rook-ceph-operator-config');
    const summary = await w.run();
    expect(w.cluster.mutations.filter((m) => m.verb !== 'state')).toEqual([]);
    expect(w.notes('RemediationFailed')[0]).toContain(
      'leakguard may not patch configmaps rook-ceph/rook-ceph-operator-config (its Role does not grant it): nothing was changed',
    );
    expect(summary.failures.join('\n')).toContain('nothing was changed');
    expect(w.state()).toMatchObject({ workaroundAppliedAt: null, intent: null });
  });

  it('a later part failing undoes the parts already applied: the ConfigMap key is removed again', async () => {
    const w = world();
    w.cluster.refuse = (verb) =>
      verb === 'env'
        ? { code: 'forbidden', status: 403, message: 'deployments.apps "rook-ceph-operator" is forbidden' }
        : null;
    await w.run();
    expect(w.cluster.mutations.filter((m) => m.verb !== 'state').map((m) => m.verb)).toEqual([
      'configmap',
      'revert-configmap',
    ]);
    expect(w.cluster.configMaps.get(CM)).toEqual({ ROOK_LOG_LEVEL: 'DEBUG' });
    expect(w.notes('RemediationFailed')[0]).toContain('env on container rook-ceph-operator: ');
    expect(w.notes('RemediationFailed')[0]).toContain(
      'undid what was already applied (ConfigMap rook-ceph-operator-config), nothing is left changed',
    );
    expect(w.cluster.states.get(ROOK)?.state).toMatchObject({ workaroundAppliedAt: null, intent: null });
  });
});
