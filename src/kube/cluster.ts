/**
 * `createKubeCluster`: the Cluster interface over a real API server.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createCaller, defaultRetryPolicy, systemClock, type Clock, type RetryPolicy } from './call.js';
import { makeApis, type KubeContext } from './context.js';
import { checkAccess } from './access.js';
import { discoverTargets } from './discover.js';
import { readPodTemplates } from './templates.js';
import { eventJournal } from './events.js';
import { keepHeapProfile, readHeapProfiles } from './heap-store.js';
import { fetchThroughPodProxy } from './pod-proxy.js';
import { readKillSwitch } from './kill-switch.js';
import { acquireLease, releaseLease } from './lease.js';
import { readLedger, writeLedger } from './ledger.js';
import { evictPod, restartHappened, restartWorkload } from './restart.js';
import { readState, readStates, writeState } from './state.js';
import type { Cluster } from './types.js';
import {
  applyConfigMapWorkaround,
  applyEnvWorkaround,
  applyImageWorkaround,
  revertConfigMapWorkaround,
  revertEnvWorkaround,
  revertImageWorkaround,
} from './workaround.js';

export interface KubeClusterOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Who acts: the pod name in-cluster (also the Events' reportingInstance and the Lease holder). */
  identity: string;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** The run's signal (aborted at its deadline): no request is sent after it, and one in flight is aborted. */
  signal?: AbortSignal;
  /**
   * Called between pages of a pod list, once a page is turned into facts. The CLI passes a full
   * garbage collection when Node exposes one (the image runs with --expose-gc), so parsed pod objects
   * of a large fleet do not pile up in the old generation until V8 gets round to it.
   */
  reclaim?: () => void;
}

export function createKubeCluster(options: KubeClusterOptions): Cluster {
  const clock = options.clock ?? systemClock;
  const ctx: KubeContext = {
    ...makeApis(options.kubeConfig),
    call: createCaller({ ...defaultRetryPolicy, ...options.retry }, clock, options.signal),
    clock,
    logger: options.logger.child({ component: 'kube' }),
    identity: options.identity,
    fieldManager: 'leakguard',
    reclaim: options.reclaim ?? (() => {}),
  };
  return {
    discoverTargets: (profile) => discoverTargets(ctx, profile),
    readPodTemplates: (namespace, selector) => readPodTemplates(ctx, namespace, selector),
    readState: (workload) => readState(ctx, workload),
    readStates: (workloads) => readStates(ctx, workloads),
    writeState: (workload, state, basis) => writeState(ctx, workload, state, basis),
    restartWorkload: (workload, actionId) => restartWorkload(ctx, workload, actionId),
    evictPod: (pod, actionId) => evictPod(ctx, pod, actionId),
    restartHappened: (workload, check) => restartHappened(ctx, workload, check),
    applyEnvWorkaround: (workload, container, env) => applyEnvWorkaround(ctx, workload, container, env),
    revertEnvWorkaround: (workload, container, previous, set) =>
      revertEnvWorkaround(ctx, workload, container, previous, set),
    applyConfigMapWorkaround: (namespace, name, data) => applyConfigMapWorkaround(ctx, namespace, name, data),
    revertConfigMapWorkaround: (namespace, name, previous, set) =>
      revertConfigMapWorkaround(ctx, namespace, name, previous, set),
    checkAccess: (checks) => checkAccess(ctx, checks),
    applyImageWorkaround: (workload, swap) => applyImageWorkaround(ctx, workload, swap),
    revertImageWorkaround: (workload, swap) => revertImageWorkaround(ctx, workload, swap),
    recordEvent: eventJournal(ctx),
    readKillSwitch: (controller) => readKillSwitch(ctx, controller),
    acquireLease: (request) => acquireLease(ctx, request),
    releaseLease: (request) => releaseLease(ctx, request),
    readLedger: (lease) => readLedger(ctx, lease),
    writeLedger: (lease, text) => writeLedger(ctx, lease, text),
    fetchFromPod: (request) => fetchThroughPodProxy(options.kubeConfig, request),
    keepHeapProfile: (profile) => keepHeapProfile(ctx, profile),
    readHeapProfiles: (workload, incidentId) => readHeapProfiles(ctx, workload, incidentId),
  };
}
