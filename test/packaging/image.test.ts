/**
 * The container image without a Docker engine: the Dockerfile's build stage is replayed in an
 * empty directory holding only what it COPYs from the context (node_modules stands in for
 * `npm ci`), then the runtime stage's COPY --from lines are replayed into another empty directory,
 * and the CLI is run from there exactly as the ENTRYPOINT says — no node_modules anywhere above it,
 * HOME unset. A bundle that needs a file the runtime stage does not copy fails here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerIgnore, parseDockerfile, type Stage } from './dockerfile.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const stages = parseDockerfile(readFileSync(join(repo, 'Dockerfile'), 'utf8'));
const build = stages.find((s) => s.name === 'build');
const runtime = stages[stages.length - 1]!;
/** The build context as Docker sends it: the checkout minus .dockerignore. */
const ignored = dockerIgnore(readFileSync(join(repo, '.dockerignore'), 'utf8'));

let work: string;
let buildRoot: string;
let rootFs: string;
let tmpDir: string;

/** Every file under `dir`, relative to it, sorted. */
function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(join(dir, f)).isFile()).sort();
}

/** `COPY src… dest` as Docker does it: directories copy their contents; dest/ or many sources mean a directory. */
function replayCopy(
  sources: string[],
  fromRoot: string,
  destination: string,
  toRoot: string,
  workdir: string,
  context = false,
): void {
  const destPath = posix.resolve(workdir, destination);
  const intoDirectory = destination.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    const from = join(fromRoot, source.startsWith('/') ? source : posix.normalize(source));
    if (context && ignored(relative(repo, from))) throw new Error(`COPY ${source}: excluded by .dockerignore`);
    const isDir = statSync(from).isDirectory();
    const to = join(toRoot, isDir || !intoDirectory ? destPath : posix.join(destPath, posix.basename(source)));
    mkdirSync(isDir ? to : dirname(to), { recursive: true });
    cpSync(from, to, {
      recursive: true,
      filter: (file) => !context || file === from || !ignored(relative(repo, file)),
    });
  }
}

function replayBuildStage(stage: Stage): void {
  for (const copy of stage.copies) {
    if (copy.from !== null) throw new Error('the build stage copies only from the context');
    replayCopy(copy.sources, repo, copy.destination, buildRoot, stage.workdir, true);
  }
  const cwd = join(buildRoot, stage.workdir);
  // `npm ci` installs exactly the lockfile; the checkout's node_modules was installed from it.
  symlinkSync(join(repo, 'node_modules'), join(cwd, 'node_modules'), 'dir');
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'RUN' || /^npm ci\b/.test(args)) continue;
    execFileSync('sh', ['-c', args], { cwd, stdio: 'pipe', env: { PATH: process.env.PATH } });
  }
}

function runImage(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const [node, ...entryArgs] = runtime.entrypoint!;
  expect(node).toMatch(/(^|\/)node$/);
  // Absolute paths in the entrypoint point into the image's filesystem.
  const mapped = entryArgs.map((a) => (a.startsWith('/') ? join(rootFs, a) : a));
  const env: Record<string, string> = { PATH: dirname(process.execPath) };
  for (const [key, value] of Object.entries(runtime.env)) env[key] = key === 'TMPDIR' ? tmpDir : value;
  const result = spawnSync(process.execPath, [...mapped, ...args], {
    cwd: join(rootFs, runtime.workdir),
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'leakguard-image-'));
  buildRoot = join(work, 'build');
  rootFs = join(work, 'runtime');
  tmpDir = join(work, 'tmp');
  for (const dir of [buildRoot, rootFs, tmpDir]) mkdirSync(dir, { recursive: true });
  replayBuildStage(build!);
  for (const copy of runtime.copies) replayCopy(copy.sources, buildRoot, copy.destination, rootFs, runtime.workdir);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Dockerfile', () => {
  it('builds on Node 24 with npm ci and the bundler script', () => {
    expect(build?.base).toMatch(/^node:24(-[a-z]+)*(@sha256:[0-9a-f]{64})?$/);
    const runs = build!.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /^npm ci\b/.test(r))).toBe(true);
    expect(runs).toContain('node scripts/build.mjs');
  });

  it('takes both bases as build arguments whose defaults are the upstream images (local stand-ins in the e2e harness)', () => {
    expect(build?.baseAsWritten).toBe('${BUILD_BASE}');
    expect(runtime.baseAsWritten).toBe('${RUNTIME_BASE}');
    expect([build?.base, runtime.base]).toEqual([
      'node:24-bookworm-slim',
      'gcr.io/distroless/nodejs24-debian12:nonroot',
    ]);
  });

  it('sends a build context without tests, local state or node_modules (.dockerignore)', () => {
    expect(ignored('src/cli/main.ts')).toBe(false);
    expect(ignored('package-lock.json')).toBe(false);
    for (const path of [
      'src/config/load.test.ts',
      'node_modules/yaml/package.json',
      '.leakguard-e2e/env',
      'dist/leakguard.mjs',
      '.git/HEAD',
      'test/e2e/support/env.ts',
    ]) {
      expect(ignored(path), path).toBe(true);
    }
    const sources = listFiles(join(buildRoot, build!.workdir, 'src'));
    expect(sources).toContain('cli/main.ts');
    expect(sources.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
  });

  it('runs on a minimal Node 24 base as a non-root user, copying only from the build stage', () => {
    expect(runtime.base).toMatch(
      /^(gcr\.io\/distroless\/nodejs24-debian12:nonroot|node:24(-bookworm)?-slim)(@sha256:[0-9a-f]{64})?$/,
    );
    expect(runtime.user).toMatch(/^(nonroot|65532)(:(nonroot|65532))?$/);
    expect(runtime.copies.length).toBeGreaterThan(0);
    for (const copy of runtime.copies) expect(copy.from).toBe('build');
  });

  it('puts nothing in the image but the bundle (entry, chunks) and its source maps', () => {
    const files = listFiles(rootFs);
    expect(files).toContain('app/leakguard.mjs');
    expect(files.filter((f) => !/^app\/[\w/.-]+\.mjs(\.map)?$/.test(f))).toEqual([]);
    expect(files.some((f) => f.includes('node_modules'))).toBe(false);
  });

  it('defaults to one run with the config file the chart mounts', () => {
    expect(runtime.cmd).toEqual(['run', '--config', '/etc/leakguard/config.yaml']);
  });
});

