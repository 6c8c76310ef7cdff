/**
 * The chart's monitoring objects as the real tools read them: the PrometheusRule's groups as a rules
 * file for `promtool check rules` / `promtool test rules` (Debian's promtool, installed by the test
 * setup like the test Prometheus), and the Grafana dashboard with every PromQL expression it holds.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { requirePrometheus } from '../../support/prometheus.js';
import type { Manifest } from '../helm.js';

const execFileAsync = promisify(execFile);

export interface PromtoolResult {
  code: number;
  output: string;
}

/** Runs promtool; a failing check is a result (its output says why), not an exception. */
export async function promtool(args: readonly string[]): Promise<PromtoolResult> {
  requirePrometheus();
  try {
    const { stdout, stderr } = await execFileAsync('promtool', args, { maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export interface RuleGroup {
  name: string;
  rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
}

export function ruleGroupsOf(prometheusRule: Manifest): RuleGroup[] {
  return (prometheusRule.spec as { groups: RuleGroup[] }).groups;
}

/** A Prometheus rules file holding the PrometheusRule's groups, as the Operator hands them to Prometheus. */
export function rulesFileOf(prometheusRule: Manifest): string {
  return stringify({ groups: ruleGroupsOf(prometheusRule) });
}

/**
 * promtool's `values` notation for samples at a fixed interval from `startSeconds`: one value per
 * interval, `_` where there is no sample (a gap in the scrape).
 */
export function seriesValues(samples: readonly { t: number; v: number }[], startSeconds: number, intervalSeconds: number): string {
  const values: string[] = [];
  for (const { t, v } of samples) {
    const index = Math.round((t - startSeconds) / intervalSeconds);
    while (values.length < index) values.push('_');
    values[index] = String(Math.round(v));
  }
  return values.join(' ');
}

export interface DashboardQuery {
  /** Where it sits, for messages: panel title / target refId, annotation or variable name. */
  where: string;
  expr: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- Grafana's JSON model read loosely on purpose. */
/** Every PromQL expression of a dashboard: panel targets, annotation queries, variable queries. */
export function dashboardQueries(dashboard: any): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const panel of dashboard.panels ?? []) {
    for (const target of panel.targets ?? []) out.push({ where: `panel "${panel.title}" ${target.refId}`, expr: target.expr });
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    if (annotation.expr) out.push({ where: `annotation "${annotation.name}"`, expr: annotation.expr });
  }
  for (const variable of dashboard.templating?.list ?? []) {
    const query = typeof variable.query === 'object' ? variable.query?.query : undefined;
    const m = typeof query === 'string' ? /^label_values\((.*), *\w+\)$/.exec(query) : null;
    if (m?.[1]) out.push({ where: `variable ${variable.name}`, expr: m[1] });
  }
  return out;
}

/** An expression as Grafana sends it: the dashboard's variables replaced by values. */
export function interpolate(expr: string, variables: Record<string, string>): string {
  return expr.replace(/\$(\w+)|\$\{(\w+)\}/g, (whole, a: string | undefined, b: string | undefined) => variables[(a ?? b)!] ?? whole);
}
