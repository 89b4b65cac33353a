export * from './in-memory-staging-area.js';
export * from './in-memory-media-drive.js';
export * from './in-memory-device-directory.js';
export * from './in-memory-run-repository.js';
export * from './in-memory-media-catalog.js';
export * from './in-memory-audit-catalog.js';
export * from './fixed-clock.js';
export * from './file-content.js';
