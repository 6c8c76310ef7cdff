import { globSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// End-to-end tests against a real local control plane and Prometheus (test/e2e/README in the
// project README's "Development: e2e harness" section). One cluster, one real node and one set of
// images serve every file. The files run side by side, each in its own worker: every file works in
// namespaces of its own (named with a per-run suffix) and only reads what the cluster shares, and
// they spend their minutes waiting for scraped history and time windows, not on the CPU. So the
// e2e phase takes about as long as its slowest file, and a new file adds its own waits beside the others.
// LEAKGUARD_E2E_WORKERS=1 runs them one at a time again (to tell a clash between files from a bug).
const include = 'test/e2e/**/*.e2e.test.ts';
const files = globSync(include, { cwd: import.meta.dirname }).length;

export default defineConfig({
  test: {
    name: 'e2e',
    include: [include],
    globalSetup: ['test/e2e/support/global-setup.ts'],
    fileParallelism: true,
    maxWorkers: Number(process.env.LEAKGUARD_E2E_WORKERS) || Math.max(1, files),
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
