/**
 * The first problem of a parsed YAML document, worded without the text it is about: config files and
 * GitOps files may hold a secret (an unquoted `*token` is an alias, `!token` a tag), and these words
 * reach logs, Events and Slack. Every tag outside YAML's standard ones is a problem, not a warning: a
 * value leakguard cannot read as written is not silently read as a plain string.
 */
import { visit, type Document } from 'yaml';

export interface YamlProblem {
  line: number;
  column: number;
  /** What is wrong, quoting nothing from the document. */
  message: string;
}

const UNKNOWN_TAG = 'a YAML tag leakguard does not read (only the standard ones: !!str, !!int, !!map, …)';

function place(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** `text` is what `doc` was parsed from (its offsets count in it). */
export function yamlProblem(doc: Document, text: string): YamlProblem | null {
  const error = doc.errors[0];
  if (error) {
    const message =
      error.code === 'TAG_RESOLVE_FAILED' ? UNKNOWN_TAG : `${error.message.split('\n')[0] ?? ''} (${error.code})`;
    return { ...place(text, error.pos[0]), message };
  }
  const tag = doc.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (tag) return { ...place(text, tag.pos[0]), message: UNKNOWN_TAG };
  let unresolved: number | null = null;
  visit(doc, {
    Alias(_key, alias) {
      if (alias.resolve(doc) !== undefined) return undefined;
      unresolved = alias.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  if (unresolved === null) return null;
  return { ...place(text, unresolved), message: 'an alias names no anchor defined before it' };
}
