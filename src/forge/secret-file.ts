/** Credentials read from mounted files (the chart's Secret): the message names the file, never its content. */
import { readFile } from 'node:fs/promises';

export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';
}

/** The file's text; throws SecretFileError naming `what` and the path when it cannot be read or is empty. */
export async function readSecretFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new SecretFileError(`cannot read ${what} file ${path} (${code})`);
  }
  if (text.trim() === '') throw new SecretFileError(`${what} file ${path} is empty`);
  return text;
}
