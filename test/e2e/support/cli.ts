/** The bundled CLI (`bin/leakguard.mjs` → dist/), run as a Job's pod would run it. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './env.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `leakguard <args>` with exactly `env` (nothing inherited); never rejects, the exit code says. */
export function runLeakguard(
  args: readonly string[],
  env: Record<string, string | undefined>,
  timeoutMs = 180_000,
): Promise<CliRun> {
  if (!existsSync(join(repoRoot, 'dist/leakguard.mjs')))
    throw new Error('dist/leakguard.mjs is missing: run `npm run build`');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'bin/leakguard.mjs'), ...args],
      { env, timeout: timeoutMs },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}
