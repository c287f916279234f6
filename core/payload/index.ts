/** The payload layer's public surface: the dispatch payload's shape, limits, validation and serialisation. */
export * from './build.js';
export * from './model.js';
export * from './prepare.js';
export * from './serialize.js';
export * from './validate.js';
