// esbuild settings shared by the CLI build (scripts/build.mjs) and the benchmark's child bundle, so the
// benchmark measures code bundled exactly as it ships.
export const bundleOptions = {
  bundle: true,
  minify: true,
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
};

// Code splitting: the entry stays small and what a command does not use (GitHub, Slack, the daemon's
// scheduler) is a chunk it never loads. Used with `outdir` and `entryNames`.
export const splitOptions = {
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
};
