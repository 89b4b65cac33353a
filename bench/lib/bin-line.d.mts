// The types of bin-line.mjs, which stays plain JavaScript so the bench runs without a build.

/** The environment and node flags of a bin's first line; both empty when the line starts no node. */
export function parseBinLine(line: string): { env: Record<string, string>; flags: string[] };
