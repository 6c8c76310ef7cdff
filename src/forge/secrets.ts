/** Keeps secrets out of every string leakguard builds from an error. */

/** Replaces each secret (and each line of a multi-line secret such as a PEM key) with [REDACTED]. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    const pieces = [secret, ...secret.split(/\r?\n/)].map((p) => p.trim()).filter((p) => p.length >= 8);
    for (const piece of pieces.sort((a, b) => b.length - a.length)) out = out.split(piece).join('[REDACTED]');
  }
  return out;
}
