/**
 * The bearer-token contract both ends of every connection keep (Node only): constant-time
 * comparison and token files that must not be readable by others.
 */
export * from './token.js';
export * from './token-file.js';
