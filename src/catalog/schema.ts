/**
 * A known-issue entry, as a zod schema: the built-in catalogue is written against it and users add
 * their own entries under `knownIssues:` in the config file.
 */
import { z } from 'zod';
import { isValidRange } from './range.js';
import { parseVersion } from './version.js';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an env var name');

export const workaroundSchema = z.strictObject({
  /** Env vars set on the operator container. */
  env: z.record(envName, z.string()).optional(),
  /** Keys set in a ConfigMap the operator reads. */
  configMap: z.strictObject({ name: z.string().min(1), data: z.record(z.string(), z.string()) }).optional(),
});

const linkSchema = z
  .union([z.url({ protocol: /^https?$/ }), z.strictObject({ title: z.string().min(1).optional(), url: z.url({ protocol: /^https?$/ }) })])
  .transform((link) => (typeof link === 'string' ? { title: link, url: link } : { title: link.title ?? link.url, url: link.url }));

const rangeSchema = z.string().refine(isValidRange, { message: 'expected a version range like ">=1.14.0 <1.15.9"' });
const versionSchema = z.string().refine((text) => parseVersion(text) !== null, { message: 'expected a version like 1.15.9' });

export const knownIssueSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected lowercase letters, digits, "-" and "."').max(63),
  title: z.string().min(1),
  /** The Helm chart the operator is installed with (its upgrade PR bumps this chart only), e.g. `rook-ceph`. */
  chart: z.string().min(1).optional(),
  /** Operator image repository patterns, e.g. `rook/ceph`, `docker.io/rook/ceph`; wildcards as in image.ts. */
  images: z.array(z.string().min(1)).min(1),
  /** Affected ranges; a version matching any of them is affected. */
  affected: z.array(rangeSchema).min(1),
  /** Releases that carry the fix, one per maintained line. @default [] */
  fixed: z.array(versionSchema).default([]),
  /** Upstream issue, release notes. @default [] */
  links: z.array(linkSchema).default([]),
  workaround: workaroundSchema.optional(),
  /**
   * `one-minor-at-a-time`: the upgrade target stays within the next minor version (Rook, Ceph,
   * Kubernetes itself); `direct`: any fixed release above the current one.
   * @default one-minor-at-a-time
   */
  upgradePath: z.enum(['one-minor-at-a-time', 'direct']).default('one-minor-at-a-time'),
});

export type KnownIssue = z.infer<typeof knownIssueSchema>;
export type KnownIssueInput = z.input<typeof knownIssueSchema>;
export type Workaround = z.infer<typeof workaroundSchema>;
