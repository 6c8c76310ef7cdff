/**
 * The incident's whole life on the real node, with the chart's own Jobs: the operator (the leaker as
 * rook/ceph:v1.14.9) leaks; leakguard restarts it; the leak comes back, and one run applies the
 * catalogue's workaround — the env var and the rook-ceph-operator-config key, whole — and opens the
 * upgrade PR to v1.15.9 in the GitOps repo (the fake GitHub, every request checked against GitHub's
 * OpenAPI description, reached from the pod over the host network) while the workaround holds. The test
 * then rolls the new version out as Flux would after the merge (the Deployment's image, nothing else):
 * - `fixed`: the fix (docker.io/rook/ceph:v1.15.9, which never leaks): leakguard sees the rollout
 *   (UpgradeRolledOut), judges v1.15.9 on its own data over fix.verifyWindow (UpgradeVerified) and
 *   removes its workaround (WorkaroundReverted): the Deployment and the ConfigMap are exactly as before
 *   the workaround, apart from the image;
 * - `unexplained`: a v1.15.9 that still leaks, whatever the workaround (ghcr.io/rook/ceph:v1.15.9, so
 *   the tags do not clash on the node): UpgradeIneffective, and the workaround stays.
 * Slack (the fake, bot token: one thread per incident) gets each phase. Both cases run side by side.
 * Each run is a Job made from the suspended CronJob (`kubectl create job --from`), fired as soon as
 * the history it needs is scraped and again every few seconds until the step shows: waits poll for
 * conditions and never sleep a fixed time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Loose } from '../chart/inspect.js';
import { FakeGitHub } from '../forge/fake-github.js';
import { FakeSlack } from '../notify/fake-slack.js';
import { kubectl, kubectlJson, loadE2eEnv, waitFor, type E2eEnv } from './support/index.js';
import {
  eventReasons,
  finished,
  helmIn,
  historyOf,
  installChart,
  leakguardEvents,
  operator,
  operatorManifests,
  realNodeValues,
  runOf,
  runningOperator,
  stateOf,
  type Installed,
} from './support/real-node.js';

const env: E2eEnv = loadE2eEnv();
const suffix = Date.now().toString(36).slice(-5);
/** Enough scraped history of a new pod for a verdict (minHistory 90 s after a 30 s warm-up), less a margin the runs absorb. */
const historySeconds = 120;
const started = Date.now();

interface Case extends Installed {
  name: 'fixed' | 'unexplained';
  profile: string;
  gitopsFile: string;
  /** The v1.15.9 the test rolls out. */
  upgradeImage: string;
  pods: V1Pod[];
  runs: number;
  /** The operator's pod template and ConfigMap right before the workaround. */
  before?: { template: Loose; configMap: Loose };
  prNumber?: number;
}

const cases: Case[] = (['fixed', 'unexplained'] as const).map((name) => ({
  name,
  releaseNs: `lg-up-${name}-${suffix}`,
  targetNs: `lg-up-rook-${name}-${suffix}`,
  release: `lgu${name.slice(0, 3)}${suffix}`,
  fullname: `lgu${name.slice(0, 3)}${suffix}-leakguard`,
  profile: `rook-${name}`,
  gitopsFile: `clusters/${name}/rook-ceph/helmrelease.yaml`,
  upgradeImage: name === 'fixed' ? 'docker.io/rook/ceph:v1.15.9' : 'ghcr.io/rook/ceph:v1.15.9',
  pods: [],
  runs: 0,
}));

const helmRelease = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: rook-ceph
  namespace: rook-ceph
spec:
  interval: 1h
  chart:
    spec:
      chart: rook-ceph
      version: v1.14.9 # the operator
