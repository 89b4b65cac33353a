/**
 * What `cedar-store check-config` and `cedar-store-agent --check-config` share: a YAML
 * configuration's problems with their lines, and "did you mean" for a misspelt field.
 */
export * from './check-file.js';
export * from './did-you-mean.js';
export * from './yaml-problems.js';
