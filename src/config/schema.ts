/**
 * The configuration file, as a zod schema. Types are inferred from it; human units (`24h`, `5MiB/h`,
 * `512MiB`) are parsed here so the rest of the program sees seconds and bytes. Unknown keys are errors:
 * a typo must never silently fall back to a default.
 */
import { defaultDetectOptions as detectorDefaults } from '../detect/judge.js';
import { ACTION_KINDS } from '../model/action.js';
import cron from 'node-cron';
import { z } from 'zod';
import { DEFAULT_TRUSTED_AUTHORS } from '../forge/types.js';
import { formatMatchers, parseMatchers } from '../prom/matchers.js';
import { HEADER_NAME, HEADER_VALUE } from '../prom/headers.js';
import { formatDuration } from '../model/units.js';
import { parseDurationSeconds, parseRateBytesPerHour, parseSizeBytes } from './units.js';

const DAY = 86_400;

/**
 * A duration in seconds, at most `maxSeconds`: every duration is bounded, so none can overflow a
 * timer (Node's give up beyond 24.8 days and fire at once) or mean "forever" by accident.
 */
function durationUpTo(maxSeconds: number) {
  // Any number, Infinity included (YAML's .inf), reaches the checks below and gets their message.
  return z
    .union([z.string(), z.custom<number>((v) => typeof v === 'number')])
    .transform((value, ctx) => secondsOf(value, maxSeconds, ctx));
}

