import { defineConfig } from 'vitest/config';

// End-to-end tests against a real local control plane and Prometheus (test/e2e/README in the
// project README's "Development: e2e harness" section). One cluster is shared by all files, so files
// run one at a time.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
