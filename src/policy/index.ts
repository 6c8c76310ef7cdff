export * from './types.js';
export * from './plan.js';
export * from './state-changes.js';
export * from './ids.js';
export * from './windows.js';
export * from './predicates.js';
export * from './ladder.js';
export * from './describe.js';
