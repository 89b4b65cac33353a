/**
 * The external programs the agent runs, and the Debian package that provides each, so a
 * missing program is reported with the one command that fixes it.
 */
export const TOOL_PACKAGES = {
  xorriso: 'xorriso',
  cdrecord: 'wodim',
  wodim: 'wodim',
  mkisofs: 'genisoimage',
  genisoimage: 'genisoimage',
  isoinfo: 'genisoimage',
  growisofs: 'growisofs',
  eject: 'eject',
  mount: 'mount',
  umount: 'mount',
  fuseiso: 'fuseiso',
  fusermount: 'fuse',
} as const;

export type Tool = keyof typeof TOOL_PACKAGES;

export function debianPackageOf(tool: Tool): string {
  return TOOL_PACKAGES[tool];
}
