import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CatalogError } from '../../src/catalog/catalog.js';
import { ExitCode, UsageError } from '../../src/cli/errors.js';
import { GitHubConfigError } from '../../src/forge/github-client.js';
import { SecretFileError } from '../../src/secret/secret-file.js';
import { ConfigError } from '../../src/model/config-error.js';
import { SlackConfigError } from '../../src/notify/slack.js';
import { exitCodeFor, main } from '../../src/cli/main.js';
import { demoTrace } from '../../src/demo/trace.js';

const end = 1_764_158_400;
let dir: string;
let demoFile: string;

function queryRange(result: unknown[]): string {
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
}

/** Runs the CLI in-process; returns exit code and everything printed (thrown usage errors map like bin.ts). */
async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  try {
    const code = await main(argv, { print: (text) => (out += `${text}\n`), isTty: false });
    return { code, out };
  } catch (error) {
    return { code: exitCodeFor(error), out: (error as Error).message };
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'leakguard-cli-'));
  demoFile = join(dir, 'demo.json');
  // Extra labels (__name__, instance) must come back exactly as in the input.
  const result = demoTrace(end).map((s) => ({
    metric: { __name__: 'container_memory_working_set_bytes', instance: '10.0.0.7:10250', ...s.labels },
    values: s.samples.map((x) => [x.t, String(x.v)]),
  }));
  writeFileSync(demoFile, queryRange(result));
});

describe('leakguard catalog', () => {
  const configWith = (name: string, yaml: string) => {
    const file = join(dir, name);
    writeFileSync(
      file,
      `prometheus: {url: 'http://127.0.0.1:9'}\nprofiles: [{name: acme, namespace: acme, selector: app=acme}]\n${yaml}\n`,
    );
    return file;
  };
  const acme = `{id: acme-leak, title: acme leaks, images: [ghcr.io/acme/operator], affected: [">=2.3.0 <2.3.4"], fixed: [2.3.4], upgrade: {rule: direct}, sources: [{kind: issue, url: "https://example.com/1"}], checked: 2026-11-01}`;

  it("lists the built-in entries, and the config's own next to them minus the disabled ones", async () => {
    const builtin = await cli('catalog', '--output', 'text');
    expect(builtin.code).toBe(ExitCode.ok);
    expect(builtin.out).toContain('cluster-autoscaler-deletion-tracker-leak');
    const config = configWith('catalog.yaml', `knownIssues: [${acme}]\ncatalog: {disable: [rook-operator-leak-1.14]}`);
    const { code, out } = await cli('catalog', '--config', config, '--output', 'json');
    expect(code).toBe(ExitCode.ok);
    const ids = (JSON.parse(out) as { entries: { id: string }[] }).entries.map((e) => e.id);
    expect(ids).toContain('acme-leak');
    expect(ids).not.toContain('rook-operator-leak-1.14');
  });

  it('check IMAGE says which entries match, what leakguard would do, and why others do not apply', async () => {
    const { code, out } = await cli(
      'catalog',
      'check',
      'registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.3',
      '--output',
      'text',
    );
    expect(code).toBe(ExitCode.ok);
    expect(out).toContain(
      'cluster-autoscaler-deletion-tracker-leak (certain): registry.k8s.io/autoscaling/cluster-autoscaler v1.29.3 is affected',
    );
    expect(out).toContain('  - upgrade PR: the fix needs Kubernetes ≥ 1.30');
    const argo = await cli(
      'catalog',
      'check',
      'quay.io/argoproj/argocd:v2.13.1',
      '--container',
      'argocd-repo-server',
      '--output',
      'text',
    );
    expect(argo.out).toContain(
      'argocd-repo-server-cmp-leak-2.13 (possible): quay.io/argoproj/argocd v2.13.1: known issue possible: Config Management Plugin sidecars on the repo-server could not be checked',
    );
    expect(argo.out).toContain(
      'argocd-otel-interceptor-leak-2.8: does not apply: container argocd-repo-server is not argocd-application-controller or argocd-server',
    );
    expect((await cli('catalog', 'check', 'nginx:1.27.0', '--output', 'text')).out).toBe(
      'nginx:1.27.0: no catalogue entry names this repository\n',
    );
  });

  it.each([
    [
      'a malformed entry',
      `knownIssues: [{id: acme-leak, title: t, images: [acme/op], affected: ["~2.3"], sources: [{kind: issue, url: "https://example.com/1"}], checked: 2026-11-01}]`,
      /knownIssues\[0\]\.affected\[0\]: expected a version range/,
    ],
    [
      'an unknown built-in to disable',
      'catalog: {disable: [rook-leak-typo]}',
      /catalog\.disable\[0\]: no built-in entry "rook-leak-typo"/,
    ],
    [
      'a hotfix image with a tag that is not one',
      `knownIssues: [${acme.replace('upgrade:', 'workaround: {image: {forVersion: 2.3.3, tag: "2.3.3 hotfix"}}, upgrade:')}]`,
      /knownIssues\[0\]\.workaround\.image\.tag: expected an image tag/,
    ],
  ])('%s is a configuration error (exit 2) naming the field', async (_name, yaml, message) => {
    const { code, out } = await cli('catalog', '--config', configWith('catalog-bad.yaml', yaml));
    expect(code).toBe(ExitCode.usage);
    expect(out).toMatch(message);
  });

  it('check without an image is a usage error', async () => {
    expect((await cli('catalog', 'check')).code).toBe(ExitCode.usage);
  });
});

