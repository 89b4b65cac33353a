/**
 * The words cedar-store speaks to people: sizes, durations, times, one line per run event and
 * the sentences of a run's summary. Pure functions over the wire types, with no Node.js API and
 * no zod, so the CLI and the browser dashboard import the same module and say the same thing.
 */
export * from './format.js';
export * from './run-lines.js';
export * from './run-summary.js';
export * from './restore-summary.js';
export * from './audit-summary.js';
