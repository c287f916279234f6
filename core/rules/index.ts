/** The rules layer's public surface: both rule syntaxes parsed into one model, file globs, and the RE2 conditions. */
export * from './glob.js';
export * from './match.js';
export * from './model.js';
export * from './native.js';
export * from './pattern.js';
export * from './regex-error.js';
export * from './seed-dsl.js';
export * from './variables.js';
