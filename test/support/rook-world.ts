/** The run-level tests' Rook operator world: the demo's (src/demo/rook-world.ts), one home for both. */
export { HOUR, MiB, ROOK, RookWorld, rookConfig, start } from '../../src/demo/rook-world.js';