describe('the runtime stage, reproduced without Docker', () => {
  it('prints its help with no node_modules and no HOME', () => {
    const { status, stdout, stderr } = runImage(['--help']);
    expect(stderr).not.toMatch(/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/);
    expect(status).toBe(0);
    expect(stdout).toContain('Usage: leakguard <command>');
    for (const command of ['run', 'daemon', 'analyze', 'backtest', 'demo', 'status'])
      expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const analyze = runImage(['analyze', '--help']);
    expect(analyze.status).toBe(0);
    expect(analyze.stdout).toContain('leakguard analyze --input FILE');
  });

  it('loads none of the Kubernetes client, zod or YAML for `--help` (they are chunks loaded by the commands)', () => {
    // What `--help` loads: the entry and the chunks it imports statically, named by their source maps.
    const app = join(rootFs, 'app');
    const loaded = new Set<string>();
    const visit = (file: string): void => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const code = readFileSync(join(app, file), 'utf8');
      for (const [, chunk] of code.matchAll(/(?:^|[;}\s])import\s*(?:[^"'()]*?from\s*)?["']\.\/([^"']+\.mjs)["']/g))
        visit(posix.join(posix.dirname(file), chunk!));
    };
    visit('leakguard.mjs');
    const sources = [...loaded].flatMap(
      (file) => (JSON.parse(readFileSync(join(app, `${file}.map`), 'utf8')) as { sources: string[] }).sources,
    );
    expect(sources.some((s) => s.includes('src/cli/main.ts'))).toBe(true);
    const heavy = sources.filter((s) => /node_modules\/(@kubernetes\/client-node|zod|yaml|@octokit)\//.test(s));
    expect(heavy).toEqual([]);
  });

  it.each(['run', 'daemon'])('has the command the chart runs: `%s --help`', (command) => {
    const { status, stdout } = runImage([command, '--help']);
    expect(status).toBe(0);
    expect(stdout).toContain(`leakguard ${command}`);
    expect(stdout).toContain('--config');
  });

  it('runs the whole pipeline on embedded data (demo) and prints JSON', () => {
    const { status, stdout, stderr } = runImage(['demo', '--output', 'json']);
    expect(stderr).not.toMatch(/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/);
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    // Either one JSON document or JSON lines: every line (or the whole) must parse.
    const parsed = (() => {
      try {
        return [JSON.parse(stdout) as unknown];
      } catch {
        return lines.map((line) => JSON.parse(line) as unknown);
      }
    })();
    expect(JSON.stringify(parsed)).toMatch(/rook/i);
  });

  it('writes nothing outside /tmp (the chart mounts the root filesystem read-only)', () => {
    const before = listFiles(rootFs);
    runImage(['--help']);
    runImage(['demo', '--output', 'json']);
    expect(listFiles(rootFs)).toEqual(before);
  });
});
