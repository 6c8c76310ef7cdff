/** Text shaping shared by every message leakguard writes (Events, Slack, PR bodies, tables). Pure. */

/** Cuts `text` to at most `max` characters (code points), ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** A link as the catalogue gives it: a bare URL or `{ title, url }`. */
export type LinkInput = string | { title?: string; url: string };

export function normalizeLink(link: LinkInput): { title: string; url: string } {
  return typeof link === 'string' ? { title: link, url: link } : { title: link.title ?? link.url, url: link.url };
}

/** Pads cells to column widths; the first row is the header. Width counts code points (sparklines). */
export function renderTable(rows: readonly (readonly string[])[]): string {
  return tableLines(rows).join('\n');
}

/** `renderTable`'s lines, one per row (a caller interleaving its own lines need not split the joined text). */
export function tableLines(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  const lengths = rows.map((row) => row.map(codePointCount));
  lengths.forEach((row) => row.forEach((length, i) => (widths[i] = Math.max(widths[i] ?? 0, length))));
  return rows.map((row, r) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - lengths[r]![i]!)))
      .join('  '),
  );
}

/** `[...text].length` without the array: a run's table has a row per target, thousands of them. */
function codePointCount(text: string): number {
  let count = text.length;
  for (let i = 0; i + 1 < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdbff) continue;
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) {
      count--;
      i++;
    }
  }
  return count;
}

/** Breaks `text` at spaces into lines of at most `width` characters (a longer word stays whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * `text` without the run of `chars` at its end (`trimEnd('a//', '/')` → `a`). A loop, not `/x+$/`:
 * that pattern retries from every character of a long run that is not at the end (quadratic).
 */
export function trimEnd(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

/** `text` without the runs of `chars` at either end, in linear time (see trimEnd). */
export function trimBoth(text: string, chars: string): string {
  let start = 0;
  while (start < text.length && chars.includes(text.charAt(start))) start++;
  return trimEnd(text.slice(start), chars);
}
