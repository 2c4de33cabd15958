// Scheduler table builders and reference pickers (pure; see docs/schedulers.md).
export * from './weights.js';
export * from './wrr.js';
export * from './hash.js';
export * from './sh.js';
export * from './maglev.js';
export * from './leastconn.js';
