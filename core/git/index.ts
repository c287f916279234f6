/** The git layer's public surface: git as a child process with limits and redaction, and push failures classified. */
export * from './git.js';
export * from './push-failure.js';
export * from './redact.js';
