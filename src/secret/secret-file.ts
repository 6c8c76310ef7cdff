/**
 * Credentials read from mounted files (the chart's Secret): the one reader the adapters share (GitHub,
 * chart repositories, Slack, Prometheus). A message names the file and the system's code, never its
 * content.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, emptyFileText, unreadableFileText } from '../model/config-error.js';

/** A config error (src/model/config-error.ts): exit 2 at config time; in a run, the step that needs it fails. */
export class SecretFileError extends ConfigError {
  override readonly name = 'SecretFileError';
}

export interface SecretFileOptions {
  /** The adapter's own error for the message. @default a SecretFileError */
  fail?: (message: string) => Error;
  /** An empty file is a value (a header, a password), not a mistake. @default false */
  emptyAllowed?: boolean;
}

/** The file's text; throws (`fail`) naming `what` and the path when it cannot be read or, unless allowed, is empty. */
export async function readSecretFile(path: string, what: string, options: SecretFileOptions = {}): Promise<string> {
  const fail = options.fail ?? ((message: string) => new SecretFileError(message));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw fail(unreadableFileText(what, path, (err as NodeJS.ErrnoException).code));
  }
  if (!options.emptyAllowed && text.trim() === '') throw fail(emptyFileText(what, path));
  return text;
}
