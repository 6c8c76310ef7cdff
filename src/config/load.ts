/** Loads the configuration: one YAML file, then environment overrides, then the schema. */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  ConfigError,
  fieldPath,
  invalidConfig,
  unreadableFileText,
  type ConfigProblem,
} from '../model/config-error.js';
import { yamlProblem } from '../model/yaml-problem.js';
import { configSchema, type Config } from './schema.js';

/** Environment variables that override file settings (the Helm chart and `kubectl create job` use them). */
const envOverrides: { variable: string; apply: (raw: Record<string, unknown>, value: string) => void }[] = [
  { variable: 'LEAKGUARD_DRY_RUN', apply: (raw, value) => (raw.dryRun = parseBoolean('LEAKGUARD_DRY_RUN', value)) },
  { variable: 'LEAKGUARD_PROMETHEUS_URL', apply: (raw, value) => (section(raw, 'prometheus').url = value) },
  {
    variable: 'LEAKGUARD_KILL_SWITCH',
    apply: (raw, value) => (section(raw, 'guardrails').killSwitch = parseBoolean('LEAKGUARD_KILL_SWITCH', value)),
  },
];

export async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(unreadableFileText('config', path, (error as NodeJS.ErrnoException).code));
  }
}

export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  return parseConfig(await readConfigFile(path), path, env);
}

/**
 * YAML text as plain data. Errors name the file, line and column but never quote the file: a secret
 * (a header value) may sit on the line next to the mistake, or be the mistake (an unquoted `*secret` is an
 * alias). Unknown tags are errors. Aliases are capped (no "billion laughs").
 */
export function parseYamlFile(text: string, source: string): unknown {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const problem = yamlProblem(document, text);
  if (problem)
    throw new ConfigError(
      `${source}: invalid YAML at line ${problem.line}, column ${problem.column}: ${problem.message}`,
    );
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(`${source}: invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

export function parseConfig(text: string, source = 'config', env: NodeJS.ProcessEnv = {}): Config {
  const raw: unknown = parseYamlFile(text, source) ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${source}: expected a YAML mapping at the top level`);
  }
  for (const { variable, apply } of envOverrides) {
    const value = env[variable];
    if (value !== undefined && value !== '') apply(raw as Record<string, unknown>, value);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw invalidConfig(source, zodProblems(result.error.issues));
  return result.data;
}

/** The schema's complaints as configuration problems, each naming its field. */
export function zodProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((issue) => ({ path: fieldPath(issue.path), message: describeIssue(issue) }));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  // zod says "Invalid input: expected string, received undefined" for a field left out.
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message))
    return `required (${issue.expected}), but missing`;
  return issue.message;
}

function section(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = raw[key];
  if (typeof existing === 'object' && existing !== null && !Array.isArray(existing))
    return existing as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  raw[key] = created;
  return created;
}

function parseBoolean(variable: string, value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new ConfigError(`${variable}: expected true or false, got ${JSON.stringify(value)}`);
}
