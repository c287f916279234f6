/** The receive use case's public surface: what the receive action (or any other caller) needs. */
export * from './model.js';
export { followLanding, receive } from './receive.js';
export { argoCdSummaryMarkdown, type SummaryOptions, summaryMarkdown } from './summary.js';
