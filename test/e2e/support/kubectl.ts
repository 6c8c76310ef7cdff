/** kubectl (the cached build) against the e2e cluster as its admin. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { loadE2eEnv, type E2eEnv } from './env.js';

export interface KubectlOptions {
  /** Written to kubectl's stdin, e.g. a manifest for `apply -f -`. */
  input?: string;
  env?: E2eEnv;
  timeoutMs?: number;
}

export class KubectlError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`kubectl ${args.join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim()}`);
    this.name = 'KubectlError';
  }
}

export function kubectl(args: readonly string[], options: KubectlOptions = {}): Promise<string> {
  const env = options.env ?? loadE2eEnv();
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      join(env.binDir, 'kubectl'),
      ['--kubeconfig', env.kubeconfig, ...args],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new KubectlError(args, typeof error.code === 'number' ? error.code : null, stderr));
        else resolvePromise(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function kubectlJson<T = unknown>(args: readonly string[], options: KubectlOptions = {}): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'], options)) as T;
}
