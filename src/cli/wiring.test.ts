import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { runIdentity } from './wiring.js';

const text = 'prometheus: {url: "http://prometheus:9090"}\nprofiles: [{name: rook, namespace: rook-ceph, selector: app=rook-ceph-operator}]\n';
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
    const identity = runIdentity(withController, kubeConfig, { POD_NAME: 'leakguard-29001-abcde', POD_NAMESPACE: 'ops' });
    expect(identity).toEqual({ identity: 'leakguard-29001-abcde', pod: 'leakguard-29001-abcde', namespace: 'ops', controller: { kind: 'CronJob', namespace: 'ops', name: 'leakguard' } });
  });

  it('outside a pod the same config reads the same switch (its namespace given, or the lock\'s)', () => {
    const withController = parseConfig(`${text}controller: {kind: Deployment, name: leakguard, namespace: ops}\n`);
    expect(runIdentity(withController, kubeConfig, {}).controller).toEqual({ kind: 'Deployment', namespace: 'ops', name: 'leakguard' });
  });

  it('outside a pod: host and pid, the kubeconfig context namespace; no controller unless configured', () => {
    const identity = runIdentity(config, kubeConfig, { LEAKGUARD_CONTROLLER: 'CronJob/ignored' });
    expect(identity).toEqual({ identity: expect.stringMatching(/-\d+$/), namespace: 'from-context' });
  });
});