describe('leakguard analyze', () => {
  it('flags the leaking Rook operator and clears its healthy neighbours', async () => {
    const { code, out } = await cli('analyze', '--input', demoFile, '--limit-bytes', '2Gi', '--output', 'json');
    expect(code).toBe(ExitCode.ok);
    const results = JSON.parse(out) as {
      labels: Record<string, string>;
      verdict: { kind: string; hoursToLimit: number | null };
    }[];
    const byContainer = Object.fromEntries(results.map((r) => [r.labels.container, r.verdict]));
    expect(byContainer['rook-ceph-operator']!.kind).toBe('leaking');
    expect(byContainer['rook-ceph-operator']!.hoursToLimit).toBeGreaterThan(0);
    expect(byContainer['cert-manager-cainjector']!.kind).toBe('leaking');
    expect(byContainer['cert-manager-controller']!.kind).toBe('not-leaking');
    expect(byContainer['prometheus-operator']!.kind).toBe('not-leaking');
  });

  it('prints a human table with slope in MiB/h and a sparkline', async () => {
    const { out } = await cli('analyze', '--input', demoFile, '--output', 'text');
    expect(out).toMatch(/rook-ceph\/rook-ceph-operator-\S+\s+LEAKING\s+[▁▂▃▄▅▆▇█]+\s+\d+\.\d MiB\/h/);
  });
});

describe('leakguard backtest --output json (the SPEC §3 contract)', () => {
  it('returns one object per input series, in input order, labels exactly as given, detectedAt in unix seconds or null', async () => {
    const { code, out } = await cli('backtest', '--input', demoFile, '--every', '15m', '--output', 'json');
    expect(code).toBe(ExitCode.ok);
    const results = JSON.parse(out) as { labels: Record<string, string>; detectedAt: number | null }[];
    const input = demoTrace(end);
    expect(results.map((r) => r.labels.pod)).toEqual(input.map((s) => s.labels.pod));
    expect(results[0]!.labels).toEqual({
      __name__: 'container_memory_working_set_bytes',
      instance: '10.0.0.7:10250',
      ...input[0]!.labels,
    });
    const leakOnset = end - 42 * 3600; // the demo trace's leak starts 6 h into 48 h
    const rook = results[0]!.detectedAt;
    expect(rook).not.toBeNull();
    expect(rook! % 900).toBe(0);
    expect(rook!).toBeGreaterThan(leakOnset);
    // The leak rises in a straight staircase after 6 flat hours; under a day of history a rise must beat what the
    // rising half of a daily cycle could do in that time, so it is called 12.5 h after its onset (10.5 h before).
    expect(rook! - leakOnset).toBeLessThan(13 * 3600);
    expect(results[1]!.detectedAt).toBeNull(); // cert-manager: flat with GC sawtooth
    expect(results[2]!.detectedAt).toBeNull(); // provider-aws-ec2: daily load cycle
    expect(results[3]!.detectedAt).toBeNull(); // prometheus-operator: warm-up after restart
    expect(results[4]!.detectedAt).not.toBeNull(); // cert-manager-cainjector: leaking from the start
  });
});

