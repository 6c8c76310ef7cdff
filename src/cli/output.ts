/** How results are printed: human text on a terminal, JSON when piped (or as asked with --output). */
import { UsageError } from './errors.js';

export type OutputFormat = 'text' | 'json';

export function chooseOutput(requested: string | undefined, isTty: boolean): OutputFormat {
  if (requested === undefined) return isTty ? 'text' : 'json';
  if (requested === 'text' || requested === 'json') return requested;
  throw new UsageError(`--output: expected text or json, got ${JSON.stringify(requested)}`);
}

/**
 * Text safe for a terminal: control characters (a label value can hold ESC sequences that recolour,
 * retitle or rewrite the screen) are shown as \u escapes. Newlines and tabs stay; JSON output, which
 * has no raw control characters, passes through unchanged.
 */
export function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
