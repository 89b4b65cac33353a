/** Argument lists for mounting the media read-only and for unmounting it again. */
export type MountMethod = 'mount' | 'fuseiso';

export function mountArgs(source: string, mountPoint: string, isImageFile: boolean): string[] {
  return ['-t', 'iso9660', '-o', isImageFile ? 'ro,loop' : 'ro', source, mountPoint];
}

/** `-n`: fuseiso would otherwise keep `$HOME/.mtab.fuseiso`, outside the agent's directories (and programs get no HOME). */
export function fuseisoArgs(source: string, mountPoint: string): string[] {
  return ['-n', source, mountPoint];
}

export function unmountCommand(
  method: MountMethod,
  mountPoint: string,
): { tool: 'umount' | 'fusermount'; args: string[] } {
  return method === 'mount' ? { tool: 'umount', args: [mountPoint] } : { tool: 'fusermount', args: ['-u', mountPoint] };
}
