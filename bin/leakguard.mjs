#!/usr/bin/env node
// Entry point for `leakguard` and `kubectl leakguard`: runs the esbuild bundle made by `npm run build`.
import '../dist/leakguard.mjs';