describe('memory limits read from the history file', () => {
  const MIB = 1024 * 1024;
  const hours = 6;
  const start = end - hours * 3600;
  /**
   * 500 MiB growing 10 MiB/h under a GC sawtooth for 6 h (too short for its straightness alone to rule
   * out a daily cycle's rise): a leak only once a limit close above it is known.
   */
  const climbing = Array.from({ length: hours * 60 + 1 }, (_, i) => [
    start + i * 60,
    String(Math.round((500 + (10 * i) / 60 + (i % 7) * 6) * MIB)),
  ]);
  const flat = (bytes: number) => [
    [start, String(bytes)],
    [end, String(bytes)],
  ];
  const ws = (pod: string) => ({
    __name__: 'container_memory_working_set_bytes',
    namespace: 'ops',
    pod,
    container: 'manager',
  });
  let file: string;

  beforeAll(() => {
    file = join(dir, 'with-limits.json');
    writeFileSync(
      file,
      queryRange([
        // kube-state-metrics v2 limit for pod a, before its working set; cAdvisor's for pod b, after.
        {
          metric: {
            __name__: 'kube_pod_container_resource_limits',
            namespace: 'ops',
            pod: 'a',
            container: 'manager',
            resource: 'memory',
            unit: 'byte',
          },
          values: flat(580 * MIB),
        },
        {
          metric: {
            __name__: 'kube_pod_container_resource_limits',
            namespace: 'ops',
            pod: 'a',
            container: 'manager',
            resource: 'cpu',
            unit: 'core',
          },
          values: flat(2),
        },
        { metric: ws('a'), values: climbing },
        { metric: ws('b'), values: climbing },
        { metric: ws('c'), values: climbing },
        {
          metric: { __name__: 'container_spec_memory_limit_bytes', namespace: 'ops', pod: 'b', container: 'manager' },
          values: flat(580 * MIB),
        },
        // cAdvisor says 0 for "no limit": pod c falls back to --limit-bytes.
        {
          metric: { __name__: 'container_spec_memory_limit_bytes', namespace: 'ops', pod: 'c', container: 'manager' },
          values: flat(0),
        },
      ]),
    );
  });

  it('analyze judges each working set against the limit of its own container and lists only the working sets, in input order', async () => {
    const { code, out } = await cli('analyze', '--input', file, '--output', 'json');
    expect(code).toBe(ExitCode.ok);
    const results = JSON.parse(out) as {
      labels: Record<string, string>;
      verdict: { kind: string; hoursToLimit: number | null };
    }[];
    expect(results.map((r) => r.labels)).toEqual([ws('a'), ws('b'), ws('c')]);
    const [a, b, c] = results.map((r) => r.verdict);
    expect(a!.kind).toBe('leaking');
    expect(b!.kind).toBe('leaking');
    // (580 − ~560 MiB) / 10 MiB/h
    expect(a!.hoursToLimit).toBeGreaterThan(1);
    expect(a!.hoursToLimit).toBeLessThan(3);
    expect(c!.kind).toBe('not-leaking');
    expect(c!.hoursToLimit).toBeNull();
  });

  it('--limit-bytes is the limit of series without one in the file', async () => {
    const { out } = await cli('analyze', '--input', file, '--limit-bytes', '1Gi', '--output', 'json');
    const [a, , c] = (JSON.parse(out) as { verdict: { hoursToLimit: number | null } }[]).map((r) => r.verdict);
    expect(a!.hoursToLimit).toBeLessThan(3);
    // (1024 − ~560 MiB) / 10 MiB/h
    expect(c!.hoursToLimit).toBeGreaterThan(30);
  });

  it('backtest detects the growth only where the file gives a limit', async () => {
    const { code, out } = await cli('backtest', '--input', file, '--output', 'json');
    expect(code).toBe(ExitCode.ok);
    const results = JSON.parse(out) as { labels: Record<string, string>; detectedAt: number | null }[];
    expect(results.map((r) => r.labels.pod)).toEqual(['a', 'b', 'c']);
    expect(results[0]!.detectedAt).not.toBeNull();
    expect(results[1]!.detectedAt).toBe(results[0]!.detectedAt);
    expect(results[2]!.detectedAt).toBeNull();
  });
});

