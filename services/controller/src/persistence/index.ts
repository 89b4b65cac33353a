export type { Database } from 'better-sqlite3';
export * from './database.js';
export * from './database-error.js';
export * from './database-availability.js';
export * from './database-unavailable.js';
export * from './migrations.js';
export * from './sqlite-run-repository.js';
export * from './sqlite-media-catalog.js';
export * from './sqlite-device-memory.js';