function secondsOf(value: string | number, maxSeconds: number, ctx: z.RefinementCtx): number {
  const seconds = typeof value === 'number' ? value : parseDurationSeconds(value);
  if (seconds === null || !(seconds > 0) || !Number.isFinite(seconds)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration like 90s, 15m, 24h or 1h30m, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  if (seconds > maxSeconds) {
    ctx.addIssue({
      code: 'custom',
      message: `expected at most ${formatDuration(maxSeconds)}, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return seconds;
}

/** A duration, or false for "off". */
function durationOrOff(maxSeconds: number) {
  return z
    .union([z.string(), z.boolean(), z.custom<number>((v) => typeof v === 'number')])
    .transform((value, ctx): number | false => {
      if (value === false) return false;
      if (value === true) {
        ctx.addIssue({ code: 'custom', message: 'expected a duration like 7d, or false to turn it off, got true' });
        return z.NEVER;
      }
      return secondsOf(value, maxSeconds, ctx);
    });
}

const duration = durationUpTo(30 * DAY);

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
const actionKind = z.enum(ACTION_KINDS);
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day HH:MM (24 h, UTC)');

/** zod reports a bad record key only as "Invalid key": the keys are checked here, with a message. */
function headerRecord<T extends z.ZodType<string>>(value: T) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const name of Object.keys(record)) {
      if (!HEADER_NAME.test(name))
        ctx.addIssue({ code: 'custom', path: [name], message: 'expected a header name (letters, digits, -)' });
    }
  });
}

const prometheusSchema = z
  .strictObject({
    /** Base URL including any path prefix (Thanos, Mimir `/prometheus`, VictoriaMetrics `/select/0/prometheus`). */
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
      // The message never repeats the URL: it holds the password.
      .refine((url) => !URL.canParse(url) || (new URL(url).username === '' && new URL(url).password === ''), {
        message: 'must not hold credentials: use basicAuth.passwordFile or bearerTokenFile',
      }),
    /** Extra headers, e.g. `X-Scope-OrgID` for Mimir/Cortex. Secret values go in headersFrom. */
    headers: headerRecord(
      z.string().regex(HEADER_VALUE, 'expected a header value on one line (printable ASCII)'),
    ).default({}),
    /** Headers whose values are read from files (re-read on every query), e.g. an API key. */
    headersFrom: headerRecord(filePath).default({}),
    bearerTokenFile: filePath.optional(),
    basicAuth: z.strictObject({ username: z.string().min(1), passwordFile: filePath }).optional(),
    caFile: filePath.optional(),
    /** HTTP timeout per query; Prometheus is asked to give up a little earlier. @default 30s */
    timeout: durationUpTo(3600).default(30),
    /** Resolution of the range query; each point is the minimum over its step. @default 5m */
    step: durationUpTo(3600).default(300),
    /** Series a profile's answers (window and workload history) may hold together; more is not read. @default 2000 */
    maxSeries: z.number().int().min(1).max(100_000).default(2000),
    /** Bytes a profile's answers may hold together (the memory a run needs follows it; see the README). @default 64MiB */
    maxResponseBytes: sizeSchema.default(64 * 2 ** 20),
    /**
     * This cluster's slice of a central store, e.g. `cluster="prod-eu"`: added to every built-in query
     * and to the graph links; custom queries must place `$matchers`. @default "" (none)
     */
    matchers: z
      .string()
      .default('')
      .transform((text, ctx) => {
        try {
          return formatMatchers(parseMatchers(text));
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: `expected PromQL label matchers like cluster="prod-eu": ${(error as Error).message}`,
          });
          return z.NEVER;
        }
      }),
  })
  .refine((p) => !(p.bearerTokenFile && p.basicAuth), {
    message: 'expected one of bearerTokenFile or basicAuth, not both',
    path: ['basicAuth'],
  })
  .refine(
    (p) =>
      Object.keys(p.headersFrom).every(
        (name) => !Object.keys(p.headers).some((h) => h.toLowerCase() === name.toLowerCase()),
      ),
    {
      message: 'a header is set in both headers and headersFrom',
      path: ['headersFrom'],
    },
  );

/** The detector's own defaults (src/detect/judge.ts) are the config's: one place to change them. */
const detectionSchema = z
  .strictObject({
    /** @default 24h */
    window: duration.default(detectorDefaults.windowSeconds),
    /** @default 5MiB/h */
    minGrowth: rate.default(detectorDefaults.minGrowthBytesPerHour),
    /** @default 24h */
    oomHorizon: duration.default(detectorDefaults.oomHorizonSeconds),
    /** @default 10m */
    maxStaleness: duration.default(detectorDefaults.maxStalenessSeconds),
    /** @default 3h */
    minHistory: duration.default(detectorDefaults.minHistorySeconds),
    /** @default 0.6 */
    minCoverage: z.number().gt(0).max(1).default(detectorDefaults.minCoverage),
    /** @default 15m */
    maxGap: duration.default(detectorDefaults.maxGapSeconds),
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
    /**
     * How far back `run` and `status` read the history of a workload's earlier pods (one extra range
     * query per profile, the floor per floorBucket, coarser when that would exceed Prometheus' 11,000
     * points); `false` turns workload history off. @default 7d (twice the window when that is longer)
     */
    workloadHistory: durationOrOff(30 * DAY).optional(),
  })
  .superRefine((detection, ctx) => {
    const history = detection.workloadHistory;
    if (history !== undefined && history !== false && history <= detection.window) {
      ctx.addIssue({
        code: 'custom',
        path: ['workloadHistory'],
        message: `expected longer than window (${formatDuration(detection.window)}): earlier pods are looked for before it, or false to turn it off`,
      });
    }
  })
  .transform(({ workloadHistory, ...detection }) => ({
    ...detection,
    workloadHistory: workloadHistory ?? defaultWorkloadHistory(detection.window),
  }));

/** 7 d, or twice a longer window (at most 30 d); off when that is no longer than the window. */
function defaultWorkloadHistory(window: number): number | false {
  const lookback = Math.min(30 * DAY, Math.max(7 * DAY, 2 * window));
  return lookback > window ? lookback : false;
}

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
  /** The operator's Helm chart: other charts pinned at the same version are listed in the PR, not changed. @default the known issue's chart (Rook: rook-ceph) */
  chart: z.string().min(1).optional(),
  /** Other charts moved together with `chart`, e.g. `[rook-ceph-cluster]`. @default [] */
  alsoBump: z.array(z.string().min(1)).default([]),
  /**
   * GitHub logins whose open PR for the same bump is linked instead of opening leakguard's, wherever
   * its head is. A PR from a branch of `repo` itself is linked whoever opened it; any other fork PR is
   * only listed under "See also". @default ["renovate[bot]", "dependabot[bot]"]
   */
  trustedAuthors: z.array(z.string().min(1)).default([...DEFAULT_TRUSTED_AUTHORS]),
});

const heapProfileSchema = z.strictObject({
  /** The container port that serves Go's net/http/pprof (controller-runtime `PprofBindAddress`, cert-manager `--profiler-address`). */
  port: z.number().int().min(1).max(65535),
  /** @default /debug/pprof/heap */
  path: z
    .string()
    .regex(/^\/[^\s?#]*$/, 'expected an absolute URL path like /debug/pprof/heap')
    .default('/debug/pprof/heap'),
  /** A profile larger than this is not kept (a ConfigMap holds at most 1 MiB, and keeps two). @default 450Ki */
  maxSize: sizeSchema
    .default(450 * 1024)
    .refine((b) => b <= 450 * 1024, 'expected at most 450Ki: two profiles must fit one ConfigMap (1 MiB)'),
  /** The capture never holds the restart back longer than this. @default 10s */
  timeout: durationUpTo(60).default(10),
});

const diagnosticsSchema = z.strictObject({
  /** Capture the leaking pod's Go heap profile through the API server's pod proxy right before a restart. Off when absent. */
  heapProfile: heapProfileSchema.optional(),
});

export const profileSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a DNS label (lowercase letters, digits, -)')
    .max(40),
  namespace: z.string().min(1),
  /** Label selector, e.g. `app=rook-ceph-operator`. */
  selector: z.string().min(1),
  container: z.string().min(1).optional(),
  /** PromQL override; `$namespace`, `$container`, `$step` and `$matchers` (prometheus.matchers) are substituted. */
  query: z.string().min(1).optional(),
  knownIssues: z.array(z.string()).default([]),
  ladder: z.array(actionKind).default(['restart']),
  restartMode: z.enum(['rollout', 'evict']).default('rollout'),
  workaround: workaroundSchema.optional(),
  upgrade: upgradeSchema.optional(),
  /** The fix after the workaround: the known issue's upgrade, proposed, verified once rolled out, then the workaround removed. */
  fix: z
    .strictObject({
      /** Propose the upgrade as soon as the known issue's workaround is applied, not only when it fails. @default true (the catalogue's: temporary workaround, then upgrade) */
      withWorkaround: z.boolean().default(true),
      /** How long the new version is judged on its own data before it counts as the fix. @default the detection window */
      verifyWindow: duration.optional(),
    })
    .default({ withWorkaround: true }),
  /** Expected number of pods; more is reported. @default 1 */
  expectedPods: z.number().int().min(1).default(1),
  /** Evidence kept before a restart destroys it. @default {} */
  diagnostics: diagnosticsSchema.default({}),
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
    app: z
      .strictObject({
        appId: z.union([z.number().int(), z.string()]),
        installationId: z.number().int(),
        privateKeyFile: filePath,
      })
      .optional(),
    /** GitHub Enterprise: https://ghe.example.com/api/v3. @default https://api.github.com */
    apiUrl: z.url().default('https://api.github.com'),
  })
  .refine((g) => Boolean(g.tokenFile) !== Boolean(g.app), { message: 'expected exactly one of tokenFile or app' });

/** Plain http only to this machine: credentials never cross a network in clear text. */
const isLoopbackUrl = (url: string) => /^[a-z]+:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i.test(url);

const chartRepositorySchema = z
  .strictObject({
    /**
     * The chart repository, or a prefix of several: `https://charts.example.com/stable` (index.yaml),
     * `oci://registry.example.com/charts` (OCI). The longest prefix on a `/` boundary applies.
     */
    url: z
      .string()
      .regex(
        /^(https:\/\/|http:\/\/|oci:\/\/)[^\s/?#@]+(\/[^\s?#]*)?$/,
        'expected https://host[/path] or oci://host[/path], without credentials, query or fragment',
      )
      .refine((url) => !url.startsWith('http://') || isLoopbackUrl(url), {
        message: 'credentials are not sent over plain http: expected https:// or oci://',
      }),
    /** A token sent as `Authorization: Bearer` (an HTTP repository's API token, or a registry access token). */
    bearerTokenFile: filePath.optional(),
    /** HTTP basic auth; for an OCI registry also what its token service is asked with (the `docker login` user and password). */
    basicAuth: z.strictObject({ username: z.string().min(1), passwordFile: filePath }).optional(),
  })
  .refine((r) => Boolean(r.bearerTokenFile) !== Boolean(r.basicAuth), {
    message: 'expected exactly one of bearerTokenFile or basicAuth',
  });

export const configSchema = z
  .strictObject({
    /** A new install only reports. @default true */
    dryRun: z.boolean().default(true),
    prometheus: prometheusSchema,
    detection: detectionSchema.default(detectionSchema.parse({})),
    guardrails: guardrailsSchema.default(guardrailsSchema.parse({})),
    lock: z
      .strictObject({
        namespace: z.string().min(1).optional(),
        name: z.string().min(1).default('leakguard'),
        duration: durationUpTo(DAY).default(600),
      })
      .default({ name: 'leakguard', duration: 600 }),
    /** The whole run gives up after this; keep it below the CronJob's activeDeadlineSeconds. @default 5m */
    deadline: durationUpTo(DAY).default(300),
    /** Schedule for `leakguard daemon` (cron syntax). @default every 15 minutes */
    schedule: z
      .string()
      .refine((s) => cron.validate(s), { message: 'expected a cron expression like "*/15 * * * *"' })
      .default('*/15 * * * *'),
    /**
     * leakguard's own CronJob or Deployment: its `leakguard.io/kill-switch` annotation is read at the
     * start of every run (the chart sets this). `none`: no annotation switch, only guardrails.killSwitch
     * and LEAKGUARD_KILL_SWITCH. Left out, an acting run changes nothing (it cannot tell whether the
     * switch is on).
     */
    controller: z
      .union([
        z.literal('none'),
        z.strictObject({
          kind: z.enum(['CronJob', 'Deployment']),
          name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected an object name'),
          namespace: z.string().min(1).optional(),
        }),
      ])
      .optional(),
    profiles: z.array(profileSchema).min(1, 'expected at least one profile'),
    notifications: z
      .strictObject({
        slack: slackSchema.optional(),
        /** Consecutive failed runs before Prometheus being unavailable is sent to Slack. @default 3 */
        metricsFailuresBeforeAlert: z.number().int().min(1).default(3),
      })
      .default({ metricsFailuresBeforeAlert: 3 }),
    github: githubSchema.optional(),
    /** Credentials for private chart repositories, read when a chart's release must be looked up (files, like github.tokenFile). @default [] */
    chartRepositories: z.array(chartRepositorySchema).default([]),
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
  })
  .superRefine((config, ctx) => {
    // Prometheus' query timeout < the HTTP timeout < the run's deadline.
    if (config.prometheus.timeout >= config.deadline) {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus', 'timeout'],
        message: `expected less than deadline (${config.deadline}s), got ${config.prometheus.timeout}s`,
      });
    }
    // The Lease must outlive the longest run, or a second run could take it while the first still acts.
    if (config.lock.duration <= config.deadline) {
      ctx.addIssue({
        code: 'custom',
        path: ['lock', 'duration'],
        message: `expected longer than deadline (${config.deadline}s) so two runs cannot overlap, got ${config.lock.duration}s`,
      });
    }
    const seen = new Set<string>();
    config.profiles.forEach((profile, index) => {
      if (seen.has(profile.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', index, 'name'],
          message: `duplicate profile name ${JSON.stringify(profile.name)}`,
        });
      }
      seen.add(profile.name);
      if (config.prometheus.matchers && profile.query && !profile.query.includes('$matchers')) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', index, 'query'],
          message: `prometheus.matchers is set: the query must place $matchers in its selector, or it would see other clusters' series`,
        });
      }
      // Without its own, the profile takes the workaround of the known issues it names (checked against the catalogue on load).
      if (
        profile.ladder.includes('workaround') &&
        !profile.workaround?.env &&
        !profile.workaround?.configMap &&
        profile.knownIssues.length === 0
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', index, 'workaround'],
          message:
            'the ladder has "workaround": expected workaround.env or workaround.configMap, or knownIssues naming an entry with a workaround',
        });
      }
      if (profile.ladder.includes('upgrade-pr') && !profile.upgrade) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', index, 'upgrade'],
          message: 'the ladder has "upgrade-pr": expected upgrade {repo, file}',
        });
      }
      if (profile.ladder.includes('upgrade-pr') && !config.github) {
        ctx.addIssue({
          code: 'custom',
          path: ['github'],
          message: `profile ${profile.name} opens upgrade PRs: expected github {tokenFile | app}`,
        });
      }
    });
  });

export type Config = z.infer<typeof configSchema>;
export type ProfileConfig = z.infer<typeof profileSchema>;
export type ChartRepositoryConfig = z.infer<typeof chartRepositorySchema>;