`;

const github = new FakeGitHub('acme', 'gitops');
/** The runs' warnings (printed at the end: what went wrong without failing a run). */
const warnings: string[] = [];
const slack = new FakeSlack();
const secrets = '/var/run/secrets/leakguard';

/** The README's Rook profile (the catalogue's workaround, no workaround of its own) with a GitOps repo. */
function values(c: Case): string {
  return realNodeValues(
    {
      // cooldown: below a restart plus the next pod's history (≈ 2.5 min), so the leak that comes back escalates.
      guardrails: { cooldown: '2m', maxActionsPerRun: 1, maxRestartsPerDay: 3, escalateWithin: '30m' },
      github: { tokenFile: `${secrets}/github-token`, apiUrl: github.url },
      notifications: {
        slack: { botTokenFile: `${secrets}/slack-token`, channel: 'C0LEAKGUARD', apiUrl: `${slack.url}/api` },
      },
      profiles: [
        {
          name: c.profile,
          namespace: c.targetNs,
          selector: `app=${operator}`,
          container: operator,
          knownIssues: ['rook-operator-leak-1.14'],
          ladder: ['restart', 'workaround'],
          upgrade: { repo: 'acme/gitops', file: c.gitopsFile },
          // The detection window (30 min here) would be the default: the history a verdict needs is enough.
          fix: { verifyWindow: '2m' },
        },
      ],
    },
    {
      rbac: { workloads: { [c.profile]: { deployments: [operator] } } },
      secrets: {
        existingSecret: 'leakguard-credentials',
        files: { 'github-token': 'github-token', 'slack-token': 'slack-token' },
      },
    },
  );
}

let work: string;

/** One run now: a Job from the CronJob; its summary, read from the pod's log, and the Job then removed. */
async function run(c: Case): Promise<Loose> {
  const name = `run-${++c.runs}`;
  await kubectl(['create', 'job', '--from', `cronjob/${c.fullname}`, name, '-n', c.releaseNs], { env });
  await finished(c, name);
  const { summary, log } = await runOf(c, name);
  expect(log).not.toMatch(/forbidden|\b403\b|EROFS|EACCES/i);
  expect(log).not.toContain(github.acceptedToken);
  expect(log).not.toContain(slack.botToken);
  expect(summary.failures, log).toEqual([]);
  warnings.push(...(summary.warnings as string[]).map((w) => `[${c.name} ${name}] ${w}`));
  // Logged warnings too (a ledger that could not be saved, a Slack call that failed): JSON lines at level 40+.
  for (const line of log.split('\n').filter((l) => /^\{.*"level":(4|5)\d/.test(l)))
    warnings.push(`[${c.name} ${name}] log: ${line.slice(0, 400)}`);
  await kubectl(['delete', 'job', name, '-n', c.releaseNs, '--wait=false'], { env });
  return summary;
}

/** Runs again and again until a run's summary and the Events satisfy `done`; returns that run's summary. */
async function runUntil(
  c: Case,
  what: string,
  done: (summary: Loose, reasons: string[]) => boolean,
  timeoutMs = 240_000,
): Promise<Loose> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const summary = await run(c);
    if (done(summary, await eventReasons(c))) return summary;
    if (Date.now() > deadline)
      throw new Error(
        `${c.targetNs}: no run ${what} in ${timeoutMs / 1000} s; last summary: ${JSON.stringify(summary)}`,
      );
    await new Promise((r) => setTimeout(r, 3_000));
  }
}

function prOf(c: Case): { body: string } {
  const pr = github.pulls.find((p) => p.head === `leakguard/${c.profile}-1.15.9`);
  if (!pr) throw new Error(`no PR from leakguard/${c.profile}-1.15.9`);
  return pr;
}

/** The PR's status line (where the incident is). */
function statusOf(body: string): string | undefined {
  return /### Status\n\n(.*)\n/.exec(body)?.[1];
}

async function deployment(c: Case): Promise<Loose> {
  return kubectlJson<Loose>(['get', 'deployment', operator, '-n', c.targetNs], { env });
}

async function configMap(c: Case): Promise<Loose> {
  return kubectlJson<Loose>(['get', 'configmap', 'rook-ceph-operator-config', '-n', c.targetNs], { env });
}

function envOf(d: Loose): Record<string, string> {
  return Object.fromEntries((d.spec.template.spec.containers[0].env as Loose[]).map((e) => [e.name, e.value]));
}

async function logOf(c: Case, pod: V1Pod): Promise<string> {
  return kubectl(['logs', pod.metadata!.name!, '-n', c.targetNs], { env });
}

async function withBoth<T>(step: (c: Case) => Promise<T>): Promise<T[]> {
  return Promise.all(cases.map(step));
}

/** The Slack thread as people read it: each message's fallback text, replies under the first. */
function slackThread(): string[] {
  return slack.requests
    .filter((r) => r.path.startsWith('/api/'))
    .map(
      (r) =>
        `${r.path.replace('/api/', '')}${r.body.thread_ts ? ` (in thread ${String(r.body.thread_ts)})` : ''}${r.body.ts ? ` (ts ${String(r.body.ts)})` : ''}: ${String(r.body.text)}`,
    );
}

/** The fix verified on its own data, then leakguard's workaround removed: as before it, apart from the image. */
async function verifiedAndReverted(c: Case): Promise<void> {
  await runUntil(c, 'removing the workaround', (_s, reasons) => reasons.includes('WorkaroundReverted'));
  const events = await leakguardEvents(c);
  const reasons = events.map((e) => e.reason as string);
  expect(reasons).toContain('UpgradeVerified');
  expect(reasons).not.toContain('UpgradeIneffective');
  expect(events.find((e) => e.reason === 'UpgradeVerified')?.note).toMatch(
    /^v1\.15\.9: floor flat at [\d.]+ MiB over [\d.]+ (min|h); was \+[\d.]+ MiB\/h on v1\.14\.9\. The upgrade fixed the leak\.$/,
  );
  expect(events.find((e) => e.reason === 'WorkaroundReverted')?.note).toContain('no longer needed on v1.15.9');

  const expected = structuredClone(c.before!.template);
  expected.spec.containers[0].image = c.upgradeImage;
  expect((await deployment(c)).spec.template).toEqual(expected);
  const cm = await configMap(c);
  expect(cm.data).toEqual(c.before!.configMap.data);
  expect(cm.metadata.annotations ?? {}).toEqual(c.before!.configMap.metadata.annotations ?? {});
  expect(cm.metadata.labels ?? {}).toEqual(c.before!.configMap.metadata.labels ?? {});
  const state = await stateOf(c);
  expect(state.upgrade?.verifiedAt).toEqual(expect.any(Number));
  expect(state.workaround ?? null).toBeNull();
  // One Slack thread per incident: its first message opens the thread, every later phase replies in it.
  const posts = slack.requests.filter(
    (r) => r.path === '/api/chat.postMessage' && String(r.body.text).includes(`${c.targetNs}/`),
  );
  expect(posts.length, slackThread().join('\n')).toBeGreaterThanOrEqual(3);
  expect(posts[0]!.body.thread_ts ?? null).toBeNull();
  const threads = new Set(posts.slice(1).map((p) => p.body.thread_ts ?? null));
  expect([...threads], slackThread().join('\n')).toEqual([expect.stringMatching(/^\d{10}\.\d{6}$/)]);
}

/** Still leaking on v1.15.9, whatever the workaround: said loudly, and the workaround kept. */
async function ineffective(c: Case): Promise<void> {
  await runUntil(c, 'judging v1.15.9 ineffective', (_s, reasons) => reasons.includes('UpgradeIneffective'));
  const events = await leakguardEvents(c);
  const warning = events.find((e) => e.reason === 'UpgradeIneffective');
  expect(warning?.type).toBe('Warning');
  expect(warning?.note).toContain('STILL LEAKING on v1.15.9');
  expect(warning?.note).toContain('The workaround stays in place.');
  // Never called fixed first: a rise not yet called (or held as suspected in its first minutes) is no flat floor.
  expect(events.map((e) => e.reason)).not.toContain('UpgradeVerified');
  expect(events.map((e) => e.reason)).not.toContain('WorkaroundReverted');
  expect(envOf(await deployment(c)).ROOK_WATCH_FOR_NODE_FAILURE).toBe('false');
  expect((await configMap(c)).data.ROOK_WATCH_FOR_NODE_FAILURE).toBe('false');
  expect((await stateOf(c)).workaround).toBeTruthy();
}

describe.skipIf(env.realNode === undefined)(
  'an incident on the real node, from the leak to the verified upgrade',
  () => {
    beforeAll(async () => {
      await github.start();
      github.seedBranch('main', Object.fromEntries(cases.map((c) => [c.gitopsFile, helmRelease])));
      await slack.start();
      work = mkdtempSync(join(tmpdir(), 'leakguard-real-node-upgrade-'));
      await withBoth(async (c) => {
        await kubectl(['apply', '-f', '-'], { env, input: operatorManifests(c.targetNs) });
        await kubectl(['create', 'namespace', c.releaseNs], { env });
        await kubectl(
          [
            'create',
            'secret',
            'generic',
            'leakguard-credentials',
            '-n',
            c.releaseNs,
            `--from-literal=github-token=${github.acceptedToken}`,
            `--from-literal=slack-token=${slack.botToken}`,
          ],
          { env },
        );
        writeFileSync(join(work, `${c.name}.yaml`), values(c));
        await installChart(work, c, join(work, `${c.name}.yaml`));
        c.pods.push(await runningOperator(c));
      });
    }, 300_000);

    afterAll(async () => {
      for (const c of cases) {
        const events = await leakguardEvents(c).catch(() => []);
        console.log(
          `[${c.name}] Events in ${c.targetNs}:\n${events.map((e) => `  ${e.type} ${e.reason}: ${e.note}`).join('\n')}`,
        );
      }
      for (const c of cases)
        console.log(
          `[${c.name}] PR status: ${statusOf(github.pulls.find((p) => p.head.endsWith(c.profile + '-1.15.9'))?.body ?? '') ?? 'none'}`,
        );
      console.log(
        `Slack (both incidents):\n${slackThread()
          .map((l) => `  ${l}`)
          .join('\n')}`,
      );
      console.log(`run warnings:\n${warnings.map((w) => `  ${w}`).join('\n') || '  none'}`);
      console.log(`wall time: ${Math.round((Date.now() - started) / 1000)} s`);
      await Promise.all(
        cases.map(async (c) => {
          await helmIn(work, ['uninstall', c.release, '--namespace', c.releaseNs]).catch(() => undefined);
          await kubectl(['delete', 'namespace', c.releaseNs, c.targetNs, '--wait=false', '--ignore-not-found'], {
            env,
          }).catch(() => undefined);
        }),
      );
      await github.stop();
      await slack.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('the leaking v1.14.9 is detected and restarted', async () => {
      await withBoth(async (c) => {
        await historyOf(c, c.pods[0]!, historySeconds);
        const summary = await runUntil(c, 'restarting the operator', (s) => s.actions.length > 0);
        expect(summary.targets.map((t: Loose) => t.verdict.kind)).toEqual(['leaking']);
        expect(summary.actions).toEqual([
          expect.objectContaining({ kind: 'restart', outcome: 'restarted', dryRun: false }),
        ]);
        expect(await eventReasons(c)).toEqual(expect.arrayContaining(['LeakSuspected', 'PodRestarted']));
        c.pods.push(await runningOperator(c, c.pods));
      });
    }, 600_000);

    it('the leak comes back: one run applies the whole workaround (env var and ConfigMap key) and opens the upgrade PR; the workaround holds', async () => {
      await withBoth(async (c) => {
        const d = await deployment(c);
        c.before = { template: d.spec.template, configMap: await configMap(c) };
        await historyOf(c, c.pods[1]!, historySeconds);
        const summary = await runUntil(c, 'applying the workaround', (s) => s.actions.length > 0);
        // The workaround and the upgrade in the same run: the fix is proposed while the workaround works.
        expect(summary.actions).toEqual([
          expect.objectContaining({ kind: 'workaround', outcome: 'workaround-applied', dryRun: false }),
          expect.objectContaining({ kind: 'upgrade-pr', outcome: 'pr', dryRun: false }),
        ]);
        const reasons = await eventReasons(c);
        expect(reasons).toEqual(expect.arrayContaining(['LeakConfirmed', 'WorkaroundApplied', 'UpgradePROpened']));
        expect(envOf(await deployment(c)).ROOK_WATCH_FOR_NODE_FAILURE).toBe('false');
        expect((await configMap(c)).data).toEqual({ ROOK_LOG_LEVEL: 'INFO', ROOK_WATCH_FOR_NODE_FAILURE: 'false' });

        // The PR: leakguard's branch bumps the file to v1.15.9; every request GitHub's OpenAPI allows.
        const branch = `leakguard/${c.profile}-1.15.9`;
        const pr = github.pulls.find((p) => p.head === branch);
        expect(pr, JSON.stringify(github.pulls.map((p) => p.head))).toBeDefined();
        c.prNumber = pr!.number;
        expect(pr!.title).toContain('1.15.9');
        expect(pr!.body).toContain('rook-operator-leak-1.14');
        expect(statusOf(pr!.body)).toMatch(
          /^\*\*Workaround in place\*\* \(set ROOK_WATCH_FOR_NODE_FAILURE=false .*ConfigMap rook-ceph-operator-config.*\): it is temporary, this upgrade is the fix\./,
        );
        expect(pr!.body).toContain('1. **1.14.9 → 1.15.9** (this PR: hop 1 of 1)');
        expect(github.fileAt(branch, c.gitopsFile)).toBe(helmRelease.replace('version: v1.14.9', 'version: v1.15.9'));
        expect(github.violations).toEqual([]);

        // The env var rolled the operator: the new pod reads it at start and does not leak.
        const flat = await runningOperator(c, c.pods);
        c.pods.push(flat);
        await waitFor(
          'the operator to say it does not leak',
          async () => ((await logOf(c, flat)).includes('not leaking') ? true : undefined),
          { intervalMs: 1_000 },
        );
      });
    }, 600_000);

    it('the merged upgrade rolls out (the image, as Flux would): leakguard sees v1.15.9 on the pods', async () => {
      await withBoth(async (c) => {
        await kubectl(['set', 'image', `deployment/${operator}`, `${operator}=${c.upgradeImage}`, '-n', c.targetNs], {
          env,
        });
        c.pods.push(await runningOperator(c, c.pods));
        await runUntil(c, 'seeing the rollout', (_s, reasons) => reasons.includes('UpgradeRolledOut'));
        const state = await stateOf(c);
        expect(state.upgrade).toMatchObject({
          fromVersion: '1.14.9',
          toVersion: '1.15.9',
          rolledOutAt: expect.any(Number),
        });
        // The open PR (not merged here) says so, and until when v1.15.9 is judged.
        expect(statusOf(prOf(c).body)).toMatch(
          /^\*\*v1\.15\.9 rolled out\*\* at .* UTC; verifying until at least .* UTC; the workaround \(.*\) stays until then/,
        );
      });
    }, 600_000);

    it('on the fix, v1.15.9 is verified over the verification window and the workaround removed, exactly; on a v1.15.9 that still leaks, UpgradeIneffective keeps it', async () => {
      await withBoth(async (c) => {
        const upgraded = c.pods.at(-1)!;
        expect(await logOf(c, upgraded)).toMatch(
          c.name === 'fixed' ? /^a fixed release: .* not leaking$/m : /^leaking \d+ bytes every/m,
        );
        await historyOf(c, upgraded, historySeconds);
        if (c.name === 'fixed') await verifiedAndReverted(c);
        else await ineffective(c);
        // One PR all along, re-written phase by phase.
        expect(github.pulls.filter((p) => p.head === `leakguard/${c.profile}-1.15.9`)).toHaveLength(1);
        expect(statusOf(prOf(c).body)).toMatch(
          c.name === 'fixed'
            ? /^\*\*Verified on v1\.15\.9\*\* at .*leakguard removed its workaround/
            : /^\*\*STILL LEAKING on v1\.15\.9\*\*.*The workaround .* stays in place\.$/,
        );
        expect(github.violations).toEqual([]);
      });
    }, 600_000);
  },
);
