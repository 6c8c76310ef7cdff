import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { loadRunConfig, runIdentity } from './wiring.js';

const text =
  'prometheus: {url: "http://prometheus:9090"}\nprofiles: [{name: rook, namespace: rook-ceph, selector: app=rook-ceph-operator}]\n';
const config = parseConfig(text);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromOptions({
  clusters: [{ name: 'c', server: 'https://127.0.0.1:6443' }],
  users: [{ name: 'u' }],
  contexts: [{ name: 'c', cluster: 'c', user: 'u', namespace: 'from-context' }],
  currentContext: 'c',
});

describe('runIdentity', () => {
  it('in the chart: the pod is the identity, and the config names the CronJob holding the kill switch', () => {
    const withController = parseConfig(`${text}controller: {kind: CronJob, name: leakguard}\n`);
    const identity = runIdentity(withController, kubeConfig, {
      POD_NAME: 'leakguard-29001-abcde',
      POD_NAMESPACE: 'ops',
    });
    expect(identity).toEqual({
      identity: 'leakguard-29001-abcde',
      pod: 'leakguard-29001-abcde',
      namespace: 'ops',
      controller: { kind: 'CronJob', namespace: 'ops', name: 'leakguard' },
    });
  });

  it("outside a pod the same config reads the same switch (its namespace given, or the lock's)", () => {
    const withController = parseConfig(`${text}controller: {kind: Deployment, name: leakguard, namespace: ops}\n`);
    expect(runIdentity(withController, kubeConfig, {}).controller).toEqual({
      kind: 'Deployment',
      namespace: 'ops',
      name: 'leakguard',
    });
  });

  it('outside a pod: host and pid, the kubeconfig context namespace; no controller unless configured', () => {
    const identity = runIdentity(config, kubeConfig, { LEAKGUARD_CONTROLLER: 'CronJob/ignored' });
    expect(identity).toEqual({ identity: expect.stringMatching(/-\d+$/), namespace: 'from-context' });
  });
});

describe('loadRunConfig: a workaround rung without a workaround of its own', () => {
  const withProfile = (profile: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'leakguard-wiring-')), 'config.yaml');
    writeFileSync(file, `prometheus: {url: "http://prometheus:9090"}\nprofiles: [${profile}]\n`);
    return file;
  };

  it("takes its known issue's (Longhorn's hotfix image)", async () => {
    const config = await loadRunConfig(
      withProfile(
        '{name: lh, namespace: longhorn-system, selector: app=im, knownIssues: [longhorn-instance-manager-proxy-leak-1.11.0], ladder: [workaround]}',
      ),
    );
    expect(config.profiles[0]?.ladder).toEqual(['workaround']);
  });

  it('is a configuration error naming the field when neither the profile nor its known issues give one', async () => {
    await expect(
      loadRunConfig(
        withProfile(
          '{name: cm, namespace: cert-manager, selector: app=ci, knownIssues: [cert-manager-cainjector-logger-leak-1.12], ladder: [workaround]}',
        ),
      ),
    ).rejects.toThrow(
      /profiles\[0\]\.workaround: the ladder has "workaround" but neither the profile nor its knownIssues \(cert-manager-cainjector-logger-leak-1\.12\) give one/,
    );
    await expect(
      loadRunConfig(withProfile('{name: cm, namespace: cert-manager, selector: app=ci, ladder: [workaround]}')),
    ).rejects.toThrow(
      /profiles\[0\]\.workaround: the ladder has "workaround": expected workaround\.env or workaround\.configMap, or knownIssues naming an entry with a workaround/,
    );
  });
});
