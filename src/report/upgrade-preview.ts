/**
 * `leakguard upgrade preview`: the commit an upgrade PR would carry, as a diff, or why there is none.
 * Pure: the caller hands in the files before and after.
 */

export interface PreviewFile {
  path: string;
  before: string;
  after: string;
}

/** A unified diff of files whose lines were changed in place (the bumpers never add or remove lines). */
export function previewDiff(files: readonly PreviewFile[]): string {
  const out: string[] = [];
  for (const file of files) {
    const a = file.before.split('\n');
    const b = file.after.split('\n');
    const name = file.path.replace(/^\/+/, '');
    out.push(`--- a/${name}`, `+++ b/${name}`);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] === b[i]) continue;
      out.push(`@@ -${i + 1} +${i + 1} @@`);
      if (a[i] !== undefined) out.push(`-${a[i]}`);
      if (b[i] !== undefined) out.push(`+${b[i]}`);
    }
  }
  return out.join('\n');
}

/** The closing line: what changed and from what to what. */
export function previewSummary(
  changes: readonly { file: string; resource: string; path: string; from: string; to: string }[],
): string {
  const lines = changes.map((c) => `  ${c.file} ${c.resource ? `${c.resource} ` : ''}${c.path}: ${c.from} → ${c.to}`);
  return [`would commit ${changes.length} change${changes.length === 1 ? '' : 's'}:`, ...lines].join('\n');
}

export function previewAlready(file: string, toVersion: string): string {
  return `${file} already pins ${toVersion}: no PR needed`;
}

export function previewRefused(message: string): string {
  return `refused: ${message}`;
}
