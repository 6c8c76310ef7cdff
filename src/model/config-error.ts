/**
 * How a bad configuration is reported, in one place. A problem in what the user wrote — the config file,
 * a flag, a known-issue entry, a file the config names (a token, a key) — is a `ConfigError`: the
 * command stops before it reads or changes anything, exits 2 (src/cli/main.ts `exitCodeFor`), and the
 * message names the file and each field (`config.yaml: invalid configuration:` then one
 * `  - profiles[0].knownIssues: …` line per problem). A file's content is never quoted: it may hold a
 * secret. Where a configured file is read during a run (Slack's, GitHub's), the same wording fails that
 * step only; a run never stops for it. Pure.
 */

/** Exit 2: the message names the problem (and the field). Every configuration or usage error is one of these. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
}

/** One problem in the configuration: the field, as a path (`profiles[0].knownIssues`), and what is wrong. */
export interface ConfigProblem {
  path: string | readonly PropertyKey[];
  message: string;
}

/** `profiles[0].workaround.env` from its path; `root` prefixes it (`knownIssues`); `(top level)` when empty. */
export function fieldPath(path: readonly PropertyKey[], root = ''): string {
  const text = path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    root,
  );
  return text === '' ? '(top level)' : text;
}

/** The problems, one `  - field: problem` line each. */
export function problemLines(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  - ${typeof p.path === 'string' ? p.path : fieldPath(p.path)}: ${p.message}`).join('\n');
}

/** `source: invalid configuration:` and one line per problem. */
export function invalidConfig(source: string, problems: readonly ConfigProblem[]): ConfigError {
  return new ConfigError(`${source}: invalid configuration:\n${problemLines(problems)}`);
}

/** A file the configuration names (a token, a key, a CA) that cannot be read: its path and the system's code. */
export function unreadableFileText(what: string, path: string, code: string | undefined): string {
  return `cannot read ${what} file ${path} (${code ?? 'error'})`;
}

export function emptyFileText(what: string, path: string): string {
  return `${what} file ${path} is empty`;
}
