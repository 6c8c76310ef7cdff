export * from './version.js';
export * from './range.js';
export * from './image.js';
export * from './schema.js';
export * from './builtin.js';
export * from './condition.js';
export * from './upgrade-rule.js';
export * from './catalog.js';
