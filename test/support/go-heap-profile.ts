// Real Go heap profiles for tests: builds test/support/heap-profile (a tiny Go program whose in-use
// heap is mostly held by main.leakguardTestLeak) with the Go toolchain and runs it. Nothing generated
// is committed; the binary lives in a temporary directory for the test file's lifetime.
import { execFile as execFileCallback } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCallback);
const source = join(import.meta.dirname, 'heap-profile');

/** A cold Go build cache on a busy 2-core machine takes about a minute. */
export const GO_BUILD_MS = 240_000;

export interface HeapProfileMaker {
  /** A gzipped heap profile whose sites hold `leak` and `other` bytes ("6Mi", "1Mi", or bytes). */
  heap(leak: string, other: string): Promise<Buffer>;
  /** A real profile of another kind (goroutine): not a heap profile. */
  goroutine(): Promise<Buffer>;
  /** The line of main.go that allocates in `fn` (`make(...)`), as the profile names it. */
  allocationLine(fn: 'leakguardTestLeak' | 'retainSomethingElse'): Promise<number>;
  close(): Promise<void>;
}

export async function buildHeapProfileMaker(): Promise<HeapProfileMaker> {
  const dir = await mkdtemp(join(tmpdir(), 'leakguard-heap-'));
  const binary = join(dir, 'heap-profile');
  await execFile('go', ['build', '-o', binary, '.'], {
    cwd: source,
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
  });
  let n = 0;
  const run = async (args: string[]): Promise<Buffer> => {
    const out = join(dir, `profile-${n++}.pb.gz`);
    await execFile(binary, [...args, '-out', out]);
    return readFile(out);
  };
  return {
    heap: (leak, other) => run(['-leak', leak, '-other', other]),
    goroutine: () => run(['-profile', 'goroutine']),
    async allocationLine(fn) {
      const lines = (await readFile(join(source, 'main.go'), 'utf8')).split('\n');
      const start = lines.findIndex((l) => l.startsWith(`func ${fn}(`));
      const offset = lines.slice(start).findIndex((l) => l.includes('make([]byte'));
      return start + offset + 1;
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
