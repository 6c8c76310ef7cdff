/**
 * Edits located through the parsed YAML (node source ranges), applied as splices on the original
 * text: everything outside the changed scalars — comments, order, quoting, indentation — stays
 * byte-for-byte the same.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Scalar } from 'yaml';
import { yamlProblem } from '../../model/yaml-problem.js';
import { fileText } from '../../report/bump-text.js';
import { BumpError } from './types.js';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A node reached while walking a document, with its dotted path. */
export interface Visit {
  path: string[];
  node: Node;
}

export function parseDocuments(text: string, what: string): Document[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  for (const doc of docs) {
    const problem = yamlProblem(doc, text);
    if (problem)
      throw new BumpError('invalid-yaml', fileText.invalidYaml(what, problem.line, problem.column, problem.message));
  }
  return docs;
}

/** Depth-first walk over maps and sequences (scalar keys only; aliases are not followed). */
export function* walk(node: unknown, path: string[] = []): Generator<Visit> {
  if (isMap(node)) {
    yield { path, node };
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      yield* walk(pair.value, [...path, String(pair.key.value)]);
    }
  } else if (isSeq(node)) {
    yield { path, node };
    for (let i = 0; i < node.items.length; i++) yield* walk(node.items[i], [...path, String(i)]);
  } else if (isScalar(node)) {
    yield { path, node };
  }
}

/** The string scalar at `key` of a map node, or null. */
export function stringAt(node: unknown, key: string): Scalar<string> | null {
  if (!isMap(node)) return null;
  const value = node.get(key, true);
  return isScalar(value) && typeof value.value === 'string' ? (value as Scalar<string>) : null;
}

/** Plain string value at a path of maps, or null. */
export function valueAt(node: unknown, path: string[]): unknown {
  let cur: unknown = node;
  for (const key of path) {
    if (!isMap(cur)) return null;
    cur = cur.get(key, true);
  }
  return cur;
}

/**
 * Edit that replaces `oldLiteral` inside the scalar's own source text by `newLiteral`.
 * The literal is searched from the end so `rook/ceph:v1.14.9` changes its tag, not its name.
 */
export function scalarEdit(text: string, scalar: Scalar, oldLiteral: string, newLiteral: string, offset = 0): Edit {
  const range = scalar.range;
  if (!range) throw new BumpError('unsupported-syntax', fileText.noPosition());
  const start = offset + range[0];
  const src = text.slice(start, offset + range[1]);
  const at = src.lastIndexOf(oldLiteral);
  if (at < 0) {
    throw new BumpError('unsupported-syntax', fileText.notInPlace(oldLiteral));
  }
  return { start: start + at, end: start + at + oldLiteral.length, text: newLiteral };
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  let lastStart = Number.POSITIVE_INFINITY;
  for (const e of sorted) {
    if (e.end > lastStart) throw new BumpError('unsupported-syntax', fileText.overlapping());
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    lastStart = e.start;
  }
  return out;
}

/**
 * Maps offsets inside the value of a literal block scalar (`values: |`) back to the file.
 * Only `|`, `|-`, `|+` are supported: folded scalars re-wrap lines, so offsets do not map.
 */
export function blockScalarMapper(text: string, scalar: Scalar): (innerOffset: number) => number {
  const range = scalar.range;
  if (!range || scalar.type !== 'BLOCK_LITERAL') {
    throw new BumpError('unsupported-syntax', fileText.foldedValues());
  }
  const src = text.slice(range[0], range[1]);
  const headerEnd = src.indexOf('\n');
  const header = headerEnd < 0 ? src : src.slice(0, headerEnd);
  const comment = header.indexOf('#');
  if (/\d/.test(comment < 0 ? header : header.slice(0, comment))) {
    throw new BumpError('unsupported-syntax', fileText.indentationIndicator());
  }
  const lineStarts: number[] = [];
  let pos = range[0] + headerEnd + 1;
  let indent = -1;
  while (pos <= range[1] && headerEnd >= 0) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 || nl > range[1] ? range[1] : nl;
    const line = text.slice(pos, lineEnd);
    if (indent < 0 && line.trim() !== '') indent = line.length - line.trimStart().length;
    lineStarts.push(pos);
    if (nl < 0 || nl >= range[1]) break;
    pos = nl + 1;
  }
  const inner = String(scalar.value);
  return (innerOffset: number) => {
    const before = inner.slice(0, innerOffset);
    const lineNo = before.split('\n').length - 1;
    const col = innerOffset - (before.lastIndexOf('\n') + 1);
    const lineStart = lineStarts[lineNo];
    if (lineStart === undefined || indent < 0) throw new BumpError('unsupported-syntax', fileText.unmapped());
    return lineStart + indent + col;
  };
}

/**
 * Maps offsets inside a string scalar that holds YAML (a `|` block, or one line written as it reads:
 * plain or quoted without escapes) back to the file; null for any other form (escapes, folding).
 */
export function embeddedOffsets(text: string, scalar: Scalar): ((innerOffset: number) => number) | null {
  if (!scalar.range || typeof scalar.value !== 'string') return null;
  if (scalar.type === 'BLOCK_LITERAL') return blockScalarMapper(text, scalar);
  const start = scalar.range[0];
  const at = text.slice(start, scalar.range[1]).indexOf(scalar.value);
  return at < 0 || scalar.value.includes('\n') ? null : (i: number) => start + at + i;
}
