/**
 * A bin's first line, `#!/usr/bin/env -S NAME=value node --flag`: the environment it sets before
 * node and the flags it gives node, so that whatever starts a bin as `node <bin>` runs it as it is
 * deployed. The one reading of that line: the bench's (the compiled bins, services.mjs) and the
 * packaging tests' (the bins' sources, test/packaging/support/deploy-files.ts), who check that the
 * systemd units and the containers start the bins the same way. Plain JavaScript, so the bench
 * runs without a build; its types are in bin-line.d.mts.
 */

/**
 * The environment and node flags of a bin's first line; both empty when the line starts no node.
 * @param {string} line
 * @returns {{ env: Record<string, string>, flags: string[] }}
 */
export function parseBinLine(line) {
  const flags = /^#!.*\bnode((?:\s+--\S+)*)\s*$/.exec(line);
  const env = /^#!\/usr\/bin\/env -S((?:\s+[A-Z_][A-Z0-9_]*=\S+)*)\s+node\b/.exec(line);
  const pairs = (env?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  return {
    env: Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])),
    flags: flags ? flags[1].trim().split(/\s+/).filter(Boolean) : [],
  };
}
