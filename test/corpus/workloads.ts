/**
 * Workload families (issue #17): a week of one Deployment's pods in sequence, named as ReplicaSet
 * pods are (`<name>-<pod-template-hash>-<5 chars>`, the hash changing at each rollout). The daily
 * cycle runs on wall-clock time across pod boundaries; every pod starts with its own warm-up.
 */
import type { CorpusSeries, Truth } from './corpus.js';
import type { Rng } from './random.js';
import { createRng } from './random.js';
import { baseShape, MIB, simulate, type Shape } from './simulate.js';

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

interface PodPlan {
  hours: number;
  /** Leak onset, hours from the pod's start; null for a healthy pod. */
  leakOnsetHours: number | null;
  /** A rollout happened just before this pod: new pod-template-hash. */
  rollout: boolean;
  /** Warm-up of this pod, when not the usual small one. */
  warmup?: { fraction: number; hours: number };
}

interface WorkloadPlan {
  pods: PodPlan[];
  /** Daily cycle of the whole workload, peak to peak as a fraction of its trough. */
  cycleFraction: number;
  /** Leak rate of its leaking pods, MiB/h (default: 8–150). */
  leakMiBPerHour?: number;
}

/** Pods until the week is full; `make(k, startHours)` plans the k-th pod. */
function week(make: (k: number, startHours: number) => PodPlan, days: number): PodPlan[] {
  const pods: PodPlan[] = [];
  for (let h = 0; h < days * 24;) {
    const pod = make(pods.length, h);
    pods.push(pod);
    h += pod.hours;
  }
  return pods;
}

type WorkloadFamily = (rng: Rng, days: number) => WorkloadPlan;

export const workloadFamilies: Record<string, WorkloadFamily> = {
  /** Healthy, with a strong daily cycle (60–100% of the trough peak to peak); pods replaced every 6–40 h. */
  wlHealthyCycle(rng, days) {
    return {
      cycleFraction: rng.uniform(0.6, 1),
      pods: week(() => ({ hours: rng.uniform(6, 40), leakOnsetHours: null, rollout: rng.chance(0.5) }), days),
    };
  },
  /** Healthy for one to three days, then a bad rollout: every pod since leaks from its start. */
  wlBadRollout(rng, days) {
    const badFrom = rng.uniform(24, 72);
    return {
      cycleFraction: rng.chance(0.5) ? rng.uniform(0.1, 0.6) : 0,
      pods: week((_k, h) => {
        if (h < badFrom)
          return {
            hours: Math.min(rng.uniform(6, 40), Math.max(6, badFrom - h)),
            leakOnsetHours: null,
            rollout: rng.chance(0.3),
          };
        const first = h - badFrom < 6;
        // The first bad pod runs until someone restarts it; later ones are restarted (leakguard, drains) sooner.
        return { hours: first ? rng.uniform(24, 40) : rng.uniform(8, 30), leakOnsetHours: 0, rollout: first };
      }, days).map((p, k, all) =>
        k > 0 && all[k - 1]!.leakOnsetHours === null && p.leakOnsetHours !== null ? { ...p, rollout: true } : p,
      ),
    };
  },
  /** A leak begins inside a running pod; after the restart it leaks again from the start in every pod. */
  wlLeakAfterRestart(rng, days) {
    const onset = rng.uniform(6, 24);
    return {
      cycleFraction: rng.chance(0.5) ? rng.uniform(0.1, 0.6) : 0,
      pods: week(
        (k) =>
          k === 0
            ? { hours: onset + rng.uniform(24, 36), leakOnsetHours: onset, rollout: false }
            : { hours: rng.uniform(8, 30), leakOnsetHours: 0, rollout: false },
        days,
      ),
    };
  },
  /** Every pod leaks from its start for one to three days, until a rollout fixes it; later pods are healthy, some with a big warm-up. */
  wlRolloutFixed(rng, days) {
    const fixedAt = rng.uniform(24, 72);
    return {
      cycleFraction: rng.chance(0.5) ? rng.uniform(0.1, 0.6) : 0,
      pods: week((k, h) => {
        if (h < fixedAt)
          return { hours: k === 0 ? rng.uniform(24, 40) : rng.uniform(8, 30), leakOnsetHours: 0, rollout: false };
        const warmup = rng.chance(0.5) ? { fraction: rng.uniform(0.3, 0.6), hours: rng.uniform(0.2, 1.5) } : undefined;
        return { hours: rng.uniform(6, 40), leakOnsetHours: null, rollout: false, ...(warmup ? { warmup } : {}) };
      }, days).map((p, k, all) =>
        k > 0 && all[k - 1]!.leakOnsetHours !== null && p.leakOnsetHours === null ? { ...p, rollout: true } : p,
      ),
    };
  },
};

/**
 * Workload families of issue #25, kept apart so the families above keep their series: every pod
 * leaking slowly under a daily cycle, and healthy pods with a daily cycle and a warm-up (the first
 * pod of a workload has no history to tell the cycle by).
 */