describe('workload history in analyze and backtest', () => {
  const HOUR = 3600;
  const MIB = 1024 * 1024;
  const start = end - 60 * HOUR;
  /** Four pods of one Deployment in sequence, each leaking 30 MiB/h from its start; names that follow no convention. */
  const lives = [
    [0, 20],
    [20, 16],
    [36, 14],
    [50, 10],
  ] as const;
  const pods = lives.map(([from, hours], k) => ({
    metric: { __name__: 'container_memory_working_set_bytes', namespace: 'ops', pod: `op-${k}x`, container: 'manager' },
    values: Array.from({ length: hours * 60 }, (_, i) => [
      start + from * HOUR + i * 60,
      String(Math.round((300 - 60 * Math.exp(-i / 9) + (30 * i) / 60 + (i % 5) * 4) * MIB)),
    ]),
  }));
  const owners = lives.map((_, k) => ({
    metric: {
      __name__: 'kube_pod_owner',
      namespace: 'ops',
      pod: `op-${k}x`,
      owner_kind: 'ReplicaSet',
      owner_name: 'op-6b7c9d5f4',
      owner_is_controller: 'true',
    },
    values: [[end, '1']],
  }));

  it('kube_pod_owner in the file groups the pods: the last one is caught about two hours after it started, and only working sets are listed', async () => {
    const withOwners = join(dir, 'workload.json');
    const alone = join(dir, 'workload-no-owners.json');
    writeFileSync(withOwners, queryRange([...owners.slice(0, 2), ...pods, ...owners.slice(2)]));
    writeFileSync(alone, queryRange(pods));
    const detected = async (file: string) => {
      const { code, out } = await cli('backtest', '--input', file, '--output', 'json');
      expect(code).toBe(ExitCode.ok);
      const results = JSON.parse(out) as { labels: Record<string, string>; detectedAt: number | null }[];
      expect(results.map((r) => r.labels)).toEqual(pods.map((p) => p.metric));
      const at = results[3]!.detectedAt;
      return at === null ? Infinity : (at - (start + 50 * HOUR)) / HOUR;
    };
    expect(await detected(withOwners)).toBeLessThanOrEqual(2.5);
    expect(await detected(alone)).toBeGreaterThan(3);
    const { out } = await cli('analyze', '--input', withOwners, '--output', 'json');
    const last = (JSON.parse(out) as { verdict: { kind: string; reasons: string[] } }[])[3]!.verdict;
    expect(last.kind).toBe('leaking');
    // By its 10th hour its own rise is straighter than any daily cycle's: its own evidence names it.
    expect(last.reasons[1]).toMatch(/straighter line, for longer, than the rising half of a daily cycle/);
  });
});

