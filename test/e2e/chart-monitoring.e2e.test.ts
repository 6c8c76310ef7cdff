/**
 * Who watches leakguard: the chart's PrometheusRule and Grafana dashboard (monitoring.*), judged by
 * the real helm, the real promtool (`check rules`, `test rules` with series per alert) and the e2e
 * cluster's real Prometheus (every dashboard query is evaluated there). The install into the API
 * server with the Prometheus Operator's CRD is in chart-monitoring-install.e2e.test.ts.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { parseRateBytesPerHour } from '../../src/config/units.js';
import { profileQuery } from '../../src/prom/queries.js';
import { CORPUS_START_SECONDS, generateCorpus } from '../corpus/corpus.js';
import { MIB } from '../corpus/simulate.js';
import {
  chartDir,
  findOne,
  helm,
  kubeVersion,
  render,
  renderError,
  repoRoot,
  valuesDir,
  type Manifest,
} from '../chart/helm.js';
import type { Loose } from '../chart/inspect.js';
import {
  dashboardQueries,
  interpolate,
  promtool,
  ruleGroupsOf,
  rulesFileOf,
  seriesValues,
} from '../chart/monitoring/promtool.js';
import { loadE2eEnv, promQuery, waitFor } from './support/index.js';

const monitoring = 'monitoring.yaml';
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'leakguard-monitoring-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const prometheusRuleOf = async (options: Parameters<typeof render>[0]) =>
  findOne(await render(options), 'PrometheusRule');
const alertExpr = (rule: Manifest, alert: string): string =>
  ruleGroupsOf(rule)
    .flatMap((g) => g.rules)
    .find((r) => r.alert === alert)!.expr;

function dashboardOf(manifests: Manifest[]): Loose {
  const configMap = findOne(manifests, 'ConfigMap', 'lg-leakguard-dashboard') as Manifest & {
    data: Record<string, string>;
  };
  expect(Object.keys(configMap.data)).toEqual(['lg-leakguard.json']);
  return JSON.parse(configMap.data['lg-leakguard.json']!);
}

describe('the chart renders monitoring objects only when enabled', () => {
  it('renders neither by default', async () => {
    const manifests = await render();
    expect(manifests.filter((m) => m.kind === 'PrometheusRule' || m.metadata.name.endsWith('-dashboard'))).toEqual([]);
  });

  it("renders both, labelled for the Operator's ruleSelector and the Grafana sidecar", async () => {
    const manifests = await render({ values: [monitoring] });
    expect(findOne(manifests, 'PrometheusRule', 'lg-leakguard', 'leakguard').metadata.labels).toMatchObject({
      release: 'kube-prometheus-stack',
      'app.kubernetes.io/instance': 'lg',
    });
    expect(findOne(manifests, 'ConfigMap', 'lg-leakguard-dashboard', 'leakguard').metadata.labels).toMatchObject({
      grafana_dashboard: '1',
    });
    const relabelled = await render({
      values: [monitoring],
      set: [
        'monitoring.dashboard.labels.grafana_dashboard=null',
        'monitoring.dashboard.labels.dashboards=leakguard',
        'monitoring.dashboard.annotations.grafana_folder=Operators',
      ],
    });
    const configMap = findOne(relabelled, 'ConfigMap', 'lg-leakguard-dashboard');
    expect(configMap.metadata.labels).toMatchObject({ dashboards: 'leakguard' });
    expect(configMap.metadata.labels).not.toHaveProperty('grafana_dashboard');
    expect(configMap.metadata.annotations).toEqual({ grafana_folder: 'Operators' });
  });

  it('passes helm lint --strict with them on, for the CronJob and the Deployment kind', async () => {
    for (const files of [[monitoring], ['deployment.yaml', monitoring], ['every-kind.yaml', monitoring]]) {
      const args = [
        'lint',
        chartDir,
        '--strict',
        '--kube-version',
        kubeVersion,
        ...files.flatMap((f) => ['--values', join(valuesDir, f)]),
      ];
      const result = await helm(args);
      expect(result.stdout + result.stderr, files.join(', ')).toContain('1 chart(s) linted, 0 chart(s) failed');
    }
  });

  it('rejects a misspelt or mistyped monitoring value, naming it (values.schema.json)', async () => {
    expect(await renderError({ set: ['monitoring.prometheusRule.enabeld=true'] })).toContain(
      "at '/monitoring/prometheusRule': additional properties 'enabeld' not allowed",
    );
    expect(await renderError({ set: ['monitoring.prometheusRule.suspendedFor=a day'] })).toContain(
      "at '/monitoring/prometheusRule/suspendedFor'",
    );
    expect(await renderError({ set: ['monitoring.prometheusRule.missedRuns=0'] })).toContain(
      "at '/monitoring/prometheusRule/missedRuns': minimum: got 0, want 1",
    );
  });

  it("says what to set when the schedule's period cannot be derived, and uses the value set", async () => {
    const weekdays = ['schedule=0 9 * * 1-5'];
    expect(await renderError({ values: [monitoring], set: weekdays })).toContain(
      'cannot derive the period of schedule "0 9 * * 1-5"; set monitoring.prometheusRule.schedulePeriod',
    );
    const rule = await prometheusRuleOf({
      values: [monitoring],
      set: [...weekdays, 'monitoring.prometheusRule.schedulePeriod=72h'],
    });
    expect(alertExpr(rule, 'LeakguardNotSucceeding')).toContain(`> ${3 * 72 * 3600 + 600}\n`);
  });

  it.each([
    ['*/15 * * * *', 3 * 900 + 600],
    ['*/30 * * * *', 3 * 1800 + 600],
    ['@hourly', 3 * 3600 + 600],
    ['5 * * * *', 3 * 3600 + 600],
    ['0 */6 * * *', 3 * 6 * 3600 + 600],
    ['30 2 * * *', 3 * 86_400 + 600],
    ['@weekly', 3 * 604_800 + 600],
  ])('waits 3 periods of %j plus the Job deadline before LeakguardNotSucceeding (%ds)', async (schedule, seconds) => {
    const rule = await prometheusRuleOf({ values: [monitoring], set: [`schedule=${schedule}`] });
    expect(alertExpr(rule, 'LeakguardNotSucceeding')).toContain(`> ${seconds}\n`);
  });

  it.each([
    ['5MiB/h', '24h'],
    ['1.5MiB/h', '12h'],
    ['100KB/m', '1d'],
    ['2Gi/d', '36h'],
    ['512Ki/h', '7h30m'],
  ])('reads detection.minGrowth %s and window %s as leakguard does', async (minGrowth, window) => {
    const rule = await prometheusRuleOf({
      values: [monitoring],
      set: [`config.detection.minGrowth=${minGrowth}`, `config.detection.window=${window}`],
    });
    const config = parseConfig(
      stringify({
        prometheus: { url: 'http://p' },
        profiles: [{ name: 'a', namespace: 'a', selector: 'a=b' }],
        detection: { minGrowth, window },
      }),
    );
    const half = Math.floor(config.detection.window / 2);
    const expr = alertExpr(rule, 'LeakguardFloorRising');
    expect(expr).toContain(`offset ${half}s)`);
    expect(expr).toContain(`offset ${config.detection.window}s)`);
    expect(expr).toContain(`> ${Math.round((parseRateBytesPerHour(minGrowth)! * half) / 3600)}\n`);
  });

  it('with kind Deployment renders the early warning only, and refuses an empty rule', async () => {
    const groups = ruleGroupsOf(await prometheusRuleOf({ values: ['deployment.yaml', monitoring] }));
    expect(groups.map((g) => g.name)).toEqual(['leakguard.early-warning']);
    expect(
      await renderError({
        values: ['deployment.yaml', monitoring],
        set: ['monitoring.prometheusRule.earlyWarning.enabled=false'],
      }),
    ).toContain('with kind Deployment only the early warning applies');
  });
});

