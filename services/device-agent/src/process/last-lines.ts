/** The last few lines of a program's output, on one line: where its reason for failing is. */
export function lastLines(text: string, count = 3): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.slice(-count).join(' | ') || 'no message';
}
