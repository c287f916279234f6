/** The Argo CD layer's public surface: its API client, following apps to a revision, and its push webhook. */
export * from './client.js';
export * from './wait.js';
export * from './webhook.js';
