import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/** Test files that talk to a real server installed by `npm run setup`, by what they need. */
const needs: { files: string[]; commands: string[] }[] = [
  {
    commands: ['prometheus', 'promtool'],
    files: [
      'test/prom/secrets.test.ts',
      'test/prom/transport.test.ts',
      'test/prom/live-prometheus.test.ts',
      'test/prom/verdict-parity.test.ts',
      'test/prom/central-store.test.ts',
      'test/prom/thanos.test.ts',
    ],
  },
  { commands: ['victoria-metrics'], files: ['test/prom/victoria-metrics.test.ts', 'test/prom/central-store.test.ts'] },
  { commands: ['go'], files: ['test/profile/heap.test.ts', 'test/run/heap-profile.test.ts'] },
];

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// `npm test` installs nothing. Locally, what `npm run setup` did not install is skipped, and said;
// under CI (.ci/run runs the setup first) nothing is skipped: a missing server fails its tests.
const skipped = process.env.CI || !existsSync('node_modules') ? [] : needs.filter((n) => !n.commands.every(has));
const skippedFiles = [...new Set(skipped.flatMap((n) => n.files))];
if (skippedFiles.length > 0) {
  const what = [...new Set(skipped.flatMap((n) => n.commands))].join(', ');
  console.warn(
    `[leakguard] ${what} not installed: skipping ${skippedFiles.length} test files that need the real server(s). Run \`npm run setup\` to install them.`,
  );
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**', ...skippedFiles],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
