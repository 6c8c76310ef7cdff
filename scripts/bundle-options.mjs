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
  banner: {
    js: "import { createRequire as __lgCreateRequire } from 'node:module'; const require = __lgCreateRequire(import.meta.url);",
  },
  // node-fetch 2 falls back on whatwg-url only where Node has no URL class: see scripts/shims.
  alias: { 'whatwg-url': './scripts/shims/whatwg-url.cjs' },
  logLevel: 'warning',
};

// Code splitting: the entry stays small and what a command does not use (GitHub, Slack, the daemon's
// scheduler) is a chunk it never loads. Used with `outdir` and `entryNames`.
export const splitOptions = {
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
};
