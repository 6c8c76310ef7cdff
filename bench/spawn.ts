/** Child processes for the benchmarks: each measured part runs in its own process, reporting JSON. */
import { spawn } from 'node:child_process';

export interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function spawnCapture(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The child's last stdout line is its JSON report. */
export function lastJson<T>(what: string, spawned: Spawned): T {
  const last = spawned.stdout.trim().split('\n').at(-1) ?? '';
  if (spawned.code !== 0 || !last.startsWith('{'))
    throw new Error(`${what} exited with ${spawned.code}:\n${spawned.stderr.trim()}`);
  return JSON.parse(last) as T;
}