export const cycleWorkloadFamilies: Record<string, WorkloadFamily> = {
  /** Every pod leaks 6–30 MiB/h from its start under a daily cycle of 20–60% of the trough; pods live one to two days. */
  wlLeakUnderCycle(rng, days) {
    return {
      cycleFraction: rng.uniform(0.2, 0.6),
      leakMiBPerHour: rng.logUniform(6, 30),
      pods: week(() => ({ hours: rng.uniform(24, 48), leakOnsetHours: 0, rollout: false }), days),
    };
  },
  /** Healthy, a daily cycle of 10–40% of the trough, every pod with a warm-up of 10–40%; pods replaced every 6–40 h. */
  wlFirstPodCycle(rng, days) {
    return {
      cycleFraction: rng.uniform(0.1, 0.4),
      pods: week(
        () => ({
          hours: rng.uniform(6, 40),
          leakOnsetHours: null,
          rollout: rng.chance(0.3),
          warmup: { fraction: rng.uniform(0.1, 0.4), hours: rng.uniform(0.2, 1.5) },
        }),
        days,
      ),
    };
  },
};

const allWorkloadFamilies: Record<string, WorkloadFamily> = { ...workloadFamilies, ...cycleWorkloadFamilies };

export interface WorkloadTruth {
  name: string;
  /** Among the workload's leaking pods: 0 for the first, 1 for the next…; null for a healthy pod. */
  leakOrdinal: number | null;
  /** Healthy pod of a workload whose earlier pods had shown its daily cycle (a full day of them before it). */
  cycleShown: boolean;
  /** The workload's first pod: no earlier pod to learn from. */
  firstPod: boolean;
}

function suffix(rng: Rng, length: number): string {
  return Array.from({ length }, () => rng.pick([...SAFE])).join('');
}

/** Deterministic: the same seed gives the same pods. One corpus series per pod. */
export function generateWorkloads(options: {
  seed: number;
  perFamily: number;
  days?: number;
  startSeconds: number;
  only?: readonly string[];
}): (CorpusSeries & { workload: WorkloadTruth })[] {
  const days = options.days ?? 7;
  const out: (CorpusSeries & { workload: WorkloadTruth })[] = [];
  for (const [f, family] of Object.keys(allWorkloadFamilies).entries()) {
    if (options.only && !options.only.includes(family)) continue;
    for (let i = 0; i < options.perFamily; i++) {
      const rng = createRng(options.seed * 1_000_033 + 500_000 + f * 10_007 + i);
      const plan = allWorkloadFamilies[family]!(rng, days);
      const name = `${family.toLowerCase()}-${i}`;
      const trough = rng.logUniform(100, 800) * MIB;
      const cycle = {
        peakToPeakBytes: plan.cycleFraction * trough,
        phaseHours: rng.uniform(0, 24),
        harmonic: rng.uniform(0, 0.4),
      };
      const baseBytes = trough + cycle.peakToPeakBytes / 2;
      const drawn = rng.logUniform(8, 150) * MIB;
      const bytesPerHour = plan.leakMiBPerHour === undefined ? drawn : plan.leakMiBPerHour * MIB;
      let hash = suffix(rng, 10);
      let startHours = 0;
      let leaking = 0;
      for (const pod of plan.pods) {
        if (pod.rollout) hash = suffix(rng, 10);
        const shape: Shape = { ...baseShape(rng, pod.hours), baseBytes: baseBytes * rng.uniform(0.97, 1.03) };
        if (plan.cycleFraction > 0) shape.cycle = { ...cycle, phaseHours: cycle.phaseHours - startHours };
        if (pod.warmup) [shape.warmupFraction, shape.warmupHours] = [pod.warmup.fraction, pod.warmup.hours];
        if (pod.leakOnsetHours !== null)
          shape.leak = {
            kind: 'linear',
            onsetHours: pod.leakOnsetHours,
            bytesPerHour: bytesPerHour * rng.uniform(0.9, 1.1),
          };
        const start = options.startSeconds + Math.round(startHours * 60) * 60;
        const { samples } = simulate(shape, rng, start);
        const truth: Truth = {
          family,
          leak: pod.leakOnsetHours !== null,
          onset: pod.leakOnsetHours === null ? null : start + Math.round(pod.leakOnsetHours * 3600),
          limitBytes: null,
          firstOomKill: null,
        };
        out.push({
          labels: {
            namespace: 'corpus-workloads',
            pod: `${name}-${hash}-${suffix(rng, 5)}`,
            container: 'operator',
            family,
          },
          samples,
          truth,
          workload: {
            name,
            leakOrdinal: pod.leakOnsetHours === null ? null : leaking++,
            cycleShown: pod.leakOnsetHours === null && plan.cycleFraction >= 0.3 && startHours >= 24,
            firstPod: startHours === 0,
          },
        });
        startHours += pod.hours + 1 / 60;
      }
    }
  }
  return out;
}
