// Bundles the CLI into dist/ (entry dist/leakguard.mjs plus lazily loaded chunks): fast cold start, and the
// container image needs nothing but dist/ and Node.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: ['src/cli/bin.ts'],
  // Code splitting: the entry stays small and the cluster adapters load only for the commands that use them.
  outdir: 'dist',
  entryNames: 'leakguard',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  minify: true,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  sourcemap: 'linked',
  legalComments: 'none',
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __lgCreateRequire } from 'node:module'; const require = __lgCreateRequire(import.meta.url);" },
  // whatwg-url (under node-fetch) asks for the deprecated `punycode` builtin; give it the userland twin.
  alias: { punycode: 'punycode/' },
  logLevel: 'warning',
});