describe('promtool', () => {
  it.each([[[monitoring]], [['every-kind.yaml', monitoring]], [['deployment.yaml', monitoring]]])(
    'check rules accepts the rendered rules (values: %j)',
    async (files) => {
      const file = join(work, `check-${files.join('-')}.yaml`);
      writeFileSync(file, rulesFileOf(await prometheusRuleOf({ values: files })));
      const result = await promtool(['check', 'rules', file]);
      expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
      expect(result.code).toBe(0);
    },
  );

  it('every alert has a summary, a description and a runbook_url that points at a README troubleshooting row', async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const rules = ruleGroupsOf(await prometheusRuleOf({ values: [monitoring] })).flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual([
      'LeakguardNotSucceeding',
      'LeakguardLastRunFailed',
      'LeakguardSuspended',
      'LeakguardKillSwitchOn',
      'LeakguardFloorRising',
    ]);
    for (const rule of rules) {
      expect(Object.keys(rule.annotations ?? {}).sort(), rule.alert).toEqual(['description', 'runbook_url', 'summary']);
      const anchor = /^https:\/\/github\.com\/leakguard\/leakguard\/blob\/main\/README\.md#(alert-[a-z-]+)$/.exec(
        rule.annotations!.runbook_url!,
      )?.[1];
      expect(anchor, rule.alert).toBeDefined();
      expect(readme, `README anchor for ${rule.alert}`).toContain(`<a id="${anchor}"></a>`);
      expect(rule.labels, rule.alert).toMatchObject({ component: 'leakguard', team: 'platform' });
    }
  });

  it('test rules: the run alerts fire when they should and stay silent when the CronJob is healthy', async () => {
    const dir = join(work, 'runs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'rules.yaml'), rulesFileOf(await prometheusRuleOf({ values: [monitoring] })));
    copyFileSync(join(repoRoot, 'test/chart/monitoring/runs.promtool.yaml'), join(dir, 'runs.promtool.yaml'));
    const result = await promtool(['test', 'rules', join(dir, 'runs.promtool.yaml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('test rules: the early warning fires on a steady leak, and never on warm-ups, daily cycles, restarts or flat series from the corpus', async () => {
    const dir = join(work, 'early');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'rules.yaml'), rulesFileOf(await prometheusRuleOf({ values: [monitoring] })));
    const selector = (pod: string) =>
      `container_memory_working_set_bytes{namespace="rook-ceph", pod="${pod}", container="rook-ceph-operator"}`;
    const lookAlikes = generateCorpus({ seed: 7, perFamily: 4, only: ['warmup', 'daily', 'restarts', 'flat'] });
    const hours = 72;
    const silentEvery30m = Array.from({ length: hours * 2 + 1 }, (_, i) => ({
      alertname: 'LeakguardFloorRising',
      eval_time: `${i * 30}m`,
    }));
    const leak = Array.from({ length: 30 * 60 + 1 }, (_, minute) => ({
      t: minute * 60,
      v: 100 * MIB + (10 * MIB * minute) / 60,
    }));
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '5m',
      tests: [
        {
          name: `${lookAlikes.length} look-alikes from the test corpus (${[...new Set(lookAlikes.map((s) => s.truth.family))].join(', ')}), 72 h each`,
          interval: '1m',
          input_series: lookAlikes.map((s) => ({
            series: selector(s.labels.pod!),
            values: seriesValues(s.samples, CORPUS_START_SECONDS, 60),
          })),
          alert_rule_test: silentEvery30m,
        },
        {
          name: 'a steady 10 MiB/h leak: pending once both halves of the 24h window grew, firing 30m later',
          interval: '1m',
          input_series: [{ series: selector('leaky-0'), values: seriesValues(leak, 0, 60) }],
          alert_rule_test: [
            { alertname: 'LeakguardFloorRising', eval_time: '23h55m' },
            { alertname: 'LeakguardFloorRising', eval_time: '24h20m' },
            {
              alertname: 'LeakguardFloorRising',
              eval_time: '24h40m',
              exp_alerts: [
                {
                  exp_labels: {
                    severity: 'warning',
                    profile: 'rook-ceph-operator',
                    component: 'leakguard',
                    team: 'platform',
                    namespace: 'rook-ceph',
                    pod: 'leaky-0',
                    container: 'rook-ceph-operator',
                  },
                  exp_annotations: {
                    summary:
                      'The memory floor of profile rook-ceph-operator rose at 5MiB/h or faster over the last 24h.',
                    description:
                      "rook-ceph/leaky-0 (rook-ceph-operator): the lowest working set rose by 120MiB in the second half of the last 24h, and by more than 62914560 bytes in the first half. A backstop for leakguard's detector: see what leakguard says with kubectl events -n rook-ceph.",
                    runbook_url:
                      'https://github.com/leakguard/leakguard/blob/main/README.md#alert-leakguard-floor-rising',
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'early.promtool.yaml'), stringify(tests, { lineWidth: 0 }));
    const result = await promtool(['test', 'rules', join(dir, 'early.promtool.yaml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });
});

describe('the Grafana dashboard', () => {
  it('is Grafana JSON of a current schema with datasource, cluster and namespace variables', async () => {
    const dashboard = dashboardOf(await render({ values: [monitoring] }));
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.uid).toMatch(/^leakguard-[0-9a-f]{12}$/);
    expect(dashboard.templating.list.map((v: Loose) => [v.name, v.type])).toEqual([
      ['datasource', 'datasource'],
      ['cluster', 'query'],
      ['namespace', 'query'],
    ]);
    expect(dashboard.templating.list[2].current.value).toBe('leakguard');
    const ids = dashboard.panels.map((p: Loose) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p: Loose) => p.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('shows, per watched profile, the working set with the limit, the floor leakguard judges (its own query) and restarts', async () => {
    // every-kind.yaml's two profiles (one without a container) and one with a query override.
    const custom =
      'min_over_time(container_memory_working_set_bytes{namespace="$namespace", container=~"op.*"}[$step])';
    const everyKind = parse(readFileSync(join(valuesDir, 'every-kind.yaml'), 'utf8')) as {
      config: { profiles: unknown[] };
    };
    const extra = join(work, 'profiles.yaml');
    writeFileSync(
      extra,
      stringify({
        config: {
          prometheus: { step: '2m' },
          profiles: [
            ...everyKind.config.profiles,
            { name: 'custom', namespace: 'ops', selector: 'app=x', query: custom },
          ],
        },
      }),
    );
    const manifests = await render({ values: ['every-kind.yaml', monitoring, extra] });
    const config = parseConfig((findOne(manifests, 'ConfigMap', 'lg-leakguard') as Loose).data['config.yaml']);
    const dashboard = dashboardOf(manifests);
    expect(config.profiles.map((p) => p.name)).toEqual(['by-rollout', 'by-eviction', 'custom']);
    for (const profile of config.profiles) {
      const row = dashboard.panels.findIndex(
        (p: Loose) => p.type === 'row' && p.title === `Profile ${profile.name} (namespace ${profile.namespace})`,
      );
      expect(row, profile.name).toBeGreaterThanOrEqual(0);
      const [workingSet, floor] = [dashboard.panels[row + 1], dashboard.panels[row + 2]];
      expect(workingSet.targets.map((t: Loose) => t.expr).join('\n')).toMatch(
        /container_memory_working_set_bytes[\s\S]*kube_pod_container_resource_limits\{[^}]*resource="memory"/,
      );
      // The detector's query, with only the dashboard's cluster matcher added (none in an override).
      expect(floor.targets[0].expr.replace('cluster=~"$cluster", ', '')).toBe(profileQuery(profile, config.prometheus));
      expect(floor.interval).toBe(`${config.prometheus.step}s`);
      const restarts = dashboard.annotations.list.find((a: Loose) => a.name === `Restarts: ${profile.name}`);
      expect(restarts.expr).toContain('kube_pod_container_status_restarts_total{');
      expect(restarts.expr).toContain(`namespace="${profile.namespace}"`);
    }
    expect(
      dashboard.panels.find((p: Loose) => p.title === 'Floor leakguard judges' && p.targets[0].expr.includes('op.*'))
        .targets[0].expr,
    ).toBe('min_over_time(container_memory_working_set_bytes{namespace="ops", container=~"op.*"}[120s])');
  });

  it.each([[[monitoring]], [['deployment.yaml', monitoring]], [['every-kind.yaml', monitoring]]])(
    'every query parses and runs on the real Prometheus (values: %j)',
    async (files) => {
      const dashboard = dashboardOf(await render({ values: files }));
      const env = loadE2eEnv();
      const queries = dashboardQueries(dashboard);
      expect(queries.length).toBeGreaterThan(5);
      const failures: string[] = [];
      for (const { where, expr } of queries) {
        const query = interpolate(expr, {
          cluster: '.*',
          namespace: 'leakguard',
          __interval: '5m',
          __rate_interval: '5m',
        });
        expect(query, where).not.toContain('$');
        await promQuery(query, { env }).catch((error: Error) => failures.push(`${where}: ${error.message}`));
      }
      expect(failures).toEqual([]);
    },
  );

  it('plots the floor of the operator the e2e cluster runs (the query finds its data)', async () => {
    const dashboard = dashboardOf(await render({ values: [monitoring] }));
    const floor = dashboard.panels.find((p: Loose) => p.title === 'Floor leakguard judges');
    const env = loadE2eEnv();
    // A fresh cluster's Prometheus may not have scraped the fake kubelet yet.
    const series = await waitFor("the floor query to return the operator's series", async () => {
      const found = await promQuery(interpolate(floor.targets[0].expr, { cluster: '.*' }), { env });
      return found.length > 0 ? found : undefined;
    });
    expect(series.map((s) => s.metric.pod)).toEqual([expect.stringMatching(/^rook-ceph-operator-/)]);
    expect(series[0]!.sample.v).toBeGreaterThan(0);
  });
});