describe('bad input exits 2 and names the problem', () => {
  it.each([
    [['analyze'], /--input is required/],
    [['analyze', '--input', '/nonexistent.json'], /cannot read --input \/nonexistent.json: ENOENT/],
    [['backtest', '--input', 'x', '--every', '5x'], /--every: expected a duration like 15m, got "5x"/],
    [['analyze', '--input', 'x', '--output', 'yaml'], /--output: expected text or json/],
    [['analyze', '--input', 'x', '--limit-bytes', 'lots'], /--limit-bytes: expected bytes or a size/],
    [['analyze', '--input', 'x', '--limit-bytes', 'Infinity'], /--limit-bytes: expected bytes or a size/],
    [['backtest', '--input', 'x', '--every', '30s'], /--every: expected at least 1m/],
    [['analyze', '--input', 'x', '--log-level', 'loud'], /--log-level: expected one of/],
    [['nonsense'], /unknown command "nonsense"/],
    [['analyze', '--bogus'], /Unknown option '--bogus'/],
  ])('%j', async (argv, message) => {
    const { code, out } = await cli(...argv);
    expect(code).toBe(ExitCode.usage);
    expect(out).toMatch(message);
  });

  it('every configuration problem is one policy: exit 2, whichever part of the configuration it is in', () => {
    const problems = [
      new UsageError('--every: expected a duration'),
      new ConfigError('config.yaml: invalid configuration'),
      new CatalogError(['knownIssues[0].id: required']),
      new SecretFileError('cannot read chart repository token file /t (ENOENT)'),
      new GitHubConfigError('github: expected exactly one of tokenFile or app'),
      new SlackConfigError('slack: botTokenFile needs a channel'),
    ];
    expect(problems.map(exitCodeFor)).toEqual(problems.map(() => ExitCode.usage));
    expect(exitCodeFor(new Error('Prometheus unreachable'))).toBe(ExitCode.stepFailed);
  });

  it('a backtest over its tick budget is refused before it starts, saying what to change', async () => {
    const week = 7 * 86_400;
    const wide = Array.from({ length: 120 }, (_, i) => ({
      metric: { namespace: 'n', pod: `p${i}`, container: 'c' },
      values: [
        [end - week, '1'],
        [end, '2'],
      ],
    }));
    const file = join(dir, 'wide.json');
    writeFileSync(file, queryRange(wide));
    const { code, out } = await cli('backtest', '--input', file, '--every', '1m');
    expect(code).toBe(ExitCode.usage);
    expect(out).toMatch(
      /--every 60s over 120 series is 1,209,720 judgements, more than the budget of 1,000,000: raise --every or split the file/,
    );
  });

  it.each([
    ['not JSON', '{"status": "succ', /is not JSON/],
    [
      'wrong shape',
      JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }),
      /not a Prometheus query_range response: data\.resultType/,
    ],
    [
      'bad sample',
      queryRange([
        {
          metric: { pod: 'a' },
          values: [
            [1, '12'],
            [2, 'abc'],
          ],
        },
      ]),
      /data\.result\[0\]\.values\[1\]\[1\]: expected a numeric string, got "abc"/,
    ],
  ])('malformed file: %s', async (_name, content, message) => {
    const file = join(dir, `bad-${Math.random()}.json`);
    writeFileSync(file, content);
    for (const command of ['analyze', 'backtest']) {
      const { code, out } = await cli(command, '--input', file);
      expect(code).toBe(ExitCode.usage);
      expect(out).toMatch(message);
    }
  });

  it('a config file with a bad detection setting is rejected with the field named', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'detection:\n  window: 5x\n');
    const { code, out } = await cli('backtest', '--input', demoFile, '--config', config);
    expect(code).toBe(ExitCode.usage);
    expect(out).toMatch(/detection\.window: expected a duration/);
  });

  it.each([
    ['an unknown key (a typo)', 'guardrails: {maxRestartPerDay: 3}', /guardrails: unknown key\(s\) "maxRestartPerDay"/],
    ['a bad duration', 'guardrails: {cooldown: 5x}', /guardrails\.cooldown: expected a duration/],
    [
      'a missing field',
      'profiles: [{name: rook, selector: app=rook-ceph-operator}]',
      /profiles\[0\]\.namespace: required \(string\), but missing/,
    ],
  ])(
    '`run` with %s in its config exits 2 naming the field, before talking to Prometheus or Kubernetes (row 25)',
    async (_name, line, message) => {
      const requests: string[] = [];
      const server = createServer(
        (request, response) => (requests.push(`${request.method} ${request.url}`), response.writeHead(500).end()),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const kubeconfig = join(dir, 'kubeconfig.yaml');
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: '${url}'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u, namespace: leakguard}}]\ncurrent-context: c\n`,
      );
      const config = join(dir, 'run-bad.yaml');
      writeFileSync(
        config,
        `dryRun: false\nprometheus: {url: '${url}'}\n${line.startsWith('profiles') ? '' : 'profiles: [{name: rook, namespace: rook-ceph, selector: app=rook-ceph-operator}]\n'}${line}\n`,
      );
      const saved = process.env.KUBECONFIG;
      process.env.KUBECONFIG = kubeconfig;
      try {
        const { code, out } = await cli('run', '--config', config);
        expect(code).toBe(ExitCode.usage);
        expect(out).toMatch(message);
        expect(requests).toEqual([]);
      } finally {
        if (saved === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = saved;
        server.close();
      }
    },
  );

  it('a config file tunes the detector (a huge minGrowth leaves the slow leak undetected)', async () => {
    const config = join(dir, 'lenient.yaml');
    writeFileSync(config, 'detection:\n  minGrowth: 1GiB/h\n  oomHorizon: 1h\n');
    const { out } = await cli('backtest', '--input', demoFile, '--config', config, '--output', 'json');
    expect((JSON.parse(out) as { detectedAt: number | null }[])[0]!.detectedAt).toBeNull();
  });
});

describe('leakguard demo', () => {
  it("is the product: one real run, its text within 120 columns up to the PR body, Slack's fallback one line, each fact said once", async () => {
    const { code, out } = await cli('demo', '--output', 'text');
    expect(code).toBe(ExitCode.ok);
    const beforePr = out.slice(0, out.indexOf('== 5.'));
    expect(beforePr.split('\n').filter((line) => [...line].length > 120)).toEqual([]);
    const json = JSON.parse((await cli('demo', '--output', 'json')).out) as {
      slack: { text: string }[];
      events: { reason: string; note: string; object: string }[];
    };
    expect(json.slack.map((m) => m.text.includes('\n'))).toEqual([false, false]);
    // Each workload's slope, once in each message about it.
    const slopes = { 'rook-ceph-operator': '33.1 MiB/h', 'cert-manager-cainjector': '6.0 MiB/h' };
    for (const [workload, slope] of Object.entries(slopes)) {
      const texts = [...json.slack.map((m) => m.text), ...json.events.map((e) => `${e.object} ${e.note}`)].filter(
        (t) => t.includes(`/${workload} `) || t.includes(`deployment/${workload} `),
      );
      expect(texts.length, workload).toBeGreaterThanOrEqual(3);
      for (const text of texts) expect(text.split(slope).length - 1, text).toBe(1);
    }
  });

  it("judges a second operator: cert-manager's cainjector v1.12.1 is the catalogued leak, and its upgrade PR goes to 1.12.3", async () => {
    const { out } = await cli('demo', '--output', 'text');
    expect(out).toMatch(/cert-manager\/cert-manager-cainjector\s+LEAKING/);
    expect(out).toMatch(/cert-manager\/cert-manager\s+ok/);
    expect(out).toContain('WOULD upgrade-pr 1.12.1 → 1.12.3 cert-manager/cert-manager-cainjector');
    const demo = JSON.parse((await cli('demo', '--output', 'json')).out) as {
      events: { reason: string; note: string; object: string }[];
      slack: { text: string }[];
    };
    const cainjector = demo.events.filter((e) => e.object === 'deployment/cert-manager-cainjector -n cert-manager');
    expect(cainjector.find((e) => e.reason === 'LeakSuspected')?.note).toContain(
      'is affected by cert-manager-cainjector-logger-leak-1.12 (>=1.12.0 <1.12.3); fixed in 1.12.3',
    );
    expect(cainjector.find((e) => e.reason === 'RemediationPlanned')?.note).toContain(
      'would open an upgrade PR 1.12.1 → 1.12.3',
    );
    expect(demo.slack[1]?.text).toContain(
      'known issue: cert-manager cainjector: fields appended to a shared logger on every Secret event',
    );
  });

  it('runs the whole pipeline offline: leak, planned restart, Events, and the upgrade PR to 1.15.9', async () => {
    const { code, out } = await cli('demo', '--output', 'json');
    expect(code).toBe(ExitCode.ok);
    const demo = JSON.parse(out) as {
      targets: { labels: { namespace: string }; verdict: { kind: string } }[];
      plan: { type: string; kind?: string; dryRun?: boolean }[];
      events: { reason: string; note: string }[];
      pullRequest: { branch: string; diff: string[]; body: string };
      slack: { text: string; blocks: { type: string }[] }[];
    };
    expect(demo.slack).toHaveLength(2);
    expect(demo.slack[0]!.text).toMatch(/rook-ceph-operator/);
    expect(demo.slack[0]!.text).toMatch(/would/i);
    expect(demo.slack[0]!.blocks[0]!.type).toBe('header');
    expect(demo.targets.filter((t) => t.verdict.kind === 'leaking').map((t) => t.labels.namespace)).toEqual([
      'rook-ceph',
      'cert-manager',
    ]);
    expect(demo.plan).toContainEqual(expect.objectContaining({ type: 'action', kind: 'restart', dryRun: true }));
    expect(demo.events.map((e) => e.reason)).toEqual(expect.arrayContaining(['LeakSuspected', 'RemediationPlanned']));
    expect(demo.events.find((e) => e.reason === 'LeakSuspected')!.note).toMatch(/ROOK_WATCH_FOR_NODE_FAILURE=false/);
    expect(demo.pullRequest.branch).toBe('leakguard/rook-ceph-operator-1.15.9');
    expect(demo.pullRequest.diff).toContain('+       version: v1.15.9 # pinned after the 1.14 upgrade');
    expect(demo.pullRequest.body).toMatch(/https:\/\/github\.com\/rook\/rook\/issues\/15499/);
  });

  it("tells the Rook incident's whole life, run after run: restarted, workaround and PR, rolled out, verified, workaround removed", async () => {
    const { code, out } = await cli('demo', '--output', 'json');
    expect(code).toBe(ExitCode.ok);
    const { story } = JSON.parse(out) as {
      story: {
        steps: { phase: string; events: { reason: string }[]; slack: string[]; prStatus: string | null }[];
        pr: { number: number; title: string; bodies: string[]; file: { after: string } };
        operator: { image: string; env: Record<string, string>; configMap: Record<string, string> }[];
      };
    };
    expect(story.steps.map((s) => s.events.map((e) => e.reason).filter((r) => r !== 'RemediationSkipped'))).toEqual([
      ['LeakSuspected', 'PodRestarted'],
      ['LeakConfirmed', 'WorkaroundApplied', 'UpgradePROpened'],
      [],
      ['UpgradeRolledOut'],
      ['UpgradeVerified', 'WorkaroundReverted'],
    ]);
    expect(story.steps.map((s) => s.phase)).toEqual([
      'remediated',
      'upgrade-proposed',
      'upgrade-proposed',
      'upgrade-rolled-out',
      'verified',
    ]);
    expect(story.steps.map((s) => s.slack.map((m) => m.split(':')[0]))).toEqual([
      ['[WARNING] Remediated'],
      ['[WARNING] Upgrade proposed'],
      [],
      ['[INFO] Upgrade rolled out'],
      ['[INFO] Fix verified'],
    ]);
    // The PR the real rung opens (same report functions), its status re-written phase by phase: one PR.
    expect(story.steps.map((s) => s.prStatus?.split(' ').slice(0, 3).join(' ') ?? null)).toEqual([
      null,
      '**Workaround in place**',
      '**Workaround in place**',
      '**v1.15.9 rolled out**',
      '**Verified on v1.15.9**',
    ]);
    expect(story.pr.number).toBe(1);
    expect(story.pr.bodies).toHaveLength(3);
    expect(story.pr.file.after).toContain('version: v1.15.9 # pinned after the 1.14 upgrade');
    // Exactly as before the workaround, apart from the image.
    const [before, after] = story.operator;
    expect(after).toEqual({ ...before, image: 'rook/ceph:v1.15.9' });
  });
});

describe('the bundled binary', () => {
  const run = promisify(execFile);

  it('escapes terminal control sequences in label values in text output (#9.6)', async () => {
    const file = join(dir, 'escape.json');
    const evil = 'op\u001b]0;pwned\u0007\u001b[2J';
    writeFileSync(
      file,
      queryRange([
        {
          metric: { namespace: 'ns', pod: evil, container: 'c' },
          values: [
            [end - 60, '1'],
            [end, '1'],
          ],
        },
      ]),
    );
    const { stdout } = await run(process.execPath, [
      'bin/leakguard.mjs',
      'analyze',
      '--input',
      file,
      '--output',
      'text',
    ]);
    expect([...stdout].some((c) => c === '\u001b' || c === '\u0007')).toBe(false);
    expect(stdout).toContain('op\\u001b]0;pwned\\u0007\\u001b[2J');
  });

  it('a reader that leaves early (| head) ends the output quietly with exit 0 (#9.6)', async () => {
    const { spawn } = await import('node:child_process');
    const many = Array.from({ length: 3000 }, (_, i) => ({
      metric: { namespace: 'ns', pod: `pod-${i}`, container: 'c' },
      values: [
        [end - 60, '1'],
        [end, '1'],
      ],
    }));
    const file = join(dir, 'many.json');
    writeFileSync(file, queryRange(many));
    const child = spawn(process.execPath, ['bin/leakguard.mjs', 'analyze', '--input', file, '--output', 'text'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('propagates exit codes: 0 for demo, 2 for a usage error', async () => {
    const ok = await run(process.execPath, ['bin/leakguard.mjs', 'demo', '--output', 'json']);
    expect(JSON.parse(ok.stdout)).toHaveProperty('pullRequest');
    const failed = await run(process.execPath, ['bin/leakguard.mjs', 'analyze', '--input', '/nonexistent.json']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/leakguard: cannot read --input/);
  });
});
