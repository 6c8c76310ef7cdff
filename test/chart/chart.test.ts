/**
 * The chart's static promises, checked without helm (the helm-driven lint/template/install tests are
 * in test/e2e/chart-*.e2e.test.ts): its values schema matches the program's config schema, its
 * defaults are a valid, safe config, and nothing in it can ever grant cluster-wide or Secret access.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { configValuesSchema, valuesSchemaText } from '../../scripts/values-schema.js';
import { chartCatalogText } from '../../scripts/chart-catalog.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const chart = join(repo, 'chart');
const read = (path: string) => readFileSync(join(chart, path), 'utf8');
const values = parse(read('values.yaml')) as Record<string, unknown> & { config: unknown };
const schema = JSON.parse(read('values.schema.json')) as { properties: Record<string, unknown> };

describe('files/known-issue-workarounds.json', () => {
  it('is exactly what `npm run chart:catalog` generates from the built-in catalogue (run it after changing it)', () => {
    expect(read('files/known-issue-workarounds.json')).toBe(chartCatalogText());
  });

  it("names what the Rook entry's workaround touches: the operator's pod template and rook-ceph-operator-config", () => {
    expect(JSON.parse(read('files/known-issue-workarounds.json'))['rook-operator-leak-1.14']).toEqual({ podTemplate: true, configMaps: ['rook-ceph-operator-config'] });
  });
});

describe('values.schema.json', () => {
  it('is exactly what `npm run chart:schema` generates (run it after changing src/config/schema.ts)', () => {
    expect(read('values.schema.json')).toBe(valuesSchemaText());
  });

  it('mirrors the config schema, unknown keys rejected at every level', () => {
    expect(schema.properties.config).toEqual(configValuesSchema());
    const objectsWithoutStrictness: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (n.type === 'object' && n.properties !== undefined && n.additionalProperties !== false) objectsWithoutStrictness.push(path);
      for (const [key, child] of Object.entries(n)) walk(child, `${path}/${key}`);
    };
    walk(schema, '');
    expect(objectsWithoutStrictness).toEqual([]);
  });

  it('describes every top-level value, and values.yaml sets only described keys', () => {
    expect(Object.keys(values).filter((k) => !(k in schema.properties))).toEqual([]);
  });
});

describe('values.yaml defaults', () => {
  it('are a valid leakguard config that only reports (dry-run)', () => {
    const config = parseConfig(stringify(values.config), 'chart/values.yaml config');
    expect(config.dryRun).toBe(true);
    expect(config.profiles.every((p) => p.ladder.every((a) => a === 'restart'))).toBe(true);
  });

  it('run as a CronJob that is not retried in a loop and ends before the next schedule', () => {
    const cronJob = values.cronJob as Record<string, number>;
    expect(values.kind).toBe('CronJob');
    expect(cronJob.backoffLimit).toBeLessThanOrEqual(1);
    expect(cronJob.activeDeadlineSeconds).toBeLessThan(15 * 60);
    expect(values.schedule).toBe('*/15 * * * *');
  });

  it('render no PrometheusRule and no dashboard unless asked (the CRD and the sidecar may be absent)', () => {
    expect(values.monitoring).toMatchObject({ prometheusRule: { enabled: false, earlyWarning: { enabled: false } }, dashboard: { enabled: false } });
  });

  it('deploy the image of the version this checkout builds', () => {
    const chartYaml = parse(read('Chart.yaml')) as { appVersion: string; name: string };
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    expect(chartYaml.name).toBe('leakguard');
    expect(chartYaml.appVersion).toBe(pkg.version);
  });
});

describe('templates', () => {
  const templates = readdirSync(join(chart, 'templates')).map((f) => ({ file: f, text: read(`templates/${f}`) }));

  it('never create cluster-scoped RBAC or mention Secrets in a rule', () => {
    for (const { file, text } of templates) {
      expect(text, file).not.toMatch(/kind:\s*Cluster(Role|RoleBinding)/);
      expect(text, file).not.toMatch(/resources:.*secrets/);
    }
  });

  it('are documented: chart/README.md names every top-level value', () => {
    const readme = read('README.md');
    expect(Object.keys(schema.properties).filter((key) => !readme.includes(`\`${key}`))).toEqual([]);
  });
});
