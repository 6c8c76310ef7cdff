/**
 * Keeps secrets out of every string leakguard builds from an error: the one redactor every adapter
 * uses (Prometheus, GitHub, Slack, Kubernetes messages all pass through it). Pure.
 */

/** Shorter secrets are left alone: replacing them would shred a message and hide nothing. */
const MIN_SECRET_CHARS = 4;

/**
 * Replaces each secret with [REDACTED]: as given, URL-encoded (a secret echoed into a redirect or
 * a query comes back encoded), and each line of a multi-line secret such as a PEM key on its own.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    for (const piece of [secret, ...secret.split(/\r?\n/).map((line) => line.trim())]) {
      if (piece.length < MIN_SECRET_CHARS) continue;
      forms.add(piece);
      forms.add(encodeURIComponent(piece));
      forms.add(encodeURI(piece));
    }
  }
  let out = text;
  // Longest first, so a secret is never half-replaced by a shorter one inside it.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join('[REDACTED]');
  return out;
}

/** The URL without credentials, query string or fragment: safe to print. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
