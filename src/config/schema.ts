/**
 * The configuration file, as a zod schema. Types are inferred from it; human units (`24h`, `5MiB/h`,
 * `512MiB`) are parsed here so the rest of the program sees seconds and bytes. Unknown keys are errors:
 * a typo must never silently fall back to a default.
 */
import { z } from 'zod';
import { parseDurationSeconds, parseRateBytesPerHour, parseSizeBytes } from './units.js';

const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const seconds = typeof value === 'number' ? value : parseDurationSeconds(value);
    if (seconds === null || !(seconds > 0)) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 90s, 15m, 24h or 1h30m, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return seconds;
  });

const rate = z.string().transform((value, ctx) => {
  const bytesPerHour = parseRateBytesPerHour(value);
  if (bytesPerHour === null || !(bytesPerHour > 0)) {
    ctx.addIssue({ code: 'custom', message: `expected a growth rate like 5MiB/h, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return bytesPerHour;
});

export const sizeSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = typeof value === 'number' ? value : parseSizeBytes(value);
  if (bytes === null || !(bytes > 0)) {
    ctx.addIssue({ code: 'custom', message: `expected a size like 512MiB or 1Gi, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return bytes;
});

const filePath = z.string().min(1, 'expected a file path');
const actionKind = z.enum(['restart', 'workaround', 'upgrade-pr']);
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day HH:MM (24 h, UTC)');

const prometheusSchema = z.strictObject({
  /** Base URL including any path prefix (Thanos, Mimir `/prometheus`, VictoriaMetrics `/select/0/prometheus`). */
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  /** Extra headers, e.g. `X-Scope-OrgID` for Mimir/Cortex. */
  headers: z.record(z.string(), z.string()).default({}),
  bearerTokenFile: filePath.optional(),
  basicAuth: z.strictObject({ username: z.string().min(1), passwordFile: filePath }).optional(),
  caFile: filePath.optional(),
  /** HTTP timeout per query; Prometheus is asked to give up a little earlier. @default 30s */
  timeout: duration.default(30),
  /** Resolution of the range query; each point is the minimum over its step. @default 5m */
  step: duration.default(300),
});

const detectionSchema = z.strictObject({
  /** @default 24h */
  window: duration.default(86_400),
  /** @default 5MiB/h */
  minGrowth: rate.default(5 * 2 ** 20),
  /** @default 24h */
  oomHorizon: duration.default(86_400),
  /** @default 10m */
  maxStaleness: duration.default(600),
  /** @default 3h */
  minHistory: duration.default(10_800),
  /** @default 0.6 */
  minCoverage: z.number().gt(0).max(1).default(0.6),
  /** @default 15m */
  maxGap: duration.default(900),
  // Advanced: the detector's defaults suit hours-long histories; scale these down for short ones.
  /** Width of the buckets whose minima form the memory floor. @default 15m */
  floorBucket: duration.optional(),
  /** Growth this fast with a tight interval is flagged after minHistory (no daily cycle grows so fast). @default 60MiB/h */
  fastGrowth: rate.optional(),
  /** Slower growth must last this long before it is called a leak. @default 14h */
  sustained: duration.optional(),
  /** Ignore this long after a start or restart (cache fill). @default 30m */
  warmup: duration.optional(),
  /** Growth of at least this fraction of the starting level is more than a cycle or noise. @default 0.8 */
  relativeRise: z.number().gt(0).optional(),
  /** A floor drop of at least this fraction that stays down is a restart. @default 0.1 */
  restartDrop: z.number().gt(0).lt(1).optional(),
});

const windowSchema = z.strictObject({
  days: z.array(weekday).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
  start: clock,
  end: clock,
});

const guardrailsSchema = z.strictObject({
  /** @default 6h */
  cooldown: duration.default(21_600),
  /** @default 1 */
  maxActionsPerRun: z.number().int().min(0).default(1),
  /** @default 3 */
  maxRestartsPerDay: z.number().int().min(0).default(3),
  /** Allowed time windows (UTC); empty means always. @default [] */
  windows: z.array(windowSchema).default([]),
  /** Stop every mutation (also settable as the annotation `leakguard.io/kill-switch: "true"` on the CronJob). @default false */
  killSwitch: z.boolean().default(false),
  /** A leak that returns within this time after an action escalates to the next rung. @default 48h */
  escalateWithin: duration.default(172_800),
});

const workaroundSchema = z.strictObject({
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an env var name'), z.string()).optional(),
  configMap: z.strictObject({ name: z.string().min(1), data: z.record(z.string(), z.string()) }).optional(),
  /** Revert the workaround when the leak continues after it. @default false */
  revertIfIneffective: z.boolean().default(false),
});

const upgradeSchema = z.strictObject({
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/name'),
  file: z.string().min(1),
  baseBranch: z.string().min(1).default('main'),
});

export const profileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a DNS label (lowercase letters, digits, -)').max(40),
  namespace: z.string().min(1),
  /** Label selector, e.g. `app=rook-ceph-operator`. */
  selector: z.string().min(1),
  container: z.string().min(1).optional(),
  /** PromQL override; `$namespace`, `$container` and `$step` are substituted. */
  query: z.string().min(1).optional(),
  knownIssues: z.array(z.string()).default([]),
  ladder: z.array(actionKind).default(['restart']),
  restartMode: z.enum(['rollout', 'evict']).default('rollout'),
  workaround: workaroundSchema.optional(),
  upgrade: upgradeSchema.optional(),
  /** Expected number of pods; more is reported. @default 1 */
  expectedPods: z.number().int().min(1).default(1),
});

const slackSchema = z
  .strictObject({
    webhookUrlFile: filePath.optional(),
    botTokenFile: filePath.optional(),
    channel: z.string().min(1).optional(),
    /** Slack API base URL (for tests or proxies). */
    apiUrl: z.url().optional(),
  })
  .refine((s) => Boolean(s.webhookUrlFile) !== Boolean(s.botTokenFile), {
    message: 'expected exactly one of webhookUrlFile or botTokenFile',
  })
  .refine((s) => !s.botTokenFile || Boolean(s.channel), { message: 'botTokenFile needs a channel', path: ['channel'] });

const githubSchema = z
  .strictObject({
    tokenFile: filePath.optional(),
    app: z.strictObject({ appId: z.union([z.number().int(), z.string()]), installationId: z.number().int(), privateKeyFile: filePath }).optional(),
    /** GitHub Enterprise: https://ghe.example.com/api/v3. @default https://api.github.com */
    apiUrl: z.url().default('https://api.github.com'),
  })
  .refine((g) => Boolean(g.tokenFile) !== Boolean(g.app), { message: 'expected exactly one of tokenFile or app' });

export const configSchema = z.strictObject({
  /** A new install only reports. @default true */
  dryRun: z.boolean().default(true),
  prometheus: prometheusSchema,
  detection: detectionSchema.default(detectionSchema.parse({})),
  guardrails: guardrailsSchema.default(guardrailsSchema.parse({})),
  lock: z
    .strictObject({ namespace: z.string().min(1).optional(), name: z.string().min(1).default('leakguard'), duration: duration.default(600) })
    .default({ name: 'leakguard', duration: 600 }),
  /** The whole run gives up after this; keep it below the CronJob's activeDeadlineSeconds. @default 5m */
  deadline: duration.default(300),
  /** Schedule for `leakguard daemon` (cron syntax). @default every 15 minutes */
  schedule: z.string().default('*/15 * * * *'),
  profiles: z.array(profileSchema).min(1, 'expected at least one profile'),
  notifications: z
    .strictObject({
      slack: slackSchema.optional(),
      /** Consecutive failed runs before Prometheus being unavailable is sent to Slack. @default 3 */
      metricsFailuresBeforeAlert: z.number().int().min(1).default(3),
    })
    .default({ metricsFailuresBeforeAlert: 3 }),
  github: githubSchema.optional(),
  /** Extra known-issue entries, added to the built-in catalogue (same schema; `leakguard catalog` lists them). */
  knownIssues: z.array(z.record(z.string(), z.unknown())).default([]),
  catalog: z
    .strictObject({
      /** Built-in known-issue ids to leave out. @default [] */
      disable: z.array(z.string().min(1)).default([]),
      /** Registry mirror prefixes (`harbor.corp/hub`): images behind them match entries by the rest of the path. @default [] */
      mirrorPrefixes: z.array(z.string().min(1)).default([]),
    })
    .default({ disable: [], mirrorPrefixes: [] }),
}).superRefine((config, ctx) => {
  // SPEC §10 row 2: Prometheus' query timeout < the HTTP timeout < the run's deadline.
  if (config.prometheus.timeout >= config.deadline) {
    ctx.addIssue({ code: 'custom', path: ['prometheus', 'timeout'], message: `expected less than deadline (${config.deadline}s), got ${config.prometheus.timeout}s` });
  }
  const seen = new Set<string>();
  config.profiles.forEach((profile, index) => {
    if (seen.has(profile.name)) {
      ctx.addIssue({ code: 'custom', path: ['profiles', index, 'name'], message: `duplicate profile name ${JSON.stringify(profile.name)}` });
    }
    seen.add(profile.name);
    if (profile.ladder.includes('workaround') && !profile.workaround?.env && !profile.workaround?.configMap) {
      ctx.addIssue({ code: 'custom', path: ['profiles', index, 'workaround'], message: 'the ladder has "workaround": expected workaround.env or workaround.configMap' });
    }
    if (profile.ladder.includes('upgrade-pr') && !profile.upgrade) {
      ctx.addIssue({ code: 'custom', path: ['profiles', index, 'upgrade'], message: 'the ladder has "upgrade-pr": expected upgrade {repo, file}' });
    }
    if (profile.ladder.includes('upgrade-pr') && !config.github) {
      ctx.addIssue({ code: 'custom', path: ['github'], message: `profile ${profile.name} opens upgrade PRs: expected github {tokenFile | app}` });
    }
  });
});

export type Config = z.infer<typeof configSchema>;
export type ProfileConfig = z.infer<typeof profileSchema>;
export type ConfigInput = z.input<typeof configSchema>;
