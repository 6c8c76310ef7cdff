// Bundles the CLI into dist/ (entry dist/leakguard.mjs plus lazily loaded chunks): fast cold start, and the
// container image needs nothing but dist/ and Node.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { bundleOptions, splitOptions } from './bundle-options.mjs';

rmSync('dist', { recursive: true, force: true });

await build({
  ...bundleOptions,
  ...splitOptions,
  entryPoints: ['src/cli/bin.ts'],
  outdir: 'dist',
  entryNames: 'leakguard',
});
