/** mkisofs and isoinfo output → facts, shared by the cdrecord and growisofs backends. */

/**
 * `-print-size` prints the image size in sectors as the only line on stdout (its chatter,
 * including "Total extents scheduled to be written", goes to stderr); anything else is null.
 */
export function parsePrintSize(stdout: string): number | null {
  const lines = stdout.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length !== 1) return null;
  const match = /^\s*(\d+)\s*$/.exec(lines[0] ?? '');
  return match ? Number(match[1]) : null;
}

/** isoinfo's `Volume id: CEDAR BACKUP 05-FEB-2005`; an empty volume id is no label. */
export function parseVolumeId(isoinfoOutput: string): string | null {
  const match = /^Volume id:[ \t]?(.*)$/m.exec(isoinfoOutput);
  const label = match?.[1]?.trimEnd() ?? '';
  return label === '' ? null : label;
}
