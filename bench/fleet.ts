/**
 * The 1,000-target fleet of the run benchmark: one profile, one container per pod, each pod its own
 * Deployment. The parent backfills its history into Prometheus; the child builds the same targets
 * for the in-memory cluster. Both sides derive everything from the pod index, so they always agree.
 */
import type { Sample } from '../src/detect/types.js';
import type { TargetFacts } from '../src/model/workload.js';
import type { LabelledSeries } from '../test/support/memory-history.js';

const MiB = 2 ** 20;

export const FLEET = {
  profile: 'fleet',
  namespace: 'bench',
  container: 'manager',
  selector: 'app=operator',
  limitBytes: 2048 * MiB,
} as const;

/** Every LEAK_EVERY-th pod leaks (10 of 1,000); the rest are flat under a GC sawtooth and noise. */
const LEAK_EVERY = 100;

export function podName(index: number): string {
  return `operator-${String(index).padStart(4, '0')}-7d9f`;
}

export function isLeaking(index: number): boolean {
  return index % LEAK_EVERY === 7;
}

/** Deterministic noise in [0, 1) per (pod, step): no Math.random, so every run backfills the same data. */
function noise(index: number, step: number): number {
  let h = Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return (h >>> 0) / 2 ** 32;
}

/** Whole bytes, so values survive the OpenMetrics round trip exactly. */
function level(index: number, step: number, stepSeconds: number): number {
  const base = (150 + (index % 50) * 5) * MiB;
  const sawtooth = (step % 7) * 3 * MiB;
  const jitter = noise(index, step) * 2 * MiB;
  const hours = (step * stepSeconds) / 3600;
  const leak = isLeaking(index) ? (20 + (index % 3) * 10) * MiB * hours : 0;
  return Math.round(base + sawtooth + jitter + leak);
}

/**
 * `count` series of `hours` at `stepSeconds`, the last sample at `endSeconds`; `pods` names them
 * (the kwok fleet's real pod names), in the fleet's `namespace`.
 */
export function fleetHistory(
  count: number,
  endSeconds: number,
  hours: number,
  stepSeconds: number,
  pods?: readonly string[],
  namespace: string = FLEET.namespace,
): LabelledSeries[] {
  return [...fleetSeries(count, endSeconds, hours, stepSeconds, pods, namespace)];
}

/** `fleetHistory`, one series at a time (10,000 pods × 24 h at 60 s would be 14 M sample objects at once). */
export function* fleetSeries(
  count: number,
  endSeconds: number,
  hours: number,
  stepSeconds: number,
  pods?: readonly string[],
  namespace: string = FLEET.namespace,
): Generator<LabelledSeries> {
  const steps = Math.floor((hours * 3600) / stepSeconds);
  const start = endSeconds - (steps - 1) * stepSeconds;
  for (let index = 0; index < count; index++) {
    const samples: Sample[] = new Array(steps);
    for (let step = 0; step < steps; step++)
      samples[step] = { t: start + step * stepSeconds, v: level(index, step, stepSeconds) };
    yield { labels: { namespace, pod: pods?.[index] ?? podName(index), container: FLEET.container }, samples };
  }
}

export function fleetTargets(count: number, podStartSeconds: number): TargetFacts[] {
  return Array.from({ length: count }, (_, index) => {
    const name = `operator-${String(index).padStart(4, '0')}`;
    return {
      profile: FLEET.profile,
      workload: { kind: 'Deployment' as const, namespace: FLEET.namespace, name, uid: `uid-${name}` },
      pod: {
        name: podName(index),
        uid: `uid-${name}-pod`,
        startTime: podStartSeconds,
        ready: true,
        terminating: false,
        controlled: true,
      },
      container: FLEET.container,
      image: 'ghcr.io/example/operator:v1.2.3',
      version: '1.2.3',
      limitBytes: FLEET.limitBytes,
      restartCount: 0,
      gitopsOwner: null,
      rollingOut: false,
      unreadyReplicas: 0,
      env: {},
    };
  });
}

export interface FleetConfigOptions {
  headers?: Record<string, string>;
  /** The kwok fleet: a dry run (its Events say what would be done), locked in the fleet's namespace. */
  namespace?: string;
  dryRun?: boolean;
}

export function fleetConfigText(prometheusUrl: string, count: number, options: FleetConfigOptions = {}): string {
  const namespace = options.namespace ?? FLEET.namespace;
  return `
dryRun: ${options.dryRun ?? false}
controller: none
prometheus: {url: ${JSON.stringify(prometheusUrl)}, headers: ${JSON.stringify(options.headers ?? {})}}
guardrails: {maxActionsPerRun: 3}
lock: {namespace: ${namespace}}
profiles:
  - name: ${FLEET.profile}
    namespace: ${namespace}
    selector: ${FLEET.selector}
    container: ${FLEET.container}
    expectedPods: ${count}
`;
}
