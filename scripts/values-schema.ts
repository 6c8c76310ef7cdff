/**
 * The chart's values.schema.json, built from two parts: the chart's own settings (below) and the
 * `config` section, generated from the program's zod schema (src/config/schema.ts) so that the
 * chart accepts exactly the keys and types leakguard accepts. `npm run chart:schema` writes it;
 * test/chart/chart.test.ts fails when the committed file differs.
 *
 * Every object has `additionalProperties: false`, except `affinity` (a Kubernetes type passed
 * through verbatim) and the free-form maps (labels, annotations, selectors).
 */
import { z } from 'zod';
import { configSchema } from '../src/config/schema.js';

type JsonSchema = Record<string, unknown>;

const str = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...extra });
const int = (minimum: number, maximum?: number): JsonSchema => ({
  type: 'integer',
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
});
const bool: JsonSchema = { type: 'boolean' };
const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
const strict = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
});
const names: JsonSchema = { type: 'array', items: str({ minLength: 1 }), uniqueItems: true };
const quantity: JsonSchema = { type: ['string', 'number'] };
const resourceList = strict({ cpu: quantity, memory: quantity, 'ephemeral-storage': quantity });

/** A duration both the chart's templates and the PrometheusRule CRD read: `90s`, `30m`, `24h`, `1h30m`, `2d`. */
const chartDuration: JsonSchema = str({
  minLength: 2,
  pattern: '^([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$',
});
const labelValues: JsonSchema = {
  type: 'object',
  propertyNames: { pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
  additionalProperties: { type: 'string' },
};

/** Alerts and a dashboard about leakguard itself (chart/templates/prometheusrule.yaml, dashboard-configmap.yaml). */
const monitoringSchema: JsonSchema = strict({
  prometheusRule: strict({
    enabled: bool,
    labels: stringMap,
    alertLabels: { ...labelValues, description: 'Added to every alert, for Alertmanager routing.' },
    severity: str({ minLength: 1 }),
    runbookUrl: str({ pattern: '^https?://' }),
    missedRuns: int(1),
    schedulePeriod: {
      anyOf: [{ const: '' }, chartDuration],
      description: "The schedule's period; empty: derived from schedule.",
    },
    suspendedFor: chartDuration,
    earlyWarning: strict({ enabled: bool, for: chartDuration, severity: str({ minLength: 1 }) }),
  }),
  dashboard: strict({ enabled: bool, labels: stringMap, annotations: stringMap }),
});

/** The `config` section: the zod schema's input side, as JSON Schema draft-07. */
export function configValuesSchema(): JsonSchema {
  const generated = z.toJSONSchema(configSchema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
  }) as JsonSchema;
  const { $schema: _ignored, ...schema } = generated;
  return {
    description: 'The leakguard configuration file (see Configuration in the README), rendered into the ConfigMap.',
    ...schema,
  };
}

export function buildValuesSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'leakguard Helm chart values',
    ...strict(
      {
        kind: {
          enum: ['CronJob', 'Deployment'],
          description: 'CronJob runs `leakguard run`; Deployment runs `leakguard daemon`.',
        },
        schedule: str({
          minLength: 1,
          description: 'Cron schedule of runs (both kinds), e.g. */15 * * * * or @hourly.',
        }),
        image: strict(
          {
            repository: str({ minLength: 1 }),
            tag: str(),
            digest: str({ pattern: '^(sha256:[0-9a-f]{64})?$' }),
            pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
          },
          ['repository'],
        ),
        imagePullSecrets: { type: 'array', items: strict({ name: str({ minLength: 1 }) }, ['name']) },
        nameOverride: str(),
        fullnameOverride: str(),
        logLevel: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] },
        serviceAccount: strict({ create: bool, name: str(), annotations: stringMap }),
        rbac: strict({
          create: bool,
          workloads: {
            type: 'object',
            description: 'Per profile name: the workloads it may read and patch (Role resourceNames).',
            additionalProperties: strict({ deployments: names, statefulSets: names, daemonSets: names }),
          },
        }),
        secrets: strict({
          existingSecret: str(),
          mountPath: str({ pattern: '^/' }),
          files: {
            type: 'object',
            description: 'File name under mountPath → key in existingSecret.',
            propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
            additionalProperties: str({ pattern: '^[-._a-zA-Z0-9]+$' }),
          },
        }),
        cronJob: strict({
          startingDeadlineSeconds: int(10),
          backoffLimit: int(0, 1),
          activeDeadlineSeconds: int(30),
          ttlSecondsAfterFinished: int(0),
          successfulJobsHistoryLimit: int(0),
          failedJobsHistoryLimit: int(0),
          suspend: bool,
          timeZone: str(),
        }),
        resources: strict({ requests: resourceList, limits: resourceList }),
        podAnnotations: stringMap,
        podLabels: stringMap,
        nodeSelector: stringMap,
        tolerations: {
          type: 'array',
          items: strict({
            key: str(),
            operator: { enum: ['Exists', 'Equal'] },
            value: str(),
            effect: { enum: ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
            tolerationSeconds: { type: 'integer' },
          }),
        },
        affinity: { type: 'object', description: 'A Kubernetes Affinity, passed through.' },
        priorityClassName: str(),
        extraEnv: {
          type: 'array',
          items: strict(
            {
              name: str({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
              value: str(),
              valueFrom: { type: 'object', description: 'A Kubernetes EnvVarSource, passed through.' },
            },
            ['name'],
          ),
        },
        monitoring: monitoringSchema,
        k8sServiceHost: str({
          description:
            'API server host for clusters without kube-proxy (KUBERNETES_SERVICE_HOST); empty: the kubernetes Service.',
        }),
        k8sServicePort: {
          ...int(1, 65535),
          description: 'API server port with k8sServiceHost (KUBERNETES_SERVICE_PORT).',
        },
        config: configValuesSchema(),
      },
      ['kind', 'schedule', 'image', 'config'],
    ),
  };
}

/** The file's text exactly as committed: 2-space JSON and a final newline. */
export function valuesSchemaText(): string {
  return `${JSON.stringify(buildValuesSchema(), null, 2)}\n`;
}
