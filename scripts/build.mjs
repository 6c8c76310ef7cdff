// Bundles the CLI into dist/ (entry dist/leakguard.mjs plus lazily loaded chunks): fast cold start, and the
// container image needs nothing but dist/ and Node.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { bundleOptions } from './bundle-options.mjs';

rmSync('dist', { recursive: true, force: true });

await build({
  ...bundleOptions,
  entryPoints: ['src/cli/bin.ts'],
  // Code splitting: the entry stays small and the cluster adapters load only for the commands that use them.
  outdir: 'dist',
  entryNames: 'leakguard',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
});
