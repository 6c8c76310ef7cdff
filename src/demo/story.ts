/**
 * The demo's second half: the Rook incident's whole life, acting, fast-forwarded — the same `runOnce`
 * over the in-memory cluster, Prometheus, Slack and GitOps repository, run after run as time passes
 * and as someone rolls v1.15.9 out by hand while the PR is open (the PR's status is re-written; a
 * merged PR is left as it was). Every line it shows is what a run recorded.
 */
import { parseConfig } from '../config/load.js';
import { recordedPhase, type RecordedPhase } from '../model/state.js';
import { refreshWith, upgradeWith } from '../forge/upgrade-rung.js';
import { toUpgradeTargets } from '../config/policy.js';
import { MemoryForge, type MemoryPull } from './memory-forge.js';
import { demoHelmRelease } from './pipeline.js';
import { RookWorld, rookConfig } from './rook-world.js';

const GITOPS_FILE = 'clusters/prod/rook/helmrelease.yaml';
const CONFIG_MAP = 'rook-ceph/rook-ceph-operator-config';

/** The README's Rook profile, acting: the catalogue's workaround (env var and ConfigMap key) and a GitOps repo. */
const STORY_CONFIG = rookConfig(
  `    upgrade: {repo: example-org/gitops, file: ${GITOPS_FILE}}`,
  'github: {tokenFile: /var/run/secrets/leakguard/github-token}',
);

export interface StoryStep {
  /** What moved the world before this run (time passing, a rollout): the story's input, not its output. */
  before: string;
  /** Prometheus' time of the run (unix seconds). */
  at: number;
  phase: RecordedPhase | null;
  events: { type: string; reason: string; note: string }[];
  slack: string[];
  /** The upgrade PR's status section after the run; null when there is no PR yet. */
  prStatus: string | null;
}

export interface DemoStory {
  steps: StoryStep[];
  pr: MemoryPull | null;
  /** The operator's env and ConfigMap before the workaround and at the end (the image aside, the same). */
  operator: { image: string; env: Record<string, string>; configMap: Record<string, string> }[];
}

/** The status line of a PR body (the section a phase change re-writes). */
export function prStatusLine(body: string): string | null {
  return /### Status\n\n(.*)\n/.exec(body)?.[1] ?? null;
}

export async function runDemoStory(): Promise<DemoStory> {
  const config = parseConfig(STORY_CONFIG, 'demo');
  const world = new RookWorld(STORY_CONFIG);
  const forge = new MemoryForge({ [GITOPS_FILE]: demoHelmRelease });
  world.upgrade = upgradeWith(forge, toUpgradeTargets(config));
  world.refreshUpgradePr = refreshWith(forge, toUpgradeTargets(config));
  world.cluster.configMaps.set(CONFIG_MAP, { ROOK_LOG_LEVEL: 'INFO' });
  const operator = () => ({
    image: world.target.image,
    env: { ...world.target.env },
    configMap: { ...world.cluster.configMaps.get(CONFIG_MAP) },
  });
  const snapshots = [operator()];
  const steps: StoryStep[] = [];
  const step = async (before: string, hours: number) => {
    world.after(hours);
    const events = world.cluster.events.length;
    const slack = world.notifier.messages.length;
    await world.run();
    const state = world.state();
    steps.push({
      before,
      at: world.now,
      phase: state ? recordedPhase(state) : null,
      events: world.cluster.events.slice(events).map((e) => ({ type: e.type, reason: e.reason, note: e.note })),
      slack: world.notifier.messages.slice(slack).map((m) => m.text),
      prStatus: forge.pulls[0] ? prStatusLine(forge.pulls[0].body) : null,
    });
  };
  await step('v1.14.9 has leaked for 24 h', 0);
  await step('8 h later: the restarted operator leaks again', 8);
  await step('a day later: the workaround holds; the PR waits for its merge', 24);
  world.roll('rook/ceph:v1.15.9');
  await step('someone upgrades to v1.15.9 by hand, the PR still open; an hour later', 1);
  await step('25 h later: a day of v1.15.9 judged', 25);
  snapshots.push(operator());
  return { steps, pr: forge.pulls[0] ?? null, operator: snapshots };
}
