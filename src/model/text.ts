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

/** A high surrogate followed by a low one: one code point written as two UTF-16 code units. */
const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/**
 * `[...text].length` without the array: a run's table has a row per target, thousands of them. The
 * pairs are found by the regular expression engine (no match, no allocation), not a loop over each
 * code unit: the image's Node runs unoptimised.
 */
function codePointCount(text: string): number {
  return text.length - (text.match(SURROGATE_PAIR)?.length ?? 0);
}

/** Whitespace other than single spaces between words. */
const UNEVEN_SPACE = /^\s|\s$|\s\s|[^\S ]/;

/** Breaks `text` at spaces into lines of at most `width` characters (a longer word stays whole). */
export function wrap(text: string, width: number): string[] {
  // Words one space apart (the detector's sentences already are), then each line a slice cut at the last
  // space that fits: no array of words and no line grown word by word for each of a run's targets.
  const words = UNEVEN_SPACE.test(text) ? text.split(/\s+/).filter(Boolean).join(' ') : text;
  const lines: string[] = [];
  let start = 0;
  while (words.length - start > width) {
    let cut = words.lastIndexOf(' ', start + width);
    if (cut <= start) cut = words.indexOf(' ', start);
    if (cut === -1) break;
    lines.push(words.slice(start, cut));
    start = cut + 1;
  }
  if (start < words.length) lines.push(words.slice(start));
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
