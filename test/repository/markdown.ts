// Just enough of Markdown to check a page's links and tables as GitHub renders them: the
// lines outside fenced code blocks, inline links outside code spans, and heading anchors
// under GitHub's slug rules.

/** Each line of the page with whether it lies inside a fenced code block (fences included). */
export function proseLines(text: string): { line: string; number: number }[] {
  const lines: { line: string; number: number }[] = [];
  let fence: string | null = null;
  text.split('\n').forEach((line, index) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      return;
    }
    if (marker) {
      fence = marker;
      return;
    }
    lines.push({ line, number: index + 1 });
  });
  return lines;
}

/**
 * The anchor GitHub gives a heading: its text as rendered (code spans, emphasis markers and
 * link targets dropped), lower-cased, every character that is not a letter, digit, space,
 * `-` or `_` removed, each space turned into `-`.
 */
export function headingSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return rendered.replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
}

/** Every anchor a page defines: one per heading, a repeated slug numbered `-1`, `-2`… */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { line } of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = headingSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Link targets of inline links `[text](target)` and images, outside code spans. */
export function linksOf(text: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  for (const { line, number } of proseLines(text)) {
    const outsideCode = line.replace(/(`+)[^`]*?\1/g, '');
    for (const match of outsideCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ target: match[1]!, line: number });
    }
  }
  return links;
}

/** Table rows (lines starting with `|`) outside code blocks. */
export function tableRows(text: string): { line: string; number: number }[] {
  return proseLines(text).filter(({ line }) => line.trimStart().startsWith('|'));
}
