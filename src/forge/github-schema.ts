/** The parts of GitHub's answers leakguard reads, validated at the boundary. */
import { z } from 'zod';

export const pullSchema = z.object({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  body: z.string().nullable().optional(),
  /** `repo` is null when the head repository (a fork) was deleted. */
  head: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }).nullable().optional() }),
  user: z.object({ login: z.string() }).nullable().optional(),
});
export type Pull = z.infer<typeof pullSchema>;
export const pullListSchema = z.array(pullSchema);

export const refSchema = z.object({ object: z.object({ sha: z.string() }) });

export const fileContentSchema = z.object({
  type: z.literal('file'),
  sha: z.string(),
  content: z.string(),
  encoding: z.literal('base64'),
});
export type FileContent = z.infer<typeof fileContentSchema>;

const userSchema = z.object({ login: z.string() }).nullable().optional();

/** `GET /compare/{base}...{head}`: the commits on head that base lacks (at most 250 listed). */
export const compareSchema = z.object({
  ahead_by: z.number().int(),
  commits: z.array(z.object({ sha: z.string(), author: userSchema, committer: userSchema })),
});
export type Compare = z.infer<typeof compareSchema>;

export const createdPullSchema = z.object({ number: z.number().int(), html_url: z.string() });
