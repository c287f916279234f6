/** The plan layer's public surface: rules and variables in, the changes each file would get out (nothing written until applied). */
export * from './apply.js';
export * from './diff.js';
export * from './model.js';
export * from './planner.js';
export * from './semver.js';
export * from './source.js';
export * from './validate.js';
