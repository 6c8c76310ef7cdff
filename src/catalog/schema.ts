/**
 * A known-issue entry, as a zod schema: the built-in catalogue is written against it and users add
 * their own entries under `knownIssues:` in the config file (same schema).
 */
import { z } from 'zod';
import { isValidRange } from './range.js';
import { parseVersion } from './version.js';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an env var name');
const versionSchema = z
  .string()
  .refine((text) => parseVersion(text) !== null, { message: 'expected a version like 1.15.9' });
const rangeSchema = z.string().refine(isValidRange, { message: 'expected a version range like ">=1.14.0 <1.15.9"' });
const httpUrl = z.url({ protocol: /^https?$/ });

export const workaroundSchema = z.strictObject({
  /** Env vars set on the operator container. */
  env: z.record(envName, z.string()).optional(),
  /** Keys set in a ConfigMap the operator reads. */
  configMap: z.strictObject({ name: z.string().min(1), data: z.record(z.string(), z.string()) }).optional(),
  /**
   * An official hotfix image for exactly one affected version (Longhorn's `v1.11.0-hotfix-1`): only
   * the tag changes, the repository stays the one running.
   */
  image: z
    .strictObject({
      forVersion: versionSchema,
      tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'expected an image tag'),
      /**
       * Where a human sets the image when the pod belongs to another operator's resource (leakguard
       * then only says so): Longhorn's instance-manager pods take it from a Helm value.
       */
      setIn: z.string().min(1).optional(),
    })
    .optional(),
});

/**
 * A check leakguard can make from the pod it already reads (no extra RBAC):
 * - `podRunsCommand`: some container of the pod has this word in its command or args (CMP sidecars);
 * - `env`: the leaking container sets this env var (to `value` when given);
 * - `arg`: the leaking container's command or args contain this flag (`--flag` or `--flag=…`).
 */
export const conditionCheckSchema = z.union([
  z.strictObject({ podRunsCommand: z.string().min(1) }),
  z.strictObject({ env: envName, value: z.string().optional() }),
  z.strictObject({ arg: z.string().regex(/^-{1,2}[A-Za-z0-9][-A-Za-z0-9_.]*$/, 'expected a flag like --enable-foo') }),
]);

export const conditionSchema = z.strictObject({
  /** The setup the leak needs, in words ("Config Management Plugin sidecars on the repo-server"). */
  text: z.string().min(1),
  /** Absent: the condition cannot be seen from the pod, and a match is only ever "possible". */
  check: conditionCheckSchema.optional(),
});

export const sourceSchema = z.strictObject({
  /** `related`: a change the maintainers link to the leak (where it was introduced, a follow-up). */
  kind: z.enum(['issue', 'fix', 'release-notes', 'related']),
  url: httpUrl,
  /** @default the URL, shortened (`rook/rook#15499`) */
  title: z.string().min(1).optional(),
});

/**
 * How an operator may be upgraded; the upgrade rung picks the nearest fixed release the rule allows.
 * - `one-minor-at-a-time`: stay within the next minor (Rook, Longhorn, cert-manager).
 * - `minor-skips-with-notes`: any fixed release above; each skipped minor's upgrade note is linked (Argo CD).
 * - `match-kubernetes-minor`: the component's minor follows the Kubernetes minor (cluster-autoscaler):
 *   only a fix in the running minor is proposed; otherwise the PR-less verdict says which Kubernetes is needed.
 * - `current-minor-only`: upstream supports only its newest minor: the newest fixed release is proposed.
 * - `direct`: any fixed release above the running one (no documented rule).
 */
export const upgradeRules = [
  'one-minor-at-a-time',
  'minor-skips-with-notes',
  'match-kubernetes-minor',
  'current-minor-only',
  'direct',
] as const;

export const upgradeSchema = z.strictObject({
  rule: z.enum(upgradeRules),
  /** For `minor-skips-with-notes`: the note for one minor step, `{from}` and `{to}` as `2.8`, `2.9`. */
  notes: z.string().includes('{from}').includes('{to}').optional(),
  /** What else the project says about upgrading, quoted in the PR body. */
  caveat: z.string().min(1).optional(),
});

export const knownIssueSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected lowercase letters, digits, "-" and "."')
    .max(63),
  title: z.string().min(1),
  /**
   * The Helm chart the operator is installed with (its upgrade PR bumps this chart only), e.g. `rook-ceph`.
   * A chart versioned apart from the app (`argo-cd` 7.7.8 ships 2.13.1) moves to the release its
   * chart repository says ships the fix.
   */
  chart: z.string().min(1).optional(),
  /**
   * Image repositories released together with the operator at one version (KEDA's operator,
   * metrics-apiserver and webhooks): an upgrade PR moves those pinned at the running version with it,
   * and refuses a file where one is at another version (a mixed-version install). @default []
   */
  components: z.array(z.string().min(1)).default([]),
  /**
   * Image repositories the operator ships as (`rook/ceph`, `quay.io/argoproj/argocd`). Matched on the
   * repository path, whatever registry serves it; `*` is one path segment, `**` one or more.
   */
  images: z.array(z.string().min(1)).min(1),
  /**
   * Container names the leaking component runs as, for images that run several components (Argo CD's
   * one image is the repo-server, the server and the controller): a pod's container with another name
   * is another component, not this issue. Empty: any container. @default []
   */
  containers: z.array(z.string().min(1)).default([]),
  /** Affected ranges; a version matching any of them is affected. */
  affected: z.array(rangeSchema).min(1),
  /** True when a lower bound was inferred from the source history, not stated by the maintainers. @default false */
  lowerBoundInferred: z.boolean().default(false),
  /** Releases that carry the fix, one per maintained line (backports). @default [] */
  fixed: z.array(versionSchema).default([]),
  condition: conditionSchema.optional(),
  workaround: workaroundSchema.optional(),
  upgrade: upgradeSchema.default({ rule: 'one-minor-at-a-time' }),
  /**
   * `allowed`: the profile's restart rung applies. `notify-and-pr-only`: never restart automatically
   * (a CNI DaemonSet, a storage data path): the restart rung is passed with this reason.
   * @default allowed
   */
  restarts: z.enum(['allowed', 'notify-and-pr-only']).default('allowed'),
  /** Upstream issue, fix PR, release notes: quoted wherever the known issue is. */
  sources: z.array(sourceSchema).min(1),
  /** The day the ranges were last checked against the sources, `YYYY-MM-DD`. */
  checked: z.iso.date(),
});

export type KnownIssue = z.infer<typeof knownIssueSchema>;
export type KnownIssueInput = z.input<typeof knownIssueSchema>;
export type Workaround = z.infer<typeof workaroundSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionCheck = z.infer<typeof conditionCheckSchema>;
export type UpgradeRule = (typeof upgradeRules)[number];
export type Source = z.infer<typeof sourceSchema>;
