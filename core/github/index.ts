/** The GitHub layer's public surface: the REST and GraphQL clients, their explained failures, and the calls the actions make. */
export * from './client.js';
export * from './deployments.js';
export * from './dispatch.js';
export * from './explain.js';
export * from './explain-api.js';
export * from './graphql.js';
export * from './pulls.js';
export * from './runs.js';
