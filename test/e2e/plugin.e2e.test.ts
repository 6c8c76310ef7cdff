/**
 * `kubectl leakguard …`: kubectl finds any executable named kubectl-<name> on PATH. The package's bin
 * `kubectl-leakguard` (package.json) is what npm links there; here a directory with that symlink is
 * put on PATH, as `npm install -g` would, and the real kubectl is asked to find and run it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eBinDir, repoRoot } from '../chart/helm.js';

/** The harness's kubectl (no cluster needed: plugins are found and run client-side). */
const kubectlBinary = join(e2eBinDir(), 'kubectl');
let pluginDir: string;

function kubectlWithPlugin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // Only the plugin's directory and Node 24 (the bin's `#!/usr/bin/env node`) on PATH.
  const PATH = [pluginDir, dirname(process.execPath)].join(':');
  return new Promise((resolve) => {
    execFile(kubectlBinary, args, { env: { PATH } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => {
  if (!existsSync(kubectlBinary))
    throw new Error(
      `kubectl is not built: ${kubectlBinary} is missing — run \`bash test/e2e/provision/build-binaries.sh k8s\``,
    );
  // The bin imports the bundle, as it does after `npm install` (whose prepare step builds it). Built
  // only when missing: the build empties dist/, which other e2e files may be running from.
  if (!existsSync(join(repoRoot, 'dist/leakguard.mjs')))
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'pipe' });
  pluginDir = mkdtempSync(join(tmpdir(), 'leakguard-plugin-'));
  const { bin } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  symlinkSync(join(repoRoot, bin['kubectl-leakguard']!), join(pluginDir, 'kubectl-leakguard'));
});

afterAll(() => {
  if (pluginDir) rmSync(pluginDir, { recursive: true, force: true });
});

describe('kubectl plugin', () => {
  it('is listed by `kubectl plugin list`', async () => {
    const { code, stdout, stderr } = await kubectlWithPlugin(['plugin', 'list']);
    expect(stderr).not.toMatch(/warning/i);
    expect(code).toBe(0);
    expect(stdout).toContain(join(pluginDir, 'kubectl-leakguard'));
  });

  it('runs as `kubectl leakguard --help`', async () => {
    const { code, stdout } = await kubectlWithPlugin(['leakguard', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: leakguard <command>/);
    for (const command of ['analyze', 'backtest', 'demo']) expect(stdout).toContain(command);
  });

  it('passes arguments through: `kubectl leakguard analyze --help`', async () => {
    const { code, stdout } = await kubectlWithPlugin(['leakguard', 'analyze', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('leakguard analyze --input FILE');
  });
});
