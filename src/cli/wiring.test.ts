import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/load.js';
import { runIdentity } from './wiring.js';

const config = parseConfig('prometheus: {url: "http://prometheus:9090"}\nprofiles: [{name: rook, namespace: rook-ceph, selector: app=rook-ceph-operator}]\n');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromOptions({
  clusters: [{ name: 'c', server: 'https://127.0.0.1:6443' }],
  users: [{ name: 'u' }],
  contexts: [{ name: 'c', cluster: 'c', user: 'u', namespace: 'from-context' }],
  currentContext: 'c',
});

describe('runIdentity', () => {
  it('in the chart: the pod is the identity, and LEAKGUARD_CONTROLLER names the CronJob holding the kill switch', () => {
    const identity = runIdentity(config, kubeConfig, { POD_NAME: 'leakguard-29001-abcde', POD_NAMESPACE: 'ops', LEAKGUARD_CONTROLLER: 'CronJob/leakguard' });
    expect(identity).toEqual({ identity: 'leakguard-29001-abcde', pod: 'leakguard-29001-abcde', namespace: 'ops', controller: { kind: 'CronJob', namespace: 'ops', name: 'leakguard' } });
  });

  it('in daemon mode the controller is the Deployment', () => {
    expect(runIdentity(config, kubeConfig, { POD_NAME: 'p', POD_NAMESPACE: 'ops', LEAKGUARD_CONTROLLER: 'Deployment/leakguard' }).controller).toEqual({ kind: 'Deployment', namespace: 'ops', name: 'leakguard' });
  });

  it('outside a pod: host and pid, the kubeconfig context namespace, no controller', () => {
    const identity = runIdentity(config, kubeConfig, {});
    expect(identity).toEqual({ identity: expect.stringMatching(/-\d+$/), namespace: 'from-context' });
  });

  it('a malformed LEAKGUARD_CONTROLLER is a configuration error naming the variable', () => {
    expect(() => runIdentity(config, kubeConfig, { LEAKGUARD_CONTROLLER: 'cronjob leakguard' })).toThrow(ConfigError);
    expect(() => runIdentity(config, kubeConfig, { LEAKGUARD_CONTROLLER: 'Job/x' })).toThrow('LEAKGUARD_CONTROLLER: expected CronJob/<name> or Deployment/<name>, got "Job/x"');
  });
});
