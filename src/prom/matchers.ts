/**
 * `prometheus.matchers`: this cluster's slice of a central metrics store (Thanos, Mimir,
 * VictoriaMetrics), as PromQL label matchers such as `cluster="prod-eu"`. They are added to every
 * built-in query and replace `$matchers` in custom ones.
 */

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const OPERATORS = ['=~', '!~', '!=', '='] as const;

export interface LabelMatcher {
  name: string;
  op: (typeof OPERATORS)[number];
  /** The value as written, quotes and escapes included (`"prod-eu"`). */
  quoted: string;
}

/**
 * Parses `name op "value", …` (PromQL's matcher syntax, double-quoted values). Throws an Error that
 * names the problem; empty text is no matchers.
 */
export function parseMatchers(text: string): LabelMatcher[] {
  const out: LabelMatcher[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    const name = /^[^=!~\s,]*/.exec(rest)![0];
    if (!NAME.test(name)) throw new Error(`expected a label name at ${JSON.stringify(rest.slice(0, 30))}`);
    rest = rest.slice(name.length).trimStart();
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new Error(`expected =, !=, =~ or !~ after ${name}`);
    rest = rest.slice(op.length).trimStart();
    const value = /^"(?:[^"\\]|\\.)*"/.exec(rest)?.[0];
    if (value === undefined) throw new Error(`expected a double-quoted value after ${name}${op}`);
    out.push({ name, op, quoted: value });
    rest = rest.slice(value.length).trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (rest.length > 0) throw new Error(`expected a comma after ${name}${op}${value}`);
  }
  return out;
}

/** The matchers in canonical form (`cluster="prod-eu", env!="dev"`), as they go into a selector. */
export function formatMatchers(matchers: readonly LabelMatcher[]): string {
  return matchers.map((m) => `${m.name}${m.op}${m.quoted}`).join(', ');
}
