/**
 * The demo's embedded data: 48 h of working-set history at a 60 s step, generated deterministically (no
 * file, no network). The Rook operator v1.14.9 leaks in the namespace-churn staircase shape from
 * rook/rook#15499; cert-manager's cainjector v1.12.1 leaks steadily, a little per Secret event
 * (cert-manager/cert-manager#6217); their neighbours show the look-alikes leakguard must leave alone.
 */
import type { Sample } from '../detect/types.js';
import { MIB } from '../model/units.js';

const HOUR = 3600;

export interface DemoSeries {
  labels: { namespace: string; pod: string; container: string };
  workload: string;
  image: string;
  limitBytes: number;
  samples: Sample[];
}

/** mulberry32: a tiny seeded PRNG, so the demo prints the same story every time. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function series(
  end: number,
  hours: number,
  level: (ageSeconds: number, rand: () => number) => number,
  seed: number,
): Sample[] {
  const rand = random(seed);
  const start = end - hours * HOUR;
  const samples: Sample[] = [];
  for (let t = start; t <= end; t += 60) samples.push({ t, v: Math.round(level(t - start, rand)) });
  return samples;
}

/** Go GC sawtooth: the heap climbs for ~4 minutes, then the collector frees it. */
function gcSawtooth(ageSeconds: number, amplitudeBytes: number): number {
  return ((ageSeconds % 240) / 240) * amplitudeBytes;
}

export function demoTrace(end: number): DemoSeries[] {
  const leakStart = 6 * HOUR;
  return [
    {
      labels: { namespace: 'rook-ceph', pod: 'rook-ceph-operator-6b9c7d5f4-x2k8q', container: 'rook-ceph-operator' },
      workload: 'rook-ceph-operator',
      image: 'rook/ceph:v1.14.9',
      limitBytes: 2 * 1024 * MIB,
      // Every ~20 minutes a namespace with a Ceph PVC is created and deleted; each leaves ~11 MiB behind.
      samples: series(
        end,
        48,
        (age, rand) => {
          const steps = age > leakStart ? Math.floor((age - leakStart) / 1200) : 0;
          return 400 * MIB + steps * 11 * MIB + gcSawtooth(age, 40 * MIB) + rand() * 6 * MIB;
        },
        1,
      ),
    },
    {
      labels: { namespace: 'cert-manager', pod: 'cert-manager-7f6d8c9b5-9hx2v', container: 'cert-manager-controller' },
      workload: 'cert-manager',
      image: 'quay.io/jetstack/cert-manager-controller:v1.16.2',
      limitBytes: 512 * MIB,
      samples: series(end, 48, (age, rand) => 140 * MIB + gcSawtooth(age, 18 * MIB) + rand() * 4 * MIB, 2),
    },
    {
      labels: { namespace: 'crossplane-system', pod: 'provider-aws-ec2-5d8f7b6c9-q4w7e', container: 'package-runtime' },
      workload: 'provider-aws-ec2',
      image: 'xpkg.upbound.io/upbound/provider-aws-ec2:v1.21.0',
      limitBytes: 1024 * MIB,
      // Daily load cycle: busier in the working day, back down at night.
      samples: series(
        end,
        48,
        (age, rand) =>
          420 * MIB +
          90 * MIB * Math.sin((2 * Math.PI * age) / (24 * HOUR)) +
          gcSawtooth(age, 30 * MIB) +
          rand() * 8 * MIB,
        3,
      ),
    },
    {
      labels: { namespace: 'monitoring', pod: 'prometheus-operator-84c5d9f7b-m3n6p', container: 'prometheus-operator' },
      workload: 'prometheus-operator',
      image: 'quay.io/prometheus-operator/prometheus-operator:v0.79.2',
      limitBytes: 400 * MIB,
      // Restarted 10 h ago: informer caches fill, then plateau.
      samples: series(
        end,
        48,
        (age, rand) => {
          const sinceRestart = age < 38 * HOUR ? age : age - 38 * HOUR;
          return (
            90 * MIB +
            110 * MIB * (1 - Math.exp(-sinceRestart / (1.5 * HOUR))) +
            gcSawtooth(age, 12 * MIB) +
            rand() * 3 * MIB
          );
        },
        4,
      ),
    },
    {
      labels: {
        namespace: 'cert-manager',
        pod: 'cert-manager-cainjector-5c7d8b9f6-p8r2t',
        container: 'cert-manager-cainjector',
      },
      workload: 'cert-manager-cainjector',
      image: 'quay.io/jetstack/cert-manager-cainjector:v1.12.1',
      limitBytes: 1024 * MIB,
      // Every Secret event appends fields to a shared logger: a steady climb under the GC sawtooth.
      samples: series(
        end,
        48,
        (age, rand) => 80 * MIB + (age / HOUR) * 6 * MIB + gcSawtooth(age, 10 * MIB) + rand() * 3 * MIB,
        5,
      ),
    },
  ];
}
