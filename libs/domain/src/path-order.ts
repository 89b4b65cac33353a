/**
 * The one order of paths that every list of files a restore compares is sorted in: by Unicode
 * code point, which is the order of their UTF-8 bytes and so the order SQLite's BINARY collation
 * gives the catalog's manifest. JavaScript's `<` compares UTF-16 code units and differs from it
 * for characters above U+FFFF, so both sides of a comparison use this function instead.
 */
export function comparePaths(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i += 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * The order of a depth-first walk of a tree whose every directory's entries are sorted by code
 * point: a directory comes right before its own entries, and they all come before its next
 * sibling (`a/x/1` < `a/x-1` < `a b` … `a/…` < `a-b`). It is the order xorriso's `-find` lists a
 * disc's tree in (libisofs keeps each directory's children sorted by their bytes) and the order
 * the agent walks staging in, so two listings can be merged as streams. It differs from
 * comparePaths only where a name holds a character below `/` (`-`, `.`, space): `/` sorts here
 * before every other character.
 */
export function compareTreeOrder(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) {
      if (x === 0x2f) return -1;
      if (y === 0x2f) return 1;
      return x < y ? -1 : 1;
    }
    if (x > 0xffff) i += 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
