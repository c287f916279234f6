/** The edit layer's public surface: the three editors (regex, yaml-path, kustomize) and the read-back every edit passes. */
export * from './kustomize.js';
export * from './model.js';
export * from './regex.js';
export * from './verify.js';
export * from './yaml-path.js';
