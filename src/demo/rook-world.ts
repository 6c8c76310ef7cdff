/**
 * A Rook operator's life over several runs, over the in-memory adapters: its pods (replaced when the
 * template changes: a restart, a workaround, an upgrade), each pod's working set (leaking on v1.14.9,
 * flat on a fixed version unless told otherwise), and the run's dependencies. The demo's incident,
 * fast-forwarded from detection to the verified fix, and the run-level tests of it.
 */
import { pino } from 'pino';
import { parseConfig } from '../config/load.js';
import { buildCatalog } from '../catalog/index.js';
import { MemoryCluster } from './memory-cluster.js';
import { RecordingNotifier, TraceMetrics, type TracedPod } from './world.js';
import { versionFromImage } from '../catalog/image.js';
import type { TargetFacts } from '../model/workload.js';
import type { Sample } from '../detect/types.js';
import { runOnce, type RunDeps, type RunSummary } from '../run/index.js';
import type { UpgradeExecutor, UpgradePreviewer, UpgradePrRefresher } from '../forge/upgrade-rung.js';

export const MiB = 2 ** 20;
export const HOUR = 3600;
export const start = Date.UTC(2026, 10, 25, 0, 0) / 1000;
export const ROOK = 'Deployment/rook-ceph/rook-ceph-operator';

/** Samples a minute from `from` for 400 h: 400 MiB plus `mibPerHour` of growth, with a GC sawtooth. */
function working(from: number, mibPerHour: number): Sample[] {
  return Array.from({ length: 400 * 60 }, (_, i) => from + i * 60).map((t) => ({
    t,
    v: 400 * MiB + ((t - from) / HOUR) * mibPerHour * MiB + ((t % 240) / 240) * 20 * MiB,
  }));
}

export function rookConfig(profile = '', extra = ''): string {
  return `
dryRun: false
controller: none
prometheus: {url: http://prometheus.test:9090}
guardrails: {cooldown: 6h, maxActionsPerRun: 2, maxRestartsPerDay: 3, escalateWithin: 48h}
profiles:
  - name: rook
    namespace: rook-ceph
    selector: app=rook-ceph-operator
    container: rook-ceph-operator
    knownIssues: [rook-operator-leak-1.14]
    ladder: [restart, workaround]
${profile}
${extra}`;
}

export class RookWorld<C extends MemoryCluster = MemoryCluster> {
  readonly target: TargetFacts;
  readonly cluster: C;
  readonly pods: TracedPod[] = [];
  readonly metrics: TraceMetrics;
  readonly notifier = new RecordingNotifier();
  private generation = 0;
  upgrade: UpgradeExecutor | undefined;
  previewUpgrade: UpgradePreviewer | undefined;
  refreshUpgradePr: UpgradePrRefresher | undefined;

  constructor(
    public config: string,
    /** MiB/h the operator grows on a version with an env: v1.14.9 leaks unless the workaround is set. */
    public growth: (version: string, env: Record<string, string>) => number = (version, env) =>
      version === '1.14.9' && env['ROOK_WATCH_FOR_NODE_FAILURE'] !== 'false' ? 40 : 0,
    /** The in-memory cluster (the run tests' adds the faults they inject). */
    makeCluster: (targets: TargetFacts[]) => C = (targets) => new MemoryCluster(targets) as C,
  ) {
    this.target = {
      profile: 'rook',
      workload: { kind: 'Deployment', namespace: 'rook-ceph', name: 'rook-ceph-operator', uid: 'uid-rook' },
      pod: {
        name: 'rook-ceph-operator-0',
        uid: 'uid-rook-0',
        startTime: start,
        ready: true,
        terminating: false,
        controlled: true,
      },
      container: 'rook-ceph-operator',
      image: 'rook/ceph:v1.14.9',
      version: '1.14.9',
      limitBytes: 2048 * MiB,
      restartCount: 0,
      gitopsOwner: null,
      rollingOut: false,
      unreadyReplicas: 0,
      env: { ROOK_LOG_LEVEL: 'INFO' },
    };
    this.cluster = makeCluster([this.target]);
    this.metrics = new TraceMetrics(this.pods, start + 30 * HOUR);
    this.addPod(start);
  }

  get now(): number {
    return this.metrics.now;
  }

  /** A new pod replaces the current one now (what a rollout does), running `image`. */
  roll(image = this.target.image): void {
    this.generation += 1;
    Object.assign(this.target, { image, version: versionFromImage(image) });
    this.target.pod = {
      ...this.target.pod,
      name: `rook-ceph-operator-${this.generation}`,
      uid: `uid-rook-${this.generation}`,
      startTime: this.now,
    };
    this.addPod(this.now);
  }

  private addPod(from: number): void {
    const pod = this.target.pod.name;
    // The old pod's samples end where the new one's begin.
    const last = this.pods.at(-1);
    if (last) this.pods[this.pods.length - 1] = { ...last, samples: last.samples.filter((s) => s.t < from) };
    this.pods.push({
      labels: { namespace: 'rook-ceph', pod, container: 'rook-ceph-operator' },
      samples: working(from, this.growth(this.target.version ?? '', this.target.env)),
    });
  }

  /** One run at `now`, then the pods follow what it changed (a restart or a template change rolls them). */
  async run(options: { dryRun?: boolean } = {}): Promise<RunSummary> {
    const before = this.cluster.mutations.length;
    const config = parseConfig(this.config);
    const deps: RunDeps = {
      config,
      cluster: this.cluster,
      metrics: this.metrics,
      catalog: buildCatalog(config.knownIssues, config.catalog),
      logger: pino({ level: 'silent' }),
      identity: { identity: 'run', namespace: 'leakguard' },
      notifier: this.notifier,
      ...(this.upgrade ? { upgrade: this.upgrade } : {}),
      ...(this.previewUpgrade ? { previewUpgrade: this.previewUpgrade } : {}),
      ...(this.refreshUpgradePr ? { refreshUpgradePr: this.refreshUpgradePr } : {}),
    };
    const summary = await runOnce(deps, options);
    const rolled = this.cluster.mutations
      .slice(before)
      .some((m) => ['restart', 'env', 'revert-env', 'image', 'revert-image'].includes(m.verb));
    if (rolled) this.roll();
    return summary;
  }

  /** Advance Prometheus' clock. */
  after(hours: number): this {
    this.metrics.now += hours * HOUR;
    return this;
  }

  reasons(): string[] {
    return this.cluster.events.map((e) => e.reason);
  }

  notes(reason: string): string[] {
    return this.cluster.events.filter((e) => e.reason === reason).map((e) => e.note);
  }

  state() {
    return this.cluster.states.get(ROOK)?.state;
  }
}
