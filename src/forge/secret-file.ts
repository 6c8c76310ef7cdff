/** Credentials read from mounted files (the chart's Secret): the message names the file, never its content. */
import { readFile } from 'node:fs/promises';
import { ConfigError, emptyFileText, unreadableFileText } from '../model/config-error.js';

/** A config error (src/model/config-error.ts): exit 2 at config time; in a run, the step that needs it fails. */
export class SecretFileError extends ConfigError {
  override readonly name = 'SecretFileError';
}

/** The file's text; throws SecretFileError naming `what` and the path when it cannot be read or is empty. */
export async function readSecretFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SecretFileError(unreadableFileText(what, path, (err as NodeJS.ErrnoException).code));
  }
  if (text.trim() === '') throw new SecretFileError(emptyFileText(what, path));
  return text;
}
