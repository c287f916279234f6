/** The landing layer's public surface: commit and push (or open a pull request) what a plan changed. */
export { landThroughApi, openHead } from './api/land.js';
export { checkAuthor, checkMaxAttempts, MAX_ATTEMPTS_LIMIT } from './identity.js';
export { landChanges } from './land.js';
export * from './message.js';
export * from './model.js';
